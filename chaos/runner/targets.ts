/**
 * Turns a scenario's target selection into member names at the moment of the fault (the
 * leader is whoever leads then), and a scenario fault into the FaultSpec of each round.
 */
import { UsageError } from '../../core/errors.js';
import type { FaultSpec } from '../faults/types.js';
import type { ScenarioFault, TargetSelection } from '../drills/scenario.js';

export type Random = () => number;

/** A few random picks from `pool`, without repeats (partial Fisher-Yates). */
function pick(pool: readonly string[], count: number, random: Random): string[] {
  const copy = [...pool];
  for (let index = 0; index < count && index < copy.length; index++) {
    const other = index + Math.floor(random() * (copy.length - index));
    [copy[index], copy[other]] = [copy[other] as string, copy[index] as string];
  }
  return copy.slice(0, count);
}

/**
 * The members each round of the fault acts on: one round, except for role `each` (every
 * member in turn, followers first and the leader last, as a rolling restart goes).
 */
export function selectTargets(
  selection: TargetSelection,
  members: readonly string[],
  leader: string,
  random: Random,
): string[][] {
  const followers = members.filter((member) => member !== leader);
  const withLeader = selection.withLeader ?? true;
  const sideOf = (size: number) =>
    withLeader ? [leader, ...pick(followers, size - 1, random)] : pick(followers, size, random);
  switch (selection.role) {
    case 'leader':
      return [[leader]];
    case 'follower':
      return [pick(followers, 1, random)];
    case 'minority':
      return [sideOf(Math.max(1, Math.floor((members.length - 1) / 2)))];
    case 'majority':
      return [sideOf(Math.floor(members.length / 2) + 1)];
    case 'members': {
      const named = selection.members ?? [];
      const unknown = named.filter((name) => !members.includes(name));
      if (unknown.length > 0)
        throw new UsageError(
          'DRILL_TARGET_UNKNOWN',
          `the scenario targets ${unknown.join(', ')}, which the cluster does not have`,
          {
            actions: [`members are: ${members.join(', ')}`],
          },
        );
      return [named];
    }
    case 'each':
      return [...[...followers].sort().map((member) => [member]), [leader]];
  }
}

/** The FaultSpec for one round: a partition splits the selected side off (or builds a bridge). */
export function faultSpecFor(
  fault: ScenarioFault,
  selected: readonly string[],
  members: readonly string[],
): FaultSpec {
  const spec: FaultSpec = { kind: fault.kind, members: [...selected] };
  if (fault.latencyMs !== undefined) spec.latencyMs = fault.latencyMs;
  if (fault.lossPercent !== undefined) spec.lossPercent = fault.lossPercent;
  if (fault.kind !== 'partition') return spec;
  const rest = members.filter((member) => !selected.includes(member));
  if (fault.shape !== 'bridge') {
    spec.groups = [[...selected], rest];
    return spec;
  }
  if (members.length < 5)
    throw new UsageError(
      'DRILL_NEEDS_MORE_MEMBERS',
      `a bridge partition needs 5 members, the cluster has ${members.length}`,
      {
        actions: ['start a 5-member sandbox: quorumctl sandbox up NAME --members 5 --netns'],
      },
    );
  // Two halves of (n-1)/2 each, the selected members in the first, and one bridge in both.
  const halfSize = Math.floor((members.length - 1) / 2);
  const first = [...selected, ...rest].slice(0, halfSize);
  const remaining = members.filter((member) => !first.includes(member));
  const bridge = remaining[0] as string;
  const second = remaining.slice(1);
  spec.members = first;
  spec.groups = [
    [...first, bridge],
    [bridge, ...second],
  ];
  return spec;
}
