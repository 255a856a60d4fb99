/** Ports: what ops/ needs from the outside world, implemented by systems/ and the faces. */
import type { MetricSample } from './metrics/sample.js';
import type { HashCheck, MemberRef } from './check/observations.js';
import type { ClusterAlarm, ClusterStatus, SystemKind } from './model.js';

export type Capability =
  | 'status'
  | 'metrics'
  | 'snapshot'
  | 'restore'
  | 'defragment'
  | 'membership'
  | 'transferLeader'
  | 'alarms'
  | 'hashCheck';

export interface TlsOptions {
  /** PEM contents, not paths: the composition root reads the files. */
  ca?: string;
  cert?: string;
  key?: string;
  /** Skip server certificate verification (never the default). */
  insecureSkipVerify?: boolean;
  /**
   * The name to verify each server's certificate against (and send as SNI), by the endpoint's
   * `host:port`, where the endpoint's host is not it: a port-forward to 127.0.0.1:40123
   * reaches a pod whose certificate names its DNS (`zk-0.zk-headless.data.svc`).
   */
  serverNames?: Readonly<Record<string, string>>;
}

export interface AuthOptions {
  username?: string;
  password?: string;
  token?: string;
}

export interface ConnectOptions {
  tls?: TlsOptions;
  auth?: AuthOptions;
  /** Budget for each network call. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface ClusterTarget {
  /** Name shown in output: the inventory name or the joined endpoints. */
  name: string;
  kind: SystemKind;
  /** Client URLs such as `http://127.0.0.1:2379`. */
  endpoints: string[];
  /**
   * HTTP monitoring URLs, one per member, where a system serves them apart from its
   * client port (ZooKeeper's AdminServer `http://h:8080/commands`, Kafka JMX-exporter pages).
   */
  monitorUrls?: string[];
}

export interface ClusterAdapter {
  readonly kind: SystemKind;
  readonly capabilities: ReadonlySet<Capability>;
  /** Never throws for a member being down: that is data in the result. */
  status(): Promise<ClusterStatus>;
  /**
   * Kinds with the `metrics` capability: what the members export beyond `status` (etcd's
   * disk histograms), for the reachable members of `status`. Never throws for a member.
   */
  metricSample?(status: ClusterStatus): Promise<MetricSample>;
  /**
   * Capability `hashCheck`: every member's hash of its key space at the lowest revision
   * they all have. Never throws for a member: its entry carries the error.
   */
  hashCheck?(members: readonly MemberRef[]): Promise<HashCheck>;
  /** Capability `defragment` (etcd): rewrites one member's backend; the member blocks meanwhile. */
  defragment?(member: MemberRef): Promise<void>;
  /** Capability `defragment` (etcd): compacts history up to the current revision, returned. */
  compact?(): Promise<{ revision: number }>;
  /** Capability `alarms`: the raised alarms (etcd NOSPACE, CORRUPT). */
  listAlarms?(): Promise<ClusterAlarm[]>;
  disarmAlarm?(alarm: ClusterAlarm): Promise<void>;
  /** Capability `membership`: one configuration change at a time. */
  addMember?(request: AddMemberRequest): Promise<AddedMember>;
  promoteMember?(member: MemberRef): Promise<void>;
  removeMember?(member: MemberRef): Promise<void>;
  /** Capability `transferLeader`: etcd move-leader, NATS meta or stream step-down. */
  transferLeader?(request: LeaderTransferRequest): Promise<LeaderTransferResult>;
  close(): Promise<void>;
}

export interface AddMemberRequest {
  /** etcd member name; ZooKeeper `server.<id>`'s id as a name; KRaft voter id. */
  name: string;
  role: 'voter' | 'learner' | 'observer';
  /**
   * How peers reach it: etcd peer URLs; ZooKeeper `host:quorumPort:electionPort`; KRaft
   * controller listener endpoints `NAME://host:port`.
   */
  peerUrls: string[];
  /** ZooKeeper: the client address `host:port`; etcd: client URLs for display only. */
  clientUrls?: string[];
  /** ZooKeeper server id; KRaft voter id (when `name` is not the id). */
  id?: string;
  /** KRaft: the voter's metadata log directory id (base64 UUID). */
  directoryId?: string;
}

export interface AddedMember {
  id: string;
  name: string;
  /** etcd: `ETCD_INITIAL_CLUSTER` and friends to start the new member with. */
  startEnvironment?: Record<string, string>;
  /** ZooKeeper: the configuration version after the change. */
  configVersion?: string;
}

export interface LeaderTransferRequest {
  /** The member to lead next; omitted = the system (or quorumctl) picks a healthy one. */
  to?: MemberRef;
  /** Multi-group systems: the group to move (NATS stream name); omitted = the meta/cluster group. */
  group?: string;
}

export interface LeaderTransferResult {
  from?: string;
  to?: string;
}

export type ConnectAdapter = (target: ClusterTarget, options: ConnectOptions) => ClusterAdapter;

/** Time as an input, so rules and tests stay deterministic. */
export interface Clock {
  now(): Date;
}
