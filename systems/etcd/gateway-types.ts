/** Shapes of the etcd v3 JSON gateway responses we read (proto3 JSON: int64 as strings, defaults omitted). */

export interface ResponseHeader {
  cluster_id?: string;
  member_id?: string;
  revision?: string;
  raft_term?: string;
}

export interface StatusResponse {
  header?: ResponseHeader;
  version?: string;
  dbSize?: string;
  dbSizeInUse?: string;
  /** Absent when the member knows no leader. */
  leader?: string;
  raftIndex?: string;
  raftTerm?: string;
  raftAppliedIndex?: string;
  errors?: string[];
  isLearner?: boolean;
}

export interface Member {
  ID?: string;
  name?: string;
  peerURLs?: string[];
  clientURLs?: string[];
  isLearner?: boolean;
}

export interface MemberListResponse {
  header?: ResponseHeader;
  members?: Member[];
}

export interface AuthenticateResponse {
  token?: string;
}
