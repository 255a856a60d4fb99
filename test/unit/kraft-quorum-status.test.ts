// DescribeQuorum -> ClusterStatus: the lag arithmetic of kafka-metadata-quorum, roles, reachability, clocks.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assessHealth } from '../../core/health.js';
import {
  decodeDescribeQuorumResponse,
  type DescribeQuorumResult,
  type QuorumReplica,
} from '../../systems/kraft/messages.js';
import {
  addressKey,
  leaderClockMs,
  STALE_FETCH_MS,
  statusFromQuorum,
  statusWithoutLeader,
  summarizeQuorumStatus,
} from '../../systems/kraft/quorum-status.js';
import { REPO_ROOT } from '../support/cli.js';
import { assertValidClusterStatus } from '../support/cluster-status-schema.js';

/** The DescribeQuorum v2 vector: leader 3002 (LEO 10), 3000 (LEO 10), 3001 (LEO 8), observer 0. */
function vectorQuorum(): DescribeQuorumResult {
  const vector = JSON.parse(
    readFileSync(
      join(REPO_ROOT, 'test/fixtures/kraft/test-vectors/describe_quorum_v2_crosschecked.json'),
      'utf8',
    ),
  ) as { response_body_hex: string };
  return decodeDescribeQuorumResponse(2, Buffer.from(vector.response_body_hex, 'hex'));
}

const LEADER_NOW = 1_700_000_000_500; // the leader's own LastFetchTimestamp in the vector
const OUR_CLOCK = new Date('2030-01-01T00:00:00Z'); // deliberately far from the leader's

function replica(
  id: number,
  leo: bigint,
  fetchedMsAgo?: number,
  caughtUpMsAgo?: number,
): QuorumReplica {
  return {
    replicaId: id,
    logEndOffset: leo,
    lastFetchTimestamp: fetchedMsAgo === undefined ? -1n : BigInt(LEADER_NOW - fetchedMsAgo),
    lastCaughtUpTimestamp: caughtUpMsAgo === undefined ? -1n : BigInt(LEADER_NOW - caughtUpMsAgo),
  };
}

function quorumOf(
  voters: QuorumReplica[],
  observers: QuorumReplica[] = [],
  leaderId = 1,
): DescribeQuorumResult {
  return {
    version: 1,
    errorCode: 0,
    errorMessage: null,
    partition: {
      errorCode: 0,
      errorMessage: null,
      leaderId,
      leaderEpoch: 7,
      highWatermark: 500n,
      voters,
      observers,
    },
    nodes: [],
  };
}

describe('kafka-metadata-quorum describe --status arithmetic', () => {
  test('on the vector: max follower lag 2 records, 1500 ms', () => {
    assert.deepEqual(summarizeQuorumStatus(vectorQuorum()), {
      leaderId: 3002,
      leaderEpoch: 2,
      highWatermark: 10,
      maxFollowerLag: 2,
      maxFollowerLagTimeMs: 1500,
    });
  });

  test('the most lagging voter is the leader itself (ties go to the first listed): 0 ms', () => {
    const quorum = quorumOf([replica(1, 100n, 0, 0), replica(2, 100n, 50, 50)]);
    assert.equal(summarizeQuorumStatus(quorum).maxFollowerLag, 0);
    assert.equal(summarizeQuorumStatus(quorum).maxFollowerLagTimeMs, 0);
  });

  test('unknown caught-up times give -1; observers never count', () => {
    const quorum = quorumOf([replica(1, 100n, 0, 0), replica(2, 90n)], [replica(9, 1n, 10, 10)]);
    assert.equal(summarizeQuorumStatus(quorum).maxFollowerLag, 10);
    assert.equal(summarizeQuorumStatus(quorum).maxFollowerLagTimeMs, -1);
  });
});

