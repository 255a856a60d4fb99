/** The sandbox's records: what was started, where, and whether it still runs. */

export type SandboxKind = 'etcd' | 'zookeeper' | 'nats';
export const SANDBOX_KINDS: readonly SandboxKind[] = ['etcd', 'zookeeper', 'nats'];

export interface SandboxMember {
  name: string;
  pid: number;
  /** etcd: http://127.0.0.1:PORT; ZooKeeper: tcp://127.0.0.1:PORT; NATS: nats://127.0.0.1:PORT. */
  clientUrl: string;
  /** etcd {client, peer}; ZooKeeper {client, quorum, election, admin}; NATS {client, cluster, http}. */
  ports: Record<string, number>;
  dataDir: string;
  logFile: string;
  /** The listen address when not 127.0.0.1 (netns sandboxes). */
  host?: string;
  /** The member's network namespace (netns sandboxes). */
  netns?: string;
  /** HTTP monitoring endpoint where the server has one apart from the client port (NATS, ZooKeeper AdminServer). */
  monitorUrl?: string;
}

/** The state file (`sandbox.json`) of one sandbox. */
export interface SandboxRecord {
  name: string;
  kind: SandboxKind;
  /** Server version, e.g. 3.4.23. */
  version: string;
  createdAt: string;
  /** `<stateDir>/sandboxes/<name>`, absolute. */
  dir: string;
  members: SandboxMember[];
  /** Client URLs, in member order. */
  endpoints: string[];
  /**
   * HTTP monitoring URLs in member order: NATS monitoring ports, ZooKeeper AdminServer
   * command URLs, and for etcd the client URLs (they also serve /metrics).
   */
  monitorUrls?: string[];
}

export interface MemberLiveness {
  name: string;
  pid: number;
  alive: boolean;
}

export interface SandboxListing extends SandboxRecord {
  liveness: MemberLiveness[];
  state: 'running' | 'degraded' | 'stopped';
}
