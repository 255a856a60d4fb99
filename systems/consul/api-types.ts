/** Shapes of the Consul HTTP API answers we read (Go JSON, PascalCase; hashicorp/consul api/). */

/** `GET /v1/operator/raft/configuration` (api.RaftConfiguration). */
export interface RaftConfiguration {
  Servers?: RaftServer[];
  /** Raft index of this configuration. */
  Index?: number;
}

export interface RaftServer {
  /** Raft ID: a node UUID since Raft protocol 3, the address before. */
  ID?: string;
  /** Node name, or "(unknown)" for a stale peer. */
  Node?: string;
  /** Raft (server RPC) address, ip:port (8300 by default). */
  Address?: string;
  /** Whether the answering server sees this one as leader. */
  Leader?: boolean;
  ProtocolVersion?: string;
  Voter?: boolean;
}

/** `GET /v1/operator/autopilot/health` (api.OperatorHealthReply); HTTP 429 when not Healthy. */
export interface AutopilotHealth {
  Healthy?: boolean;
  FailureTolerance?: number;
  /** Only in newer or Enterprise answers; absent otherwise. */
  OptimisticFailureTolerance?: number;
  Servers?: ServerHealth[];
}

export interface ServerHealth {
  ID?: string;
  Name?: string;
  Address?: string;
  /** Serf status as the leader's gossip sees it: alive, leaving, left, failed, none. */
  SerfStatus?: string;
  Version?: string;
  Leader?: boolean;
  /** Go duration text ("27.291304ms", "0s"); negative when unknown. */
  LastContact?: string;
  LastTerm?: number;
  LastIndex?: number;
  Healthy?: boolean;
  Voter?: boolean;
  StableSince?: string;
}
