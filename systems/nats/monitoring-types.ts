/** Shapes of the nats-server monitoring answers we read (/varz, /jsz, /routez, /healthz; 2.9 and 2.10). */

/** One peer of a Raft group as the reporting server's node sees it. */
export interface PeerInfo {
  /** Server name, or "Server name unknown at this time (peerID: X)" for a server not heard of yet. */
  name: string;
  /** Caught up with the group's leader (only the leader's own view is reliable). */
  current: boolean;
  /** The reporting server believes the peer's server is gone (omitted when false). */
  offline?: boolean;
  /** Nanoseconds since the reporting server last heard from the peer (Go time.Duration). */
  active?: number;
  /** Entries behind the leader's commit (omitted when 0). */
  lag?: number;
  /** Raft peer ID: 8 characters hashed from the server name. */
  peer?: string;
}

/** A stream's or consumer's Raft group; `leader` is absent while the group has none. */
export interface ClusterInfo {
  name?: string;
  leader?: string;
  /** Every peer but the reporting server, which is listed too while the group has no leader. */
  replicas?: PeerInfo[];
}

/** The JetStream meta group; `replicas` is filled in only by the meta leader. */
export interface MetaClusterInfo {
  name?: string;
  leader?: string;
  /** Hash of the leader's name (of the empty string when there is no leader). */
  peer?: string;
  replicas?: PeerInfo[];
  cluster_size?: number;
}

export interface JetStreamConfig {
  max_memory?: number;
  max_storage?: number;
  store_dir?: string;
  domain?: string;
}

export interface ConsumerDetail {
  stream_name?: string;
  name: string;
  cluster?: ClusterInfo;
}

export interface StreamDetail {
  name: string;
  cluster?: ClusterInfo;
  consumer_detail?: ConsumerDetail[] | null;
}

export interface AccountDetail {
  name: string;
  id?: string;
  stream_detail?: StreamDetail[] | null;
}

/** `/jsz?accounts=true&streams=true&consumers=true`: what this server hosts. */
export interface Jsz {
  server_id?: string;
  disabled?: boolean;
  config?: JetStreamConfig;
  memory?: number;
  storage?: number;
  /** Streams and consumers hosted on this server (every replica counts, not only led ones). */
  streams?: number;
  consumers?: number;
  meta_cluster?: MetaClusterInfo;
  account_details?: AccountDetail[] | null;
}

export interface Varz {
  server_id?: string;
  server_name?: string;
  version?: string;
  host?: string;
  port?: number;
  /** Client URLs (host:port) of every server the cluster advertises to clients. */
  connect_urls?: string[];
  cluster?: { name?: string; urls?: string[] };
  jetstream?: {
    config?: JetStreamConfig;
    stats?: { memory?: number; storage?: number };
    meta?: MetaClusterInfo;
  };
}

export interface RouteInfo {
  rid?: number;
  /** Server ID of the other end: 2.10 pools several connections per peer, so count distinct ones. */
  remote_id?: string;
  remote_name?: string;
}

export interface Routez {
  num_routes?: number;
  routes?: RouteInfo[] | null;
}

/** /healthz: `{"status":"ok"}`, or HTTP 503 with `{"status":"unavailable","error":"..."}`. */
export interface Healthz {
  status?: string;
  error?: string;
}
