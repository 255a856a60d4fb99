// ZooKeeper's mapping to MemberStatus: roles, voters, the zxid as term and index, ZAB-aware lag, cluster attributes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assembleClusterStatus } from '../../core/cluster-status.js';
import {
  clusterAttributes,
  memberFromProbe,
  withZabLag,
  type EndpointProbe,
} from '../../systems/zookeeper/member-status.js';
import type { ServerObservation } from '../../systems/zookeeper/parsers.js';

function answered(
  port: number,
  observation: ServerObservation,
  extra: Partial<Extract<EndpointProbe, { reachable: true }>> = {},
): EndpointProbe {
  return {
    endpoint: `tcp://127.0.0.1:${port}`,
    address: { host: '127.0.0.1', port, tls: false },
    reachable: true,
    serving: true,
    observation,
    refusedWords: [],
    ...extra,
  };
}

describe('memberFromProbe', () => {
  test('a TLS endpoint is shown as tls://', () => {
    const member = memberFromProbe({
      probe: {
        endpoint: 'https://10.0.0.7:2281',
        address: { host: '10.0.0.7', port: 2281, tls: true },
        reachable: false,
        error: { code: 'TIMEOUT', message: 'no answer within 1000 ms' },
      },
      configured: { id: '7', host: '10.0.0.7', role: 'observer', clientPort: 2281 },
    });
    assert.deepEqual(member, {
      id: '7',
      name: 'server.7',
      endpoint: 'tls://10.0.0.7:2281',
      role: 'observer',
      voter: false,
      reachable: false,
      alarms: [],
      error: { code: 'TIMEOUT', message: 'no answer within 1000 ms' },
    });
  });

  test('read-only mode: reachable, role unknown, the reason reported', () => {
    const member = memberFromProbe({
      probe: answered(2181, { mode: 'read-only', zxid: '0x300000002', serverId: '2' }),
    });
    assert.equal(member.role, 'unknown');
    assert.equal(member.voter, true);
    assert.deepEqual(member.reportedErrors, [
      'read-only mode: cut off from the quorum, serving reads only',
    ]);
    assert.equal(member.term, 3);
    assert.equal(member.commitIndex, 0x300000002);
  });

  test('a server the configuration does not list: no vote, and it says why', () => {
    const member = memberFromProbe({
      probe: answered(2181, { mode: 'follower', zxid: '0x1', serverId: '4' }),
      unlisted: true,
    });
    assert.equal(member.voter, false);
    assert.equal(member.role, 'follower');
    assert.match(member.reportedErrors?.[0] ?? '', /not in the ensemble configuration/);
  });

  test('an observer that is not serving stays an observer (it was never a candidate)', () => {
    const member = memberFromProbe({
      probe: answered(2181, {}, { serving: false }),
      configured: { id: '4', host: '127.0.0.1', role: 'observer' },
    });
    assert.equal(member.role, 'observer');
    assert.equal(member.voter, false);
  });

  test('a zxid beyond 2^53: term exact, no commit index rather than a rounded one', () => {
    const member = memberFromProbe({
      probe: answered(2181, { mode: 'leader', zxid: '0x7fffffff00000003', serverId: '1' }),
    });
    assert.equal(member.term, 0x7fffffff);
    assert.equal(member.commitIndex, undefined);
    assert.equal(member.attributes?.zxid, '0x7fffffff00000003');
  });

  test('refused words left uncovered: the error names them and the AdminServer problem', () => {
    const member = memberFromProbe({
      probe: answered(
        2181,
        { mode: 'follower', zxid: '0x1' },
        {
          refusedWords: ['conf'],
          adminServerProblem: 'http://h:8080/commands: voting_view answered HTTP 404',
        },
      ),
    });
    assert.deepEqual(member.error, {
      code: 'FOUR_LETTER_WORDS_DISABLED',
      message:
        'conf not in 4lw.commands.whitelist (AdminServer: http://h:8080/commands: voting_view answered HTTP 404): add 4lw.commands.whitelist=srvr,mntr,conf',
    });
    assert.equal(member.id, '127.0.0.1:2181', 'without conf, the address is the ID');
  });
});

describe('withZabLag', () => {
  function cluster(leaderZxid: string, followerZxids: string[]) {
    return withZabLag(
      assembleClusterStatus({
        cluster: 'zk',
        kind: 'zookeeper',
        observedAt: new Date(0),
        members: [
          memberFromProbe({
            probe: answered(1, { mode: 'leader', zxid: leaderZxid, serverId: '1' }),
          }),
          ...followerZxids.map((zxid, index) =>
            memberFromProbe({
              probe: answered(index + 2, { mode: 'follower', zxid, serverId: String(index + 2) }),
            }),
          ),
        ],
      }),
    );
  }

  test('within one epoch, lag is the difference of the counters', () => {
    const status = cluster('0x500000010', ['0x500000010', '0x50000000a']);
    assert.deepEqual(
      status.members.map((member) => member.lagEntries),
      [0, 0, 6],
    );
  });

  test("a follower still at the previous epoch lacks the new epoch's transactions only", () => {
    const status = cluster('0x600000004', ['0x5000000ff', '0x600000004']);
    assert.deepEqual(
      status.members.map((member) => member.lagEntries),
      [0, 4, 0],
    );
  });

  test('no leader: nothing to measure against', () => {
    const status = withZabLag(
      assembleClusterStatus({
        cluster: 'zk',
        kind: 'zookeeper',
        observedAt: new Date(0),
        members: [memberFromProbe({ probe: answered(1, {}, { serving: false }) })],
      }),
    );
    assert.equal(status.members[0]?.lagEntries, undefined);
  });
});

describe('clusterAttributes', () => {
  test("the leader's sync counts and the config version as a zxid", () => {
    assert.deepEqual(
      clusterAttributes(
        {
          mode: 'leader',
          syncedFollowers: 4,
          syncedObservers: 1,
          syncedNonVotingFollowers: 1,
          pendingSyncs: 0,
          learners: 6,
        },
        { servers: [], version: '700000002' },
      ),
      {
        syncedFollowers: 4,
        syncedObservers: 1,
        syncedNonVotingFollowers: 1,
        pendingSyncs: 0,
        learners: 6,
        configVersion: '0x700000002',
      },
    );
  });

  test('no leader and no configuration: says the voters are only the given endpoints', () => {
    assert.deepEqual(clusterAttributes(undefined, undefined), {
      membership: 'unknown: voters are the given endpoints',
    });
    assert.equal(clusterAttributes({ mode: 'standalone' }, undefined), undefined);
  });
});
