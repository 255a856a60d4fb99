// renderHealth against golden files in test/fixtures/golden/ (UPDATE_GOLDEN=1 rewrites them).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectGolden } from '../support/golden.js';
import { RECORDED_IDS, recordedEtcdMember } from '../support/members.js';
import { renderHealth } from '../../cli/render/health.js';
import { assembleClusterStatus } from '../../core/cluster-status.js';
import { assessHealth } from '../../core/health.js';
import type { ClusterAlarm, MemberStatus } from '../../core/model.js';

const member = (name: 'n1' | 'n2' | 'n3', overrides: Partial<MemberStatus> = {}): MemberStatus =>
  recordedEtcdMember(name, { ...overrides });

const down = (name: 'n2' | 'n3'): MemberStatus => ({
  id: RECORDED_IDS[name],
  name,
  endpoint: `http://127.0.0.1:2370${name.slice(1)}`,
  role: 'unknown',
  voter: true,
  reachable: false,
  error: { code: 'ECONNREFUSED', message: `connect ECONNREFUSED 127.0.0.1:2370${name.slice(1)}` },
  alarms: [],
});

function render(members: MemberStatus[], alarms: ClusterAlarm[] = []): string {
  const report = assessHealth(
    assembleClusterStatus({
      cluster: 'prod',
      kind: 'etcd',
      members,
      alarms,
      observedAt: new Date('2025-01-02T03:04:05.000Z'),
    }),
  );
  const text = renderHealth(report);
  assert.doesNotMatch(text, /undefined|NaN|\[object/);
  assert.ok(text.startsWith(`${report.verdict.toUpperCase()}: prod (etcd), `), text);
  assert.equal(
    text.split('\n').length,
    report.reasons.length + 2,
    'headline + reasons + final newline',
  );
  return text;
}

describe('renderHealth', () => {
  test('ok (golden)', () => {
    const text = render([member('n1'), member('n2'), member('n3')]);
    assert.equal(text, 'OK: prod (etcd), quorum margin 1, 3/3 voters reachable, term 2\n');
    expectGolden('health-ok.txt', text);
  });

  test('degraded: one member down, no margin left (golden)', () => {
    const text = render([member('n1'), member('n2'), down('n3')]);
    assert.match(text, /^ {2}- \[degraded\] MEMBER_UNREACHABLE: n3 /m);
    expectGolden('health-degraded.txt', text);
  });

  test('critical: NOSPACE alarm and a nearly full database (golden)', () => {
    const text = render(
      [member('n1', { dbSizeBytes: 2104533975 }), member('n2'), member('n3')],
      [{ memberId: RECORDED_IDS.n1, alarm: 'NOSPACE' }],
    );
    assert.match(text, /^CRITICAL: /);
    expectGolden('health-critical.txt', text);
  });

  test('no leader and no quorum: no term in the headline', () => {
    const text = render([
      member('n1', { role: 'unknown', leaderId: undefined }),
      down('n2'),
      down('n3'),
    ]);
    assert.match(text, /^CRITICAL: prod \(etcd\), quorum margin -1, 1\/3 voters reachable\n/);
    assert.match(text, /\[critical\] NO_QUORUM: no quorum: 1 of 3 voters reachable, majority is 2/);
  });
});
