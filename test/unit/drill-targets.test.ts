// Target selection by role at the moment of the fault, and the fault spec of each round.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { faultSpecFor, selectTargets } from '../../chaos/runner/targets.js';
import { seededRandom } from '../../chaos/workload/random.js';
import type { QuorumctlError } from '../../core/errors.js';

const THREE = ['n1', 'n2', 'n3'];
const FIVE = ['n1', 'n2', 'n3', 'n4', 'n5'];

describe('selectTargets', () => {
  test('leader, a follower (never the leader), members', () => {
    assert.deepEqual(selectTargets({ role: 'leader' }, THREE, 'n2', seededRandom(1)), [['n2']]);
    for (let seed = 0; seed < 20; seed++) {
      const [[follower]] = selectTargets({ role: 'follower' }, THREE, 'n2', seededRandom(seed)) as [
        [string],
      ];
      assert.notEqual(follower, 'n2');
      assert.ok(THREE.includes(follower));
    }
    assert.deepEqual(
      selectTargets({ role: 'members', members: ['n3', 'n1'] }, THREE, 'n2', seededRandom(1)),
      [['n3', 'n1']],
    );
  });

  test('minority and majority sizes, with and without the leader', () => {
    const random = seededRandom(7);
    const minority3 = selectTargets({ role: 'minority' }, THREE, 'n1', random)[0] ?? [];
    assert.deepEqual(minority3, ['n1']);
    const minority5 = selectTargets({ role: 'minority' }, FIVE, 'n3', random)[0] ?? [];
    assert.equal(minority5.length, 2);
    assert.equal(minority5[0], 'n3');
    const majority5 = selectTargets({ role: 'majority' }, FIVE, 'n3', random)[0] ?? [];
    assert.equal(majority5.length, 3);
    assert.ok(majority5.includes('n3'));
    const without =
      selectTargets({ role: 'majority', withLeader: false }, FIVE, 'n3', random)[0] ?? [];
    assert.equal(without.length, 3);
    assert.ok(!without.includes('n3'));
    assert.equal(new Set(without).size, 3);
  });

  test('each: followers in name order, the leader last', () => {
    assert.deepEqual(selectTargets({ role: 'each' }, THREE, 'n1', seededRandom(1)), [
      ['n2'],
      ['n3'],
      ['n1'],
    ]);
  });

  test('a named member the cluster lacks is a usage error', () => {
    assert.throws(
      () => selectTargets({ role: 'members', members: ['n9'] }, THREE, 'n1', seededRandom(1)),
      (error: QuorumctlError) => error.code === 'DRILL_TARGET_UNKNOWN' && error.exitCode === 2,
    );
  });
});

describe('faultSpecFor', () => {
  test('kill, pause and isolate act on the selected members', () => {
    assert.deepEqual(faultSpecFor({ kind: 'pause' }, ['n2'], THREE), {
      kind: 'pause',
      members: ['n2'],
    });
  });

  test('a split partition: the selected side against the rest', () => {
    const spec = faultSpecFor({ kind: 'partition' }, ['n1'], THREE);
    assert.deepEqual(spec.groups, [['n1'], ['n2', 'n3']]);
  });

  test('a bridge: two halves of two sharing one member, the selected in the first half', () => {
    const spec = faultSpecFor({ kind: 'partition', shape: 'bridge' }, ['n4'], FIVE);
    const [first, second] = spec.groups ?? [];
    assert.ok(first !== undefined && second !== undefined);
    assert.equal(first.length, 3);
    assert.equal(second.length, 3);
    assert.equal(first[0], 'n4');
    const shared = first.filter((member) => second.includes(member));
    assert.equal(shared.length, 1, 'exactly one bridge');
    assert.deepEqual([...new Set([...first, ...second])].sort(), FIVE);
    assert.deepEqual(
      spec.members,
      first.filter((member) => !shared.includes(member)),
    );
  });

  test('a bridge needs five members', () => {
    assert.throws(
      () => faultSpecFor({ kind: 'partition', shape: 'bridge' }, ['n1'], THREE),
      /needs 5 members/,
    );
  });
});
