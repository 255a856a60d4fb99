/**
 * What `check` reads beyond the status and the metric sample: each member's hash of its key
 * space at one common revision (etcd HashKV) and the certificate each TLS endpoint presents.
 * Plain values: core judges them.
 */
import type { MemberError } from '../model.js';

/** Which member to ask: the status already knows every member and where it answers. */
export interface MemberRef {
  id: string;
  name: string;
  endpoint: string;
}

/** One member's hash of its key-value store at the check's revision. */
export type MemberHash = MemberRef &
  (
    | {
        hash: number;
        /** The member's compaction point: hashes compare only between equal ones. */
        compactRevision: number;
      }
    | { error: MemberError }
  );

export interface HashCheck {
  /** The revision every member hashed: the lowest current revision among them. */
  revision: number;
  members: MemberHash[];
}

/** The certificate an endpoint presented, or why none could be read. */
export type EndpointCertificate =
  | {
      endpoint: string;
      /** ISO 8601. */
      notAfter: string;
      notBefore: string;
      subject: string;
      issuer: string;
    }
  | { endpoint: string; error: MemberError };