describe('statusFromQuorum', () => {
  test('the vector, one voter refusing connections: roles, lag, ages, reachability, attributes', () => {
    const status = statusFromQuorum({
      cluster: 'prod-kraft',
      quorum: vectorQuorum(),
      clusterId: 'fMCL8kv1SWm87L_Md-I2hg',
      probes: [
        { endpoint: 'http://localhost:9093', reachable: true },
        {
          endpoint: 'http://localhost:9094',
          reachable: false,
          error: { code: 'ECONNREFUSED', message: 'connection refused' },
        },
        { endpoint: 'http://localhost:9095', reachable: true },
      ],
      finalizedFeatures: new Map([['kraft.version', 1]]),
      now: OUR_CLOCK,
    });
    assertValidClusterStatus(status);
    assert.deepEqual(status, {
      cluster: 'prod-kraft',
      kind: 'kraft',
      clusterId: 'fMCL8kv1SWm87L_Md-I2hg',
      leaderId: '3002',
      term: 2,
      members: [
        {
          id: '0',
          name: '0',
          endpoint: '',
          role: 'observer',
          voter: false,
          reachable: true,
          alarms: [],
          commitIndex: 10,
          lagEntries: 0,
          lagSeconds: 0.1,
          attributes: {
            lastFetchMsAgo: 100,
            lastCaughtUpMsAgo: 100,
            directoryId: '3Db5MLSqSZieL3q1z7WugQ',
          },
        },
        {
          id: '3000',
          name: '3000',
          endpoint: 'localhost:9093',
          role: 'follower',
          voter: true,
          reachable: true,
          alarms: [],
          commitIndex: 10,
          lagEntries: 0,
          lagSeconds: 0.5,
          attributes: {
            lastFetchMsAgo: 500,
            lastCaughtUpMsAgo: 500,
            directoryId: 'IE55PPTeRWakmL33uOQJCA',
          },
        },
        {
          id: '3001',
          name: '3001',
          endpoint: 'localhost:9094',
          role: 'follower',
          voter: true,
          reachable: false,
          error: { code: 'ECONNREFUSED', message: 'connection refused' },
          alarms: [],
          commitIndex: 8,
          lagEntries: 2,
          lagSeconds: 1.5,
          attributes: {
            lastFetchMsAgo: 400,
            lastCaughtUpMsAgo: 1500,
            directoryId: 'b-DwmhtOhOpmZz2h55OpBA',
          },
        },
        {
          id: '3002',
          name: '3002',
          endpoint: 'localhost:9095',
          role: 'leader',
          voter: true,
          reachable: true,
          alarms: [],
          commitIndex: 10,
          term: 2,
          leaderId: '3002',
          lagEntries: 0,
          lagSeconds: 0,
          attributes: { directoryId: 'g42deAVgTROTPA1LlSpMKA' },
        },
      ],
      quorum: {
        voters: 3,
        healthyVoters: 2,
        majority: 2,
        faultTolerance: 1,
        quorumMargin: 0,
        hasQuorum: true,
      },
      alarms: [],
      attributes: { highWatermark: 10, maxFollowerLag: 2, maxFollowerLagMs: 1500, kraftVersion: 1 },
      observedAt: '2030-01-01T00:00:00.000Z',
    });
    const health = assessHealth(status);
    assert.equal(health.verdict, 'degraded');
    assert.ok(
      health.reasons.some(
        (reason) => reason.code === 'MEMBER_UNREACHABLE' && reason.memberId === '3001',
      ),
    );
  });

  test('ages are measured on the leader clock; our clock only when the leader sends none', () => {
    const quorum = quorumOf([replica(1, 10n, 0, 0), replica(2, 10n, 250, 250)]);
    assert.equal(leaderClockMs(quorum, OUR_CLOCK), LEADER_NOW);
    const status = statusFromQuorum({ cluster: 'c', quorum, probes: [], now: OUR_CLOCK });
    assert.equal(status.members.find((m) => m.id === '2')?.attributes?.lastFetchMsAgo, 250);

    // A leader entry of -1 (what the schema text promises): fall back to the injected clock.
    const noStamp = quorumOf([
      { ...replica(1, 10n), lastFetchTimestamp: -1n },
      replica(2, 10n, 250, 250),
    ]);
    const fiveSecondsLater = new Date(LEADER_NOW + 5000);
    assert.equal(leaderClockMs(noStamp, fiveSecondsLater), LEADER_NOW + 5000);
    const later = statusFromQuorum({
      cluster: 'c',
      quorum: noStamp,
      probes: [],
      now: fiveSecondsLater,
    });
    assert.equal(later.members.find((m) => m.id === '2')?.attributes?.lastFetchMsAgo, 5250);
  });

  test('no endpoint to probe: the leader decides by the last fetch', () => {
    const quorum = quorumOf(
      [
        replica(1, 10n, 0, 0),
        replica(2, 10n, 300, 300),
        replica(3, 4n, STALE_FETCH_MS + 1, 60_000),
      ],
      [replica(100, 10n, 200, 200), replica(101, 3n, 120_000, 120_000)],
    );
    const status = statusFromQuorum({ cluster: 'c', quorum, probes: [], now: OUR_CLOCK });
    const byId = new Map(status.members.map((member) => [member.id, member]));
    assert.equal(byId.get('2')?.reachable, true);
    assert.equal(byId.get('3')?.reachable, false);
    assert.equal(byId.get('3')?.error?.code, 'FETCH_STALE');
    assert.match(byId.get('3')?.error?.message ?? '', /no fetch from the leader for 5\.0 s/);
    assert.equal(byId.get('3')?.lagEntries, 6, 'lag is kept for unreachable members too');
    assert.equal(byId.get('100')?.reachable, true);
    assert.equal(byId.get('101')?.reachable, false);
    assert.match(byId.get('101')?.error?.message ?? '', /2 min/);
    assert.equal(status.quorum.healthyVoters, 2);
    assert.equal(status.attributes?.maxFollowerLag, 6);
    assert.equal(status.attributes?.maxFollowerLagMs, 60_000);
  });

  test('DescribeQuorum v0 carries no times: a known log end offset counts as alive', () => {
    const quorum = { ...quorumOf([replica(1, 10n), replica(2, 9n), replica(3, -1n)]), version: 0 };
    const status = statusFromQuorum({ cluster: 'c', quorum, probes: [], now: OUR_CLOCK });
    const byId = new Map(status.members.map((member) => [member.id, member]));
    assert.equal(byId.get('2')?.reachable, true);
    assert.equal(byId.get('2')?.lagEntries, 1);
    assert.equal(byId.get('2')?.lagSeconds, undefined);
    assert.equal(byId.get('2')?.attributes, undefined);
    assert.equal(byId.get('3')?.reachable, false);
    assert.equal(byId.get('3')?.error?.code, 'NO_FETCH');
    assert.equal(status.attributes?.maxFollowerLagMs, undefined, 'unknown is left out, not -1');
  });

  test('a voter that answers but has stopped fetching is reachable with a reported problem', () => {
    const quorum = {
      ...quorumOf([replica(1, 10n, 0, 0), replica(2, 10n, 9000, 9000)]),
      nodes: [{ nodeId: 2, listeners: [{ name: 'CONTROLLER', host: 'c2', port: 9093 }] }],
    };
    const status = statusFromQuorum({
      cluster: 'c',
      quorum,
      probes: [{ endpoint: 'https://C2:9093', reachable: true }],
      now: OUR_CLOCK,
    });
    const member = status.members.find((m) => m.id === '2');
    assert.equal(member?.reachable, true);
    assert.equal(member?.endpoint, 'c2:9093');
    assert.deepEqual(member?.reportedErrors, [
      'answers on c2:9093 but has not fetched from the leader for 9.0 s',
    ]);
  });

  test('voter endpoints from DescribeCluster when DescribeQuorum has no nodes (before v2)', () => {
    const status = statusFromQuorum({
      cluster: 'c',
      quorum: quorumOf([replica(1, 10n, 0, 0), replica(2, 10n, 100, 100)]),
      controllers: new Map([
        [1, 'c1:9093'],
        [2, 'c2:9093'],
      ]),
      probes: [
        { endpoint: 'http://c1:9093', reachable: true },
        {
          endpoint: 'http://c2:9093',
          reachable: false,
          error: { code: 'TIMEOUT', message: 'no answer' },
        },
      ],
      now: OUR_CLOCK,
    });
    assert.deepEqual(
      status.members.map((m) => [m.id, m.endpoint, m.reachable]),
      [
        ['1', 'c1:9093', true],
        ['2', 'c2:9093', false],
      ],
    );
  });
});

