// Consul's Raft configuration and autopilot health (test/fixtures/consul, shaped from its API docs) mapped to members.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { AutopilotHealth, RaftConfiguration } from '../../systems/consul/api-types.js';
import {
  agreedLeaderAddress,
  clusterAttributes,
  parseGoDurationSeconds,
  serverMembers,
  type LeaderProbe,
} from '../../systems/consul/server-status.js';
import { REPO_ROOT } from '../support/cli.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'consul');
const read = (scenario: string, file: string): unknown =>
  JSON.parse(readFileSync(join(FIXTURES, scenario, file), 'utf8'));

const leaderSays = (leaderAddress: string, endpoint = 'http://10.0.1.11:8500'): LeaderProbe => ({
  endpoint,
  answered: true,
  leaderAddress,
});

describe('serverMembers', () => {
  test('healthy: the server /v1/status/leader names leads; autopilot gives term, index, contact', () => {
    const members = serverMembers({
      probes: [leaderSays('10.0.1.11:8300')],
      configuration: read('healthy', 'raft-configuration.json') as RaftConfiguration,
      health: read('healthy', 'autopilot-health.json') as AutopilotHealth,
    });
    assert.deepEqual(members[1], {
      id: '0d6f1e9a-6b7c-4a2d-8e1f-3c5b7a9d2e40',
      name: 'consul-server-2',
      endpoint: '10.0.1.12:8300',
      role: 'follower',
      voter: true,
      reachable: true,
      alarms: [],
      version: '1.20.2',
      term: 4,
      commitIndex: 4711,
      lagSeconds: 0.012418,
      attributes: { autopilotHealthy: true, raftProtocol: '3' },
    });
    assert.equal(members[0]?.role, 'leader');
    assert.equal(members[0]?.lagSeconds, undefined, 'the leader has no lag');
  });

  test('degraded: the failed server is an unreachable voter with the gossip status', () => {
    const members = serverMembers({
      probes: [leaderSays('10.0.1.11:8300')],
      configuration: read('degraded', 'raft-configuration.json') as RaftConfiguration,
      health: read('degraded', 'autopilot-health.json') as AutopilotHealth,
    });
    const failed = members.find((member) => member.name === 'consul-server-3');
    assert.equal(failed?.reachable, false);
    assert.equal(failed?.voter, true);
    assert.deepEqual(failed?.error, {
      code: 'SERF_FAILED',
      message: "the leader's gossip marks this server failed, last contact 11.52ms",
    });
    assert.equal(failed?.term, undefined, 'no stale numbers for a failed server');
  });

  test('an alive but unhealthy server is reachable and says why autopilot objects', () => {
    const health = read('healthy', 'autopilot-health.json') as AutopilotHealth;
    health.Servers![2]!.Healthy = false;
    const members = serverMembers({
      probes: [leaderSays('10.0.1.11:8300')],
      configuration: read('healthy', 'raft-configuration.json') as RaftConfiguration,
      health,
    });
    assert.equal(members[2]?.reachable, true);
    assert.equal(members[2]?.attributes?.autopilotHealthy, false);
    assert.match(members[2]?.reportedErrors?.[0] ?? '', /^autopilot: unhealthy/);
  });

  test('no leader and no autopilot: servers on an answering host are up, others unknown', () => {
    const configuration = read('healthy', 'raft-configuration.json') as RaftConfiguration;
    for (const server of configuration.Servers ?? []) server.Leader = false;
    const members = serverMembers({
      probes: [leaderSays('', 'http://10.0.1.12:8500')],
      configuration,
      healthError: { code: 'HTTP_500', message: 'No cluster leader' },
    });
    assert.deepEqual(
      members.map((member) => [member.name, member.role, member.reachable, member.error?.code]),
      [
        ['consul-server-1', 'unknown', false, 'HEALTH_UNAVAILABLE'],
        ['consul-server-2', 'unknown', true, undefined],
        ['consul-server-3', 'unknown', false, 'HEALTH_UNAVAILABLE'],
      ],
    );
    assert.match(members[0]?.error?.message ?? '', /No cluster leader/);
  });

  test('non-voters (staging servers, read replicas) are learners', () => {
    const configuration = read('healthy', 'raft-configuration.json') as RaftConfiguration;
    configuration.Servers![2]!.Voter = false;
    const members = serverMembers({
      probes: [leaderSays('10.0.1.11:8300')],
      configuration,
      health: read('healthy', 'autopilot-health.json') as AutopilotHealth,
    });
    assert.equal(members[2]?.role, 'learner');
    assert.equal(members[2]?.voter, false);
  });

  test('members from autopilot alone when the configuration could not be read', () => {
    const members = serverMembers({
      probes: [leaderSays('10.0.1.11:8300')],
      health: read('degraded', 'autopilot-health.json') as AutopilotHealth,
    });
    assert.deepEqual(
      members.map((member) => [member.name, member.role, member.reachable]),
      [
        ['consul-server-1', 'leader', true],
        ['consul-server-2', 'follower', true],
        ['consul-server-3', 'follower', false],
      ],
    );
  });
});

describe('cluster facts and parsing', () => {
  test('failure tolerance and the autopilot verdict become cluster attributes', () => {
    assert.deepEqual(
      clusterAttributes(read('degraded', 'autopilot-health.json') as AutopilotHealth),
      {
        autopilotHealthy: false,
        failureTolerance: 0,
      },
    );
    assert.deepEqual(clusterAttributes({ FailureTolerance: 1, OptimisticFailureTolerance: 4 }), {
      failureTolerance: 1,
      optimisticFailureTolerance: 4,
    });
    assert.equal(clusterAttributes(undefined), undefined);
  });

  test('the leader address the agents agree on; "" when none has one', () => {
    assert.equal(
      agreedLeaderAddress([leaderSays(''), leaderSays('10.0.1.12:8300')]),
      '10.0.1.12:8300',
    );
    assert.equal(agreedLeaderAddress([leaderSays('')]), '');
    assert.equal(
      agreedLeaderAddress([{ endpoint: 'x', answered: false, error: { code: 'E', message: 'e' } }]),
      undefined,
    );
  });

  test("Go durations: Consul's ReadableDuration text in seconds", () => {
    assert.equal(parseGoDurationSeconds('0s'), 0);
    assert.equal(parseGoDurationSeconds('27.291304ms'), 0.027291304);
    assert.equal(parseGoDurationSeconds('1m2.5s'), 62.5);
    assert.equal(parseGoDurationSeconds('1h0m0s'), 3600);
    assert.equal(parseGoDurationSeconds('310µs'), 0.00031);
    assert.equal(parseGoDurationSeconds('-1ns'), -1e-9);
    assert.equal(parseGoDurationSeconds('0'), 0);
    assert.equal(parseGoDurationSeconds('soon'), undefined);
    assert.equal(parseGoDurationSeconds(undefined), undefined);
  });
});
