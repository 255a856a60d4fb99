/** Multi-Raft group arithmetic: counts of leaderless and under-replicated groups, worst first. */
import type { RaftGroupCounts, RaftGroupStatus, RaftGroupSummary } from './model.js';

export const DEFAULT_WORST_GROUPS = 10;

export function isLeaderless(group: RaftGroupStatus): boolean {
  return group.leader === undefined;
}

export function isUnderReplicated(group: RaftGroupStatus): boolean {
  return group.healthyReplicas < group.replicas;
}

/** Summarizes every group of a cluster; `worstCount` bounds the groups listed by name. */
export function summarizeGroups(
  groups: readonly RaftGroupStatus[],
  worstCount: number = DEFAULT_WORST_GROUPS,
): RaftGroupSummary {
  const types = [...new Set(groups.map((group) => group.type))].sort();
  return {
    ...countGroups(groups),
    byType: types.map((type) => ({
      type,
      ...countGroups(groups.filter((group) => group.type === type)),
    })),
    worst: worstGroups(groups, worstCount),
  };
}

export function countGroups(groups: readonly RaftGroupStatus[]): RaftGroupCounts {
  return {
    total: groups.length,
    leaderless: groups.filter(isLeaderless).length,
    underReplicated: groups.filter(isUnderReplicated).length,
  };
}

/** Groups with a problem, a leaderless one before an under-replicated one, then by lag. */
export function worstGroups(
  groups: readonly RaftGroupStatus[],
  count: number = DEFAULT_WORST_GROUPS,
): RaftGroupStatus[] {
  const badness = (group: RaftGroupStatus): number =>
    (isLeaderless(group) ? 2 : 0) + (isUnderReplicated(group) ? 1 : 0);
  return groups
    .filter((group) => badness(group) > 0 || (group.lagEntries ?? 0) > 0)
    .sort(
      (a, b) =>
        badness(b) - badness(a) ||
        (b.lagEntries ?? 0) - (a.lagEntries ?? 0) ||
        a.id.localeCompare(b.id),
    )
    .slice(0, Math.max(0, count));
}