describe('statusWithoutLeader', () => {
  test('followers that know no leader: members kept, no leader, health critical', () => {
    const status = statusWithoutLeader({
      cluster: 'c',
      clusterId: 'abc',
      controllers: new Map([
        [1, '127.0.0.1:9093'],
        [2, '127.0.0.1:9094'],
        [3, '127.0.0.1:9095'],
      ]),
      probes: [
        {
          endpoint: 'http://localhost:9094',
          reachable: true,
          quorumAnswer: 'NOT_LEADER_OR_FOLLOWER (6): this controller is not the quorum leader',
        },
        { endpoint: 'http://127.0.0.1:9095', reachable: true },
        {
          endpoint: 'http://127.0.0.1:9093',
          reachable: false,
          error: { code: 'ECONNREFUSED', message: 'connection refused' },
        },
      ],
      now: OUR_CLOCK,
    });
    assertValidClusterStatus(status);
    assert.equal(status.leaderId, undefined);
    assert.equal(status.clusterId, 'abc');
    assert.deepEqual(
      status.members.map((m) => [
        m.id,
        m.role,
        m.voter,
        m.reachable,
        m.error?.code ?? m.reportedErrors?.[0],
      ]),
      [
        ['1', 'unknown', true, false, 'ECONNREFUSED'],
        [
          '2',
          'unknown',
          true,
          true,
          'NOT_LEADER_OR_FOLLOWER (6): this controller is not the quorum leader',
        ],
        ['3', 'unknown', true, true, 'does not know the quorum leader'],
      ],
    );
    const health = assessHealth(status);
    assert.equal(health.verdict, 'critical');
    assert.ok(health.reasons.some((reason) => reason.code === 'NO_LEADER'));
  });

  test('without DescribeCluster the endpoints given stand in for the voters', () => {
    const status = statusWithoutLeader({
      cluster: 'c',
      probes: [
        { endpoint: 'http://h1:9093', reachable: true, quorumAnswer: 'NOT_LEADER_OR_FOLLOWER (6)' },
        {
          endpoint: 'http://h2:9093',
          reachable: false,
          error: { code: 'TIMEOUT', message: 'slow' },
        },
        { endpoint: 'http://H1:9093/', reachable: true },
      ],
      now: OUR_CLOCK,
    });
    assert.deepEqual(
      status.members.map((m) => [m.id, m.endpoint, m.reachable]),
      [
        ['h1:9093', 'h1:9093', true],
        ['h2:9093', 'h2:9093', false],
      ],
    );
    assert.equal(status.quorum.voters, 2);
  });
});

test('addressKey: one listener however it is written', () => {
  assert.equal(addressKey('http://Localhost:9093/'), '127.0.0.1:9093');
  assert.equal(addressKey('kraft+https://c1:9093'), 'c1:9093');
  assert.equal(addressKey('[::1]:9093'), '[::1]:9093');
});
