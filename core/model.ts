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

export type MemberRole = 'leader' | 'follower' | 'candidate' | 'learner' | 'observer' | 'unknown';

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
  /** The leader agreed on by the reachable members, if any. */
  leaderId?: string;
  term?: number;
  members: MemberStatus[];
  quorum: QuorumSummary;
  alarms: ClusterAlarm[];
  /** ISO 8601 time the status was taken. */
  observedAt: string;
}
