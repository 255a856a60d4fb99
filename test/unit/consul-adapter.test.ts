// The Consul adapter against nock-served API answers (test/fixtures/consul).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import nock from 'nock';
import { UnreachableError, UsageError } from '../../core/errors.js';
import { assessHealth } from '../../core/health.js';
import { connect } from '../../systems/consul/adapter.js';
import { REPO_ROOT } from '../support/cli.js';
import { assertValidClusterStatus } from '../support/cluster-status-schema.js';
import { interceptFixtures } from '../support/fixture-http-server.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'consul');
const AGENT1 = 'http://10.0.1.11:8500';
const AGENT3 = 'http://10.0.1.13:8500';
const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

const statusOf = (endpoints: string[], token?: string) =>
  connect(
    { name: 'consul-dc1', kind: 'consul', endpoints },
    { timeoutMs: 2000, ...(token !== undefined && { auth: { token } }) },
  ).status();

describe('Consul adapter (HTTP API, nock)', () => {
  before(() => {
    nock.disableNetConnect();
  });
  afterEach(() => {
    nock.cleanAll();
  });
  after(() => {
    nock.enableNetConnect();
  });

  test('healthy: three voters, the leader from /v1/status/leader, failure tolerance 1', async () => {
    interceptFixtures(AGENT1, join(FIXTURES, 'healthy'));
    const status = await statusOf([AGENT1]);
    assertValidClusterStatus(JSON.parse(JSON.stringify(status)));
    assert.equal(status.leaderId, '8a4c3b2e-1f0d-4e52-9c3a-7d6e5f4a3b21');
    assert.equal(status.term, 4);
    assert.deepEqual(
      status.members.map((member) => [member.name, member.role, member.lagEntries]),
      [
        ['consul-server-1', 'leader', 0],
        ['consul-server-2', 'follower', 0],
        ['consul-server-3', 'follower', 2],
      ],
    );
    assert.deepEqual(status.attributes, { autopilotHealthy: true, failureTolerance: 1 });
    assert.equal(assessHealth(status).verdict, 'ok');
  });

  test('the ACL token goes out as X-Consul-Token on every call', async () => {
    const scope = nock(AGENT1, { reqheaders: { 'x-consul-token': 'f3e0c7a1-token' } })
      .get('/v1/status/leader')
      .reply(200, '"10.0.1.11:8300"')
      .get('/v1/operator/raft/configuration?stale')
      .replyWithFile(200, join(FIXTURES, 'healthy', 'raft-configuration.json'))
      .get('/v1/operator/autopilot/health')
      .replyWithFile(200, join(FIXTURES, 'healthy', 'autopilot-health.json'));
    await statusOf([AGENT1], 'f3e0c7a1-token');
    assert.ok(scope.isDone(), `not called with the token: ${scope.pendingMocks().join(', ')}`);
  });

  test('degraded (autopilot answers 429): a failed voter, margin 0, health degraded', async () => {
    interceptFixtures(AGENT1, join(FIXTURES, 'degraded'));
    nock(AGENT3).get('/v1/status/leader').replyWithError(refused);
    const status = await statusOf([AGENT1, AGENT3]);
    assertValidClusterStatus(JSON.parse(JSON.stringify(status)));
    const failed = status.members.find((member) => member.name === 'consul-server-3');
    assert.equal(failed?.reachable, false);
    assert.equal(failed?.error?.code, 'SERF_FAILED');
    assert.equal(status.quorum.quorumMargin, 0);
    assert.deepEqual(status.attributes, { autopilotHealthy: false, failureTolerance: 0 });
    const health = assessHealth(status);
    assert.equal(health.verdict, 'degraded');
    assert.deepEqual(
      health.reasons.map((reason) => reason.code),
      ['NO_FAULT_TOLERANCE', 'MEMBER_UNREACHABLE'],
    );
  });

  test('no leader: roles unknown, only the server we reached counts as up, health critical', async () => {
    nock(AGENT1)
      .get('/v1/status/leader')
      .reply(200, '""')
      .get('/v1/operator/raft/configuration?stale')
      .replyWithFile(200, join(FIXTURES, 'healthy', 'raft-configuration.json'))
      .get('/v1/operator/autopilot/health')
      .reply(500, 'No cluster leader');
    const status = await statusOf([AGENT1]);
    assert.equal(status.leaderId, undefined);
    assert.ok(status.members.every((member) => member.role === 'unknown'));
    assert.deepEqual(
      status.members.map((member) => member.reachable),
      [true, false, false],
    );
    const health = assessHealth(status);
    assert.equal(health.verdict, 'critical');
    assert.equal(health.reasons[0]?.code, 'NO_QUORUM');
  });

  test('a token without operator:read: AUTH_FAILED usage error, exit 2', async () => {
    nock(AGENT1)
      .get('/v1/status/leader')
      .reply(200, '"10.0.1.11:8300"')
      .get('/v1/operator/raft/configuration?stale')
      .reply(
        403,
        "Permission denied: token with AccessorID 'e1b9' lacks permission 'operator:read'",
      )
      .get('/v1/operator/autopilot/health')
      .reply(
        403,
        "Permission denied: token with AccessorID 'e1b9' lacks permission 'operator:read'",
      );
    const failure = await statusOf([AGENT1], 'e1b9-token').catch((error: unknown) => error);
    assert.ok(failure instanceof UsageError, String(failure));
    assert.equal(failure.code, 'AUTH_FAILED');
    assert.match(failure.message, /operator:read/);
    assert.equal(failure.exitCode, 2);
  });

  test('nobody answers: CLUSTER_UNREACHABLE, exit 3', async () => {
    nock(AGENT1).get('/v1/status/leader').replyWithError(refused);
    nock(AGENT3).get('/v1/status/leader').replyWithError(refused);
    const failure = await statusOf([AGENT1, AGENT3]).catch((error: unknown) => error);
    assert.ok(failure instanceof UnreachableError, String(failure));
    assert.equal(failure.code, 'CLUSTER_UNREACHABLE');
    assert.equal(failure.exitCode, 3);
  });
});
