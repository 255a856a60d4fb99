/**
 * Whether `backup restore --execute` may replace a cluster: never one that has a leader and
 * data unless the operator forces it and confirms by typing the cluster's name (or, with no
 * terminal to type on, says --yes). Pure: the CLI gathers the facts and the typed text.
 */
import { UnsafeOperationError } from '../errors.js';

export interface RestoreTargetFacts {
  cluster: string;
  hasLeader: boolean;
  /** Keys (etcd), znodes or messages found; 0 = empty. Undefined when it could not be read. */
  dataItems?: number;
}

export interface RestoreConsent {
  force: boolean;
  /** The cluster name as typed at the prompt or given with --confirm. */
  typedName?: string;
  /** --yes, honoured only when there is no terminal to type on. */
  yes: boolean;
  interactive: boolean;
}

export type RestoreGuardOutcome =
  { allowed: true; reason: string } | { allowed: false; needsPrompt: true };

/** Throws UnsafeOperationError (exit 4) when refused; says when a prompt would settle it. */
export function guardRestore(
  facts: RestoreTargetFacts,
  consent: RestoreConsent,
): RestoreGuardOutcome {
  const live = facts.hasLeader && (facts.dataItems === undefined || facts.dataItems > 0);
  if (!live)
    return {
      allowed: true,
      reason: facts.hasLeader ? 'the cluster is empty' : 'the cluster has no leader',
    };
  const what = `cluster "${facts.cluster}" has a leader and ${facts.dataItems === undefined ? 'possibly data' : `${facts.dataItems} keys`}`;
  if (!consent.force) {
    throw new UnsafeOperationError(
      'RESTORE_TARGET_LIVE',
      `${what}: a restore would replace everything in it`,
      {
        actions: [
          'restore into an empty or stopped cluster, or a sandbox',
          `or pass --force and confirm with --confirm ${facts.cluster}`,
        ],
        details: { ...facts },
      },
    );
  }
  if (consent.typedName !== undefined) {
    if (consent.typedName === facts.cluster)
      return { allowed: true, reason: 'forced, confirmed by name' };
    throw new UnsafeOperationError(
      'RESTORE_NOT_CONFIRMED',
      `the confirmation "${consent.typedName}" is not the cluster's name "${facts.cluster}"`,
      { actions: [`type the name exactly: --confirm ${facts.cluster}`] },
    );
  }
  if (consent.yes && !consent.interactive) return { allowed: true, reason: 'forced, --yes' };
  if (consent.interactive) return { allowed: false, needsPrompt: true };
  throw new UnsafeOperationError('RESTORE_NOT_CONFIRMED', `${what}: --force needs a confirmation`, {
    actions: [`pass --confirm ${facts.cluster} (or --yes when no terminal is attached)`],
  });
}
