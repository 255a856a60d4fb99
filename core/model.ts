/** The normalized cluster model every adapter produces and every face renders. */
import type { QuorumSummary } from './quorum.js';

export const SYSTEM_KINDS = [
  'etcd',
  'zookeeper',
  'kraft',
  'nats',
  'tikv',
  'cockroach',
  'consul',
] as const;
export type SystemKind = (typeof SYSTEM_KINDS)[number];

export function isSystemKind(value: string): value is SystemKind {
  return (SYSTEM_KINDS as readonly string[]).includes(value);
}

/** `peer`: a member of a system with no cluster-wide leader (a CockroachDB node). */
export type MemberRole =
  'leader' | 'follower' | 'candidate' | 'learner' | 'observer' | 'peer' | 'unknown';

/**
 * `cluster`: one group elects one leader for the cluster (etcd, ZooKeeper, KRaft, the NATS
 * meta group, PD, Consul). `per-group`: only the data groups have leaders (CockroachDB
 * ranges), so "no leader" is judged on the groups alone.
 */
export type Leadership = 'cluster' | 'per-group';

export interface MemberError {
  /** Stable code, e.g. `ECONNREFUSED`, `TIMEOUT`, `HTTP_503`. */
  code: string;
  message: string;
}

export interface MemberStatus {
  /** System-assigned ID as a string (etcd's uint64 IDs overflow JavaScript numbers). */
  id: string;
  name: string;
  endpoint: string;
  role: MemberRole;
  /** Counts towards quorum (false for learners and observers). */
  voter: boolean;
  reachable: boolean;
  error?: MemberError;
  /** Raft term or ZAB epoch as this member sees it. */
  term?: number;
  commitIndex?: number;
  appliedIndex?: number;
  /** Entries behind the leader's commit index. */
  lagEntries?: number;
  lagSeconds?: number;
  /** ID of the member this member believes leads. */
  leaderId?: string;
  dbSizeBytes?: number;
  dbSizeInUseBytes?: number;
  quotaBytes?: number;
  version?: string;
  alarms: string[];
  /** Problems the member reports about itself while reachable (e.g. "etcdserver: no leader"). */
  reportedErrors?: string[];
  /**
   * Facts only this kind of system has (ZooKeeper's zxid, KRaft's last fetch time), keyed
   * in camelCase. Tables show each key as a column, so adapters keep this to what an
   * operator reads at a glance.
   */
  attributes?: Attributes;
}

export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

/**
 * One Raft group of a Multi-Raft system: a NATS stream or consumer, a TiKV region, a
 * CockroachDB range.
 */
export interface RaftGroupStatus {
  /** Stable ID within the cluster, e.g. `stream ORDERS`, a region or range ID. */
  id: string;
  /** What the group is in its system: `stream`, `consumer`, `region`, `range`, ... */
  type: string;
  /** Name of the member (or store/node) that leads the group; absent when leaderless. */
  leader?: string;
  /** Replicas the group is configured to have. */
  replicas: number;
  /** Replicas that are up and caught up (current, in sync, not down or pending). */
  healthyReplicas: number;
  /** The largest lag of any replica behind the group's leader, in entries. */
  lagEntries?: number;
  /** What is wrong, one short phrase each (e.g. "replica n3 offline"). */
  problems: string[];
}

export interface RaftGroupCounts {
  total: number;
  leaderless: number;
  underReplicated: number;
}

/** Multi-Raft at a glance: counts overall and per group type, and the worst groups. */
export interface RaftGroupSummary extends RaftGroupCounts {
  byType: (RaftGroupCounts & { type: string })[];
  /** Worst first: leaderless, then under-replicated, then by lag. */
  worst: RaftGroupStatus[];
}

export interface ClusterAlarm {
  memberId: string;
  alarm: string;
}

export interface ClusterStatus {
  /** Inventory name of the cluster, or the endpoints for an ad-hoc target. */
  cluster: string;
  kind: SystemKind;
  clusterId?: string;
  /** Absent means `cluster`. */
  leadership?: Leadership;
  /** The leader agreed on by the reachable members, if any. */
  leaderId?: string;
  term?: number;
  members: MemberStatus[];
  quorum: QuorumSummary;
  alarms: ClusterAlarm[];
  /** Multi-Raft systems only: the data groups beside the control group in `members`. */
  groups?: RaftGroupSummary;
  /** Cluster-wide facts only this kind has (e.g. KRaft's high watermark). */
  attributes?: Attributes;
  /** ISO 8601 time the status was taken. */
  observedAt: string;
}
