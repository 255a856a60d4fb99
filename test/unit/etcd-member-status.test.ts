// memberFromProbe and alarmsOf on real etcd 3.4.23 gateway answers (test/fixtures/etcd-3.4.23).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type {
  MemberListResponse,
  StatusResponse,
  Member,
} from '../../systems/etcd/gateway-types.js';
import { alarmsOf, memberFromProbe } from '../../systems/etcd/member-status.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'etcd-3.4.23');

function readFixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
}

const statusFixture = (name: string): StatusResponse => readFixture(name) as StatusResponse;

const N1_ID = '11316225383092011485';
const N2_ID = '15866929690099255918';
const N4_ID = '12688214639136380096';

const memberList = readFixture('member-list-with-learner.json') as MemberListResponse;

function listed(name: string): Member {
  const found = memberList.members?.find((member) => member.name === name);
  assert.ok(found, `member ${name} in member-list-with-learner.json`);
  return found;
}

const probe = (endpoint: string, file: string, quotaBytes?: number) => {
  const status = statusFixture(file);
  return quotaBytes === undefined
    ? { endpoint, reachable: true as const, status }
    : { endpoint, reachable: true as const, status, quotaBytes };
};

describe('memberFromProbe on recorded etcd answers', () => {
  test('the leader: role, numbers parsed, uint64 IDs kept as exact strings', () => {
    const member = memberFromProbe(
      listed('n1'),
      probe('http://127.0.0.1:23701', 'maintenance-status-leader.json', 2147483648),
    );
    assert.deepEqual(member, {
      id: N1_ID,
      name: 'n1',
      endpoint: 'http://127.0.0.1:23701',
      role: 'leader',
      voter: true,
      reachable: true,
      alarms: [],
      term: 2,
      commitIndex: 12,
      appliedIndex: 12,
      dbSizeBytes: 20480,
      dbSizeInUseBytes: 16384,
      quotaBytes: 2147483648,
      leaderId: N1_ID,
      version: '3.4.23',
    });
    assert.equal(typeof member.id, 'string');
    // 11316225383092011485 > 2^53: as a number it would round to ...1504.
    assert.equal(member.id, '11316225383092011485');
    assert.equal(member.leaderId, '11316225383092011485');
    assert.notEqual(String(Number(N1_ID)), N1_ID, 'the fixture ID really does overflow a double');
  });

  test('a follower names the leader and is not one', () => {
    const member = memberFromProbe(
      listed('n2'),
      probe('http://127.0.0.1:23702', 'maintenance-status-follower.json'),
    );
    assert.equal(member.id, N2_ID);
    assert.equal(member.role, 'follower');
    assert.equal(member.voter, true);
    assert.equal(member.reachable, true);
    assert.equal(member.leaderId, N1_ID);
    assert.equal(member.term, 2);
    assert.equal(member.commitIndex, 12);
    assert.equal('quotaBytes' in member, false, 'no quota without one in the probe');
    assert.equal('reportedErrors' in member, false);
  });

  test('a learner: role learner, not a voter', () => {
    const member = memberFromProbe(
      listed('n4'),
      probe('http://127.0.0.1:23704', 'maintenance-status-learner.json'),
    );
    assert.equal(member.id, N4_ID);
    assert.equal(member.role, 'learner');
    assert.equal(member.voter, false);
    assert.equal(member.reachable, true);
    assert.equal(member.commitIndex, 14);
    assert.equal(member.leaderId, N1_ID);
  });

  test('a learner the status does not flag is still not a voter (member list says learner)', () => {
    const member = memberFromProbe(
      listed('n4'),
      probe('http://127.0.0.1:23704', 'maintenance-status-follower.json'),
    );
    assert.equal(member.voter, false);
  });

  test('no quorum: role unknown, no leaderId, "etcdserver: no leader" reported', () => {
    const member = memberFromProbe(
      listed('n1'),
      probe('http://127.0.0.1:23701', 'maintenance-status-no-quorum.json'),
    );
    assert.equal(member.role, 'unknown');
    assert.equal(member.reachable, true);
    assert.equal(member.voter, true);
    assert.equal('leaderId' in member, false);
    assert.ok(
      member.reportedErrors?.includes('etcdserver: no leader'),
      String(member.reportedErrors),
    );
    assert.deepEqual(member.alarms, []);
    assert.equal(member.term, 2);
  });

  test('a leader field of "0" also means no leader', () => {
    const status: StatusResponse = {
      ...statusFixture('maintenance-status-leader.json'),
      leader: '0',
    };
    const member = memberFromProbe(listed('n1'), {
      endpoint: 'http://x:1',
      reachable: true,
      status,
    });
    assert.equal(member.role, 'unknown');
    assert.equal('leaderId' in member, false);
  });

  test('an unreachable probe: reachable false, carrying its error', () => {
    const error = { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:23702' };
    const member = memberFromProbe(listed('n2'), {
      endpoint: 'http://127.0.0.1:23702',
      reachable: false,
      error,
    });
    assert.deepEqual(member, {
      id: N2_ID,
      name: 'n2',
      endpoint: 'http://127.0.0.1:23702',
      role: 'unknown',
      voter: true,
      reachable: false,
      alarms: [],
      error,
    });
  });

  test('an unreachable learner stays a non-voting learner', () => {
    const member = memberFromProbe(listed('n4'), {
      endpoint: 'http://127.0.0.1:23704',
      reachable: false,
      error: { code: 'TIMEOUT', message: 'timed out after 3000 ms' },
    });
    assert.equal(member.role, 'learner');
    assert.equal(member.voter, false);
    assert.equal(member.reachable, false);
  });

  test('no probe: NOT_STARTED, endpoint from the member list', () => {
    const member = memberFromProbe(listed('n3'), undefined);
    assert.equal(member.reachable, false);
    assert.equal(member.error?.code, 'NOT_STARTED');
    assert.equal(member.endpoint, 'http://127.0.0.1:23703');
  });

  test('an added, unstarted member (no name, no client URL) gets a placeholder name', () => {
    const member = memberFromProbe({ ID: '42', name: '', peerURLs: ['http://x:2380'] }, undefined);
    assert.equal(member.name, '(unstarted)');
    assert.equal(member.endpoint, '');
    assert.equal(member.id, '42');
    assert.equal(member.error?.code, 'NOT_STARTED');
  });

  test('alarms for this member land on it; they are not reported as errors', () => {
    const status: StatusResponse = {
      ...statusFixture('maintenance-status-leader.json'),
      errors: [`memberID:${N1_ID} alarm:NOSPACE `, `memberID:${N2_ID} alarm:CORRUPT `, 'disk slow'],
    };
    const member = memberFromProbe(listed('n1'), {
      endpoint: 'http://x:1',
      reachable: true,
      status,
    });
    assert.deepEqual(member.alarms, ['NOSPACE']);
    assert.deepEqual(member.reportedErrors, ['disk slow']);
  });

  test('values that do not fit a double exactly are left out, not rounded', () => {
    const status: StatusResponse = {
      ...statusFixture('maintenance-status-leader.json'),
      raftIndex: '18446744073709551615',
      dbSize: 'not-a-number',
    };
    const member = memberFromProbe(listed('n1'), {
      endpoint: 'http://x:1',
      reachable: true,
      status,
    });
    assert.equal('commitIndex' in member, false);
    assert.equal('dbSizeBytes' in member, false);
    assert.equal(member.appliedIndex, 12);
  });
});

describe('alarmsOf', () => {
  test('parses "memberID:N alarm:NAME " entries and ignores other errors', () => {
    assert.deepEqual(
      alarmsOf({
        errors: [
          'memberID:123 alarm:NOSPACE ',
          'etcdserver: no leader',
          `memberID:${N1_ID} alarm:CORRUPT `,
        ],
      }),
      [
        { memberId: '123', alarm: 'NOSPACE' },
        { memberId: N1_ID, alarm: 'CORRUPT' },
      ],
    );
  });

  test('no errors, or none that are alarms: no alarms', () => {
    assert.deepEqual(alarmsOf({}), []);
    assert.deepEqual(alarmsOf(statusFixture('maintenance-status-no-quorum.json')), []);
    assert.deepEqual(alarmsOf({ errors: ['alarm:NOSPACE', 'memberID:abc alarm:NOSPACE'] }), []);
  });
});
