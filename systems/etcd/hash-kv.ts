/**
 * The consistency check: every member's HashKV at one revision all of them have (the lowest
 * current revision), so members compare equal however many writes arrive meanwhile.
 */
import type { HashCheck, MemberHash, MemberRef } from '../../core/check/observations.js';
import type { MemberError } from '../../core/model.js';
import { HttpTransportError } from '../transport/http.js';

export interface HashCheckCalls {
  /** The member's current revision (the header of its status answer). */
  revisionOf(endpoint: string): Promise<number>;
  hashAt(endpoint: string, revision: number): Promise<{ hash: number; compactRevision: number }>;
}

export async function checkHashes(
  members: readonly MemberRef[],
  calls: HashCheckCalls,
): Promise<HashCheck> {
  const revisions = await Promise.all(
    members.map((member) =>
      calls.revisionOf(member.endpoint).then(
        (revision) => ({ revision }),
        (cause: unknown) => ({ error: memberError(cause) }),
      ),
    ),
  );
  const known = revisions.flatMap((entry) => ('revision' in entry ? [entry.revision] : []));
  if (known.length === 0) {
    return {
      revision: 0,
      members: members.map((member, index) => ({
        ...member,
        error: errorAt(revisions, index) ?? { code: 'UNKNOWN', message: 'no revision' },
      })),
    };
  }
  const revision = Math.min(...known);
  const hashed = await Promise.all(
    members.map(async (member, index): Promise<MemberHash> => {
      const failed = errorAt(revisions, index);
      if (failed !== undefined) return { ...member, error: failed };
      try {
        const { hash, compactRevision } = await calls.hashAt(member.endpoint, revision);
        return { ...member, hash, compactRevision };
      } catch (cause) {
        return { ...member, error: memberError(cause) };
      }
    }),
  );
  return { revision, members: hashed };
}

function errorAt(
  revisions: readonly ({ revision: number } | { error: MemberError })[],
  index: number,
): MemberError | undefined {
  const entry = revisions[index];
  return entry !== undefined && 'error' in entry ? entry.error : undefined;
}

function memberError(cause: unknown): MemberError {
  if (cause instanceof HttpTransportError) return { code: cause.code, message: cause.message };
  return { code: 'UNKNOWN', message: cause instanceof Error ? cause.message : String(cause) };
}
