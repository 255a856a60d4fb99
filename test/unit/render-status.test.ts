// renderStatus against golden files in test/fixtures/golden/ (UPDATE_GOLDEN=1 rewrites them).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectGolden } from '../support/golden.js';
import { RECORDED_IDS, recordedEtcdMember } from '../support/members.js';
import { renderStatus, summaryLine } from '../../cli/render/status.js';
import { assembleClusterStatus } from '../../core/cluster-status.js';
import type { ClusterStatus, MemberStatus } from '../../core/model.js';

const OBSERVED_AT = new Date('2025-01-02T03:04:05.000Z');

const member = (name: 'n1' | 'n2' | 'n3', overrides: Partial<MemberStatus> = {}): MemberStatus =>
  recordedEtcdMember(name, { dbSizeInUseBytes: 16384, version: '3.4.23', ...overrides });

function status(members: MemberStatus[]): ClusterStatus {
  return assembleClusterStatus({
    cluster: 'prod',
    kind: 'etcd',
    clusterId: '11781583481586153177',
    members,
    observedAt: OBSERVED_AT,
  });
}

const unreachable = (): MemberStatus => ({
  id: RECORDED_IDS.n3,
  name: 'n3',
  endpoint: 'http://127.0.0.1:23703',
  role: 'unknown',
  voter: true,
  reachable: false,
  error: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:23703' },
  alarms: [],
});

function assertClean(text: string): void {
  assert.doesNotMatch(text, /undefined|NaN|\[object/);
  for (const line of text.split('\n')) assert.equal(line, line.trimEnd(), 'no trailing blanks');
}

describe('renderStatus', () => {
  test('3 healthy members (golden)', () => {
    const text = renderStatus(
      status([member('n3', { commitIndex: 11, appliedIndex: 11 }), member('n1'), member('n2')]),
    );
    assertClean(text);
    expectGolden('status-healthy.txt', text);
  });

  test('one unreachable member with its error (golden)', () => {
    const text = renderStatus(
      status([member('n1', { commitIndex: 15, appliedIndex: 15 }), member('n2'), unreachable()]),
    );
    assertClean(text);
    assert.match(
      text,
      /^n3 +http:\/\/127\.0\.0\.1:23703 +unreachable +- .*connect ECONNREFUSED 127\.0\.0\.1:23703$/m,
    );
    expectGolden('status-unreachable.txt', text);
  });

  test('summary line without a leader or quorum', () => {
    const noQuorum = status([
      member('n1', {
        role: 'unknown',
        leaderId: undefined,
        reportedErrors: ['etcdserver: no leader'],
      }),
      { ...unreachable(), id: RECORDED_IDS.n2, name: 'n2' },
      unreachable(),
    ]);
    assert.equal(
      summaryLine(noQuorum),
      'prod (etcd): NO LEADER, NO QUORUM (1/3 voters reachable, majority 2)',
    );
    const text = renderStatus(noQuorum);
    assertClean(text);
    assert.match(text, /etcdserver: no leader/);
  });

  test('alarms and reported errors share the ERRORS column', () => {
    const text = renderStatus(
      status([member('n1', { alarms: ['NOSPACE'], reportedErrors: ['disk slow'] }), member('n2')]),
    );
    assert.match(text, /^n1 .* {2}disk slow; alarm NOSPACE$/m);
  });

  test('unknown quota, size and version show as dashes', () => {
    const text = renderStatus(
      status([member('n1', { quotaBytes: undefined, dbSizeBytes: undefined, version: undefined })]),
    );
    assertClean(text);
    const row = text.split('\n').find((line) => line.startsWith('n1 '));
    assert.ok(row);
    assert.deepEqual(row.split(/ {2,}/).slice(6, 10), ['-', '16 KiB', '-', '-']);
  });
});
