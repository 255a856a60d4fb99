// Multi-Raft group arithmetic: counts, per-type counts and the worst groups first.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { countGroups, summarizeGroups, worstGroups } from '../../core/groups.js';
import type { RaftGroupStatus } from '../../core/model.js';

function group(id: string, overrides: Partial<RaftGroupStatus> = {}): RaftGroupStatus {
  return {
    id,
    type: 'stream',
    leader: 'n1',
    replicas: 3,
    healthyReplicas: 3,
    problems: [],
    ...overrides,
  };
}

function withoutLeader({ leader, ...rest }: RaftGroupStatus): RaftGroupStatus {
  return rest;
}

describe('summarizeGroups', () => {
  test('a healthy set: totals per type, nothing listed as worst', () => {
    const summary = summarizeGroups([
      group('stream A'),
      group('stream B'),
      group('consumer A/c1', { type: 'consumer' }),
    ]);
    assert.deepEqual(summary, {
      total: 3,
      leaderless: 0,
      underReplicated: 0,
      byType: [
        { type: 'consumer', total: 1, leaderless: 0, underReplicated: 0 },
        { type: 'stream', total: 2, leaderless: 0, underReplicated: 0 },
      ],
      worst: [],
    });
  });

  test('leaderless before under-replicated before lagging; bounded by the count', () => {
    const lagging = group('stream L', { lagEntries: 50 });
    const under = group('stream U', { healthyReplicas: 2, problems: ['replica n3 offline'] });
    const leaderless = withoutLeader(group('stream X', { healthyReplicas: 1 }));
    const summary = summarizeGroups([lagging, group('stream OK'), under, leaderless], 2);
    assert.equal(summary.leaderless, 1);
    assert.equal(summary.underReplicated, 2, 'the leaderless group also lacks replicas');
    assert.deepEqual(
      summary.worst.map((worst) => worst.id),
      ['stream X', 'stream U'],
    );
    assert.deepEqual(
      worstGroups([lagging, under, leaderless]).map((worst) => worst.id),
      ['stream X', 'stream U', 'stream L'],
    );
  });

  test('law: per-type counts add up to the totals, and worst never exceeds the bound', () => {
    const arbitraryGroup = fc.record({
      id: fc.string({ minLength: 1, maxLength: 8 }),
      type: fc.constantFrom('stream', 'consumer', 'region'),
      leader: fc.option(fc.constantFrom('n1', 'n2'), { nil: undefined }),
      replicas: fc.integer({ min: 1, max: 5 }),
      healthyReplicas: fc.integer({ min: 0, max: 5 }),
      lagEntries: fc.option(fc.nat(1000), { nil: undefined }),
      problems: fc.constant([] as string[]),
    });
    fc.assert(
      fc.property(fc.array(arbitraryGroup), fc.nat(20), (generated, bound) => {
        const groups: RaftGroupStatus[] = generated.map(({ leader, lagEntries, ...rest }) => ({
          ...rest,
          ...(leader !== undefined && { leader }),
          ...(lagEntries !== undefined && { lagEntries }),
        }));
        const summary = summarizeGroups(groups, bound);
        const sum = (key: 'total' | 'leaderless' | 'underReplicated'): number =>
          summary.byType.reduce((total, counts) => total + counts[key], 0);
        assert.deepEqual(
          {
            total: sum('total'),
            leaderless: sum('leaderless'),
            underReplicated: sum('underReplicated'),
          },
          countGroups(groups),
        );
        assert.ok(summary.worst.length <= bound);
      }),
    );
  });
});
