/**
 * Shapes of the CockroachDB HTTP status API answers we read (`/_status/*`, grpc-gateway with
 * EmitDefaults and EnumsAsInts): lowerCamelCase names, enums as integers, int64/uint64 as
 * decimal strings, int32 and doubles as numbers.
 */

export interface UnresolvedAddr {
  networkField?: string;
  addressField?: string;
}

export interface NodeDescriptor {
  nodeId?: number;
  address?: UnresolvedAddr;
  /** The DB Console / status HTTP address (v21.2+). */
  httpAddress?: UnresolvedAddr;
  sqlAddress?: UnresolvedAddr;
  locality?: { tiers?: { key?: string; value?: string }[] };
  buildTag?: string;
  startedAt?: string;
  clusterName?: string;
}

export interface StoreStatus {
  desc?: { storeId?: number; node?: NodeDescriptor; capacity?: Record<string, unknown> };
  /** Store metrics by their dotted names, e.g. `ranges.unavailable`. */
  metrics?: Record<string, number>;
}

export interface NodeStatus {
  desc?: NodeDescriptor;
  buildInfo?: { tag?: string; goVersion?: string; platform?: string; distribution?: string };
  startedAt?: string;
  updatedAt?: string;
  metrics?: Record<string, number>;
  storeStatuses?: StoreStatus[];
  totalSystemMemory?: string;
  numCpus?: number;
}

/**
 * livenesspb.NodeLivenessStatus: 0 UNKNOWN, 1 DEAD, 2 UNAVAILABLE, 3 LIVE, 4 DECOMMISSIONING,
 * 5 DECOMMISSIONED, 6 DRAINING.
 */
export const NodeLiveness = {
  unknown: 0,
  dead: 1,
  unavailable: 2,
  live: 3,
  decommissioning: 4,
  decommissioned: 5,
  draining: 6,
} as const;

/** `GET /_status/nodes`. */
export interface NodesResponse {
  nodes?: NodeStatus[];
  /** Node ID (as a JSON object key) to NodeLivenessStatus. */
  livenessByNodeId?: Record<string, number>;
}

/** `GET /_status/problemranges`: range IDs (int64 strings) by the node that reported them. */
export interface ProblemRangesResponse {
  nodeId?: number;
  problemsByNodeId?: Record<string, NodeProblems>;
}

export interface NodeProblems {
  errorMessage?: string;
  unavailableRangeIds?: string[];
  raftLeaderNotLeaseHolderRangeIds?: string[];
  noRaftLeaderRangeIds?: string[];
  noLeaseRangeIds?: string[];
  underreplicatedRangeIds?: string[];
  overreplicatedRangeIds?: string[];
  quiescentEqualsTickingRangeIds?: string[];
  raftLogTooLargeRangeIds?: string[];
}

/** roachpb.ReplicaDescriptor; `type` is roachpb.ReplicaType (0 VOTER_FULL, 1 LEARNER, ...). */
export interface ReplicaDescriptor {
  nodeId?: number;
  storeId?: number;
  replicaId?: number;
  type?: number;
}

export interface RangeInfo {
  span?: { startKey?: string; endKey?: string };
  raftState?: {
    replicaId?: string;
    hardState?: { term?: string; vote?: string; commit?: string };
    /** Replica ID of the leader this replica knows of; "0" when none. */
    lead?: string;
    /** "StateLeader", "StateFollower", "StateCandidate", "StatePreCandidate". */
    state?: string;
    applied?: string;
    /** Only the leader tracks its followers, by replica ID. */
    progress?: Record<string, { match?: string; next?: string; state?: string; paused?: boolean }>;
  };
  state?: {
    state?: {
      desc?: {
        rangeId?: string;
        internalReplicas?: ReplicaDescriptor[];
      };
    };
  };
  sourceNodeId?: number;
  sourceStoreId?: number;
  errorMessage?: string;
  problems?: {
    unavailable?: boolean;
    leaderNotLeaseHolder?: boolean;
    noRaftLeader?: boolean;
    underreplicated?: boolean;
    overreplicated?: boolean;
    noLease?: boolean;
  };
}

/** `GET /_status/range/{range_id}`: every node's view of its replica of the range. */
export interface RangeResponse {
  nodeId?: number;
  rangeId?: string;
  responsesByNodeId?: Record<
    string,
    { response?: boolean; errorMessage?: string; infos?: RangeInfo[] }
  >;
}

/** `POST /api/v2/login/`. */
export interface LoginResponse {
  session?: string;
}
