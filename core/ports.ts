/** Ports: what ops/ needs from the outside world, implemented by systems/ and the faces. */
import type { MetricSample } from './metrics/sample.js';
import type { HashCheck, MemberRef } from './check/observations.js';
import type { ClusterStatus, SystemKind } from './model.js';

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
  close(): Promise<void>;
}

export type ConnectAdapter = (target: ClusterTarget, options: ConnectOptions) => ClusterAdapter;

/** Time as an input, so rules and tests stay deterministic. */
export interface Clock {
  now(): Date;
}
