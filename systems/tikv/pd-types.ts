/**
 * Shapes of the PD HTTP API answers we read (`/pd/api/v1/...`, PD v8.5 / master): snake_case
 * Go JSON, zero values omitted. IDs above 2^53 (member_id, cluster_id) arrive as numbers;
 * our parser turns those into exact decimal strings, hence `number | string`.
 */

export type PdId = number | string;

/** pdpb.Member, in `/members` (members, leader, etcd_leader) and `/leader`. */
export interface PdMember {
  name?: string;
  member_id?: PdId;
  peer_urls?: string[];
  client_urls?: string[];
  leader_priority?: number;
  deploy_path?: string;
  binary_version?: string;
  git_hash?: string;
  dc_location?: string;
}

export interface PdMembersResponse {
  header?: { cluster_id?: PdId };
  members?: PdMember[];
  /** The PD leader (absent while there is none). */
  leader?: PdMember;
  /** The leader of PD's embedded etcd; normally the same member. */
  etcd_leader?: PdMember;
}

/** One entry of `/health`: the answering PD's check of each member. */
export interface PdHealthEntry {
  name?: string;
  member_id?: PdId;
  client_urls?: string[];
  health?: boolean;
}

export interface PdStoreInfo {
  store?: {
    id?: PdId;
    address?: string;
    /** metapb.StoreState: Up=0 (omitted), Offline=1, Tombstone=2. */
    state?: number;
    /** Up, Offline or Tombstone, or derived: Disconnected (no heartbeat for 20 s), Down. */
    state_name?: string;
    version?: string;
    status_address?: string;
    last_heartbeat?: PdId;
  };
  status?: {
    /** typeutil.ByteSize: strings such as "96.73GiB". */
    capacity?: string;
    available?: string;
    used_size?: string;
    leader_count?: number;
    region_count?: number;
    last_heartbeat_ts?: string;
    uptime?: string;
  };
}

export interface PdStoresResponse {
  count?: number;
  stores?: PdStoreInfo[];
}

/** metapb.Peer with PD's role_name; role Voter=0 is omitted. */
export interface PdPeer {
  id?: PdId;
  store_id?: PdId;
  role?: number;
  /** Voter, Learner, IncomingVoter or DemotingVoter. */
  role_name?: string;
  is_learner?: boolean;
  is_witness?: boolean;
}

export interface PdRegion {
  id?: PdId;
  start_key?: string;
  end_key?: string;
  epoch?: { conf_ver?: number; version?: number };
  peers?: PdPeer[];
  /** An empty object when PD knows no leader for the region. */
  leader?: PdPeer;
  down_peers?: { peer?: PdPeer; down_seconds?: number }[];
  pending_peers?: PdPeer[];
  approximate_size?: number;
  approximate_keys?: number;
}

/** `/regions`, `/regions/check/*`, `/regions/store/{id}` and `/regions/count` (regions empty). */
export interface PdRegionsResponse {
  count?: number;
  regions?: PdRegion[] | null;
}

/** `/config/replicate`. */
export interface PdReplicationConfig {
  'max-replicas'?: number;
  'location-labels'?: string;
  'enable-placement-rules'?: string;
}
