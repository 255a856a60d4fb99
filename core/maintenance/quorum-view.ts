/**
 * The quorum guard: a cluster as voters and their health, the effect of one membership or
 * availability change on it, and the refusal (exit 4, with the arithmetic) of any change that
 * would leave fewer healthy voters than the majority of the resulting configuration.
 */
import { UnsafeOperationError } from '../errors.js';
import type { ClusterStatus } from '../model.js';
import { majority, summarizeQuorum, type QuorumSummary } from '../quorum.js';

export interface ViewMember {
  name: string;
  voter: boolean;
  healthy: boolean;
  leader: boolean;
}

export interface QuorumView {
  members: ViewMember[];
}

/** One change to the view; `unavailable` is a member that stops serving for a while (defrag, restart). */
export type ViewChange =
  | { type: 'add'; member: string; voter: boolean; healthy?: boolean }
  | { type: 'promote'; member: string }
  | { type: 'remove'; member: string }
  | { type: 'unavailable'; member: string }
  | { type: 'available'; member: string }
  | { type: 'lead'; member: string };

export function viewOf(status: ClusterStatus): QuorumView {
  return {
    members: status.members.map((member) => ({
      name: member.name,
      voter: member.voter,
      healthy: member.reachable,
      leader: member.id === status.leaderId,
    })),
  };
}

export function quorumOf(view: QuorumView): QuorumSummary {
  const voters = view.members.filter((member) => member.voter);
  return summarizeQuorum(voters.length, voters.filter((member) => member.healthy).length);
}

/** The view after `change`; pure. Throws a RangeError for a member the view does not have. */
export function applyChange(view: QuorumView, change: ViewChange): QuorumView {
  if (change.type === 'add') {
    if (view.members.some((member) => member.name === change.member)) {
      throw new RangeError(`member ${change.member} already exists`);
    }
    return {
      members: [
        ...view.members,
        {
          name: change.member,
          voter: change.voter,
          healthy: change.healthy ?? true,
          leader: false,
        },
      ],
    };
  }
  if (!view.members.some((member) => member.name === change.member)) {
    throw new RangeError(`no member named ${change.member}`);
  }
  if (change.type === 'remove') {
    return { members: view.members.filter((member) => member.name !== change.member) };
  }
  return {
    members: view.members.map((member) => {
      const self = member.name === change.member;
      switch (change.type) {
        case 'promote':
          return self ? { ...member, voter: true } : member;
        case 'unavailable':
          return self ? { ...member, healthy: false, leader: false } : member;
        case 'available':
          return self ? { ...member, healthy: true } : member;
        case 'lead':
          return { ...member, leader: self };
      }
    }),
  };
}

/** Why a change would cost quorum, in the operator's arithmetic; undefined when it is safe. */
export function quorumViolation(view: QuorumView, change: ViewChange): string | undefined {
  const after = quorumOf(applyChange(view, change));
  if (after.voters === 0) return `${describeChange(change)} leaves no voters`;
  if (after.healthyVoters >= after.majority) return undefined;
  const voters = after.voters;
  return (
    `${describeChange(change)} leaves ${after.healthyVoters} of ${voters} healthy voters; ` +
    `majority of ${voters} is ${majority(voters)}`
  );
}

/** Applies `change`, or throws UnsafeOperationError (exit 4) with the arithmetic. */
export function guardedChange(
  view: QuorumView,
  change: ViewChange,
  code = 'QUORUM_GUARD',
): QuorumView {
  const violation = quorumViolation(view, change);
  if (violation !== undefined) {
    const before = quorumOf(view);
    throw new UnsafeOperationError(code, `refused: ${violation}`, {
      actions: [
        'bring the unhealthy voters back first (quorumctl status shows which)',
        'or add a healthy member before removing one',
        'quorumctl members plan shows the quorum before and after any change',
      ],
      details: { change, before },
    });
  }
  return applyChange(view, change);
}

export function describeChange(change: ViewChange): string {
  switch (change.type) {
    case 'add':
      return `adding ${change.member} as a ${change.voter ? 'voter' : 'non-voter'}`;
    case 'promote':
      return `promoting ${change.member}`;
    case 'remove':
      return `removing ${change.member}`;
    case 'unavailable':
      return `taking ${change.member} out of service`;
    case 'available':
      return `returning ${change.member} to service`;
    case 'lead':
      return `moving leadership to ${change.member}`;
  }
}
