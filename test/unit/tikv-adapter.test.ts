// The TiKV adapter against nock-served PD answers (test/fixtures/tikv): healthy, degraded, refused, unreachable.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import nock from 'nock';
import { UnreachableError, UsageError } from '../../core/errors.js';
import { assessHealth } from '../../core/health.js';
import { connect } from '../../systems/tikv/adapter.js';
import { REPO_ROOT } from '../support/cli.js';
import { assertValidClusterStatus } from '../support/cluster-status-schema.js';
import { interceptFixtures, loadFixtureRoutes } from '../support/fixture-http-server.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'tikv');
const PD1 = 'http://10.0.2.11:2379';
const PD3 = 'http://10.0.2.13:2379';
const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

const statusOf = (endpoints: string[]) =>
  connect({ name: 'tidb-prod', kind: 'tikv', endpoints }, { timeoutMs: 2000 }).status();

describe('TiKV adapter (PD HTTP API, nock)', () => {
  before(() => {
    nock.disableNetConnect();
  });
  afterEach(() => {
    nock.cleanAll();
  });
  after(() => {
    nock.enableNetConnect();
  });

  test('healthy: three PD members, pd-1 leads, 24 regions without problems, stores up', async () => {
    interceptFixtures(PD1, join(FIXTURES, 'healthy'));
    const status = await statusOf([PD1]);
    assertValidClusterStatus(JSON.parse(JSON.stringify(status)));
    assert.equal(status.kind, 'tikv');
    assert.equal(status.clusterId, '7286450214361937129');
    assert.equal(status.leaderId, '13195394291058371180');
    assert.deepEqual(
      status.members.map((member) => [member.name, member.role, member.reachable]),
      [
        ['pd-1', 'leader', true],
        ['pd-2', 'follower', true],
        ['pd-3', 'follower', true],
      ],
    );
    assert.equal(status.quorum.quorumMargin, 1);
    assert.deepEqual(status.attributes, {
      storesUp: 3,
      storesDisconnected: 0,
      storesDown: 0,
      storesOffline: 0,
    });
    assert.equal(status.groups?.total, 24);
    assert.equal(status.groups?.leaderless, 0);
    assert.equal(assessHealth(status).verdict, 'ok');
  });

  test('membership and health are asked with the follower header, stores through the leader', async () => {
    const scope = nock(PD1)
      .get('/pd/api/v1/health')
      .matchHeader('PD-Allow-follower-handle', 'true')
      .reply(200, '[]')
      .get('/pd/api/v1/members')
      .matchHeader('PD-Allow-follower-handle', 'true')
      .reply(200, '{"members":[]}');
    const leaderOnly = nock(PD1, { badheaders: ['PD-Allow-follower-handle'] })
      .get('/pd/api/v1/stores')
      .reply(200, '{"count":0,"stores":[]}')
      .get(/\/pd\/api\/v1\/(regions|config)\/.*/)
      .times(5)
      .reply(500, '"no leader"');
    await statusOf([PD1]);
    for (const done of [scope, leaderOnly])
      assert.ok(done.isDone(), `not called: ${done.pendingMocks().join(', ')}`);
  });

  test('degraded: pd-3 refuses, a Down store leaves a leaderless region: margin 0, health critical', async () => {
    interceptFixtures(PD1, join(FIXTURES, 'degraded'));
    nock(PD3).get('/pd/api/v1/health').replyWithError(refused);
    const status = await statusOf([PD1, PD3]);
    assertValidClusterStatus(JSON.parse(JSON.stringify(status)));
    const pd3 = status.members.find((member) => member.name === 'pd-3');
    assert.equal(pd3?.reachable, false);
    assert.equal(pd3?.error?.code, 'ECONNREFUSED');
    assert.equal(status.quorum.healthyVoters, 2);
    assert.equal(status.quorum.quorumMargin, 0);
    assert.equal(status.attributes?.storesDown, 1);
    assert.equal(status.groups?.total, 40);
    assert.equal(status.groups?.leaderless, 1);
    assert.equal(status.groups?.underReplicated, 4);
    assert.equal(status.groups?.worst[0]?.id, '31');
    const health = assessHealth(status);
    assert.equal(health.verdict, 'critical');
    assert.deepEqual(
      health.reasons.map((reason) => reason.code),
      ['NO_FAULT_TOLERANCE', 'MEMBER_UNREACHABLE', 'GROUPS_LEADERLESS', 'GROUPS_UNDER_REPLICATED'],
    );
  });

  test('no PD leader: members listed with unknown roles, no region view, health critical', async () => {
    const routes = loadFixtureRoutes(join(FIXTURES, 'healthy'));
    interceptFixtures(PD1, join(FIXTURES, 'healthy'), {
      '/pd/api/v1/health': routes['/pd/api/v1/health']!,
    });
    nock(PD1)
      .persist()
      .get('/pd/api/v1/members')
      .reply(
        200,
        '{"header":{"cluster_id":7286450214361937129},"members":[{"name":"pd-1","member_id":13195394291058371180,"client_urls":["http://10.0.2.11:2379"]}]}',
      )
      .get(/.*/)
      .reply(500, '"[PD:server:ErrNotLeader]not leader"');
    const status = await statusOf([PD1]);
    assert.equal(status.groups, undefined);
    assert.equal(status.attributes, undefined);
    assert.equal(status.leaderId, undefined);
    assert.ok(status.members.every((member) => member.role === 'unknown'));
    assert.ok(assessHealth(status).reasons.some((reason) => reason.code === 'NO_LEADER'));
  });

  test('every endpoint refuses (HTTP 403 from a proxy): AUTH_FAILED usage error, exit 2', async () => {
    nock(PD1).get('/pd/api/v1/health').reply(403, 'Forbidden');
    nock(PD3).get('/pd/api/v1/health').reply(401, 'Unauthorized');
    const failure = await statusOf([PD1, PD3]).catch((error: unknown) => error);
    assert.ok(failure instanceof UsageError, String(failure));
    assert.equal(failure.code, 'AUTH_FAILED');
    assert.equal(failure.exitCode, 2);
    assert.ok(failure.actions.length > 0);
  });

  test('nobody answers: CLUSTER_UNREACHABLE naming every endpoint, exit 3', async () => {
    nock(PD1).get('/pd/api/v1/health').replyWithError(refused);
    nock(PD3).get('/pd/api/v1/health').replyWithError(refused);
    const failure = await statusOf([PD1, PD3]).catch((error: unknown) => error);
    assert.ok(failure instanceof UnreachableError, String(failure));
    assert.equal(failure.code, 'CLUSTER_UNREACHABLE');
    assert.equal(failure.exitCode, 3);
    assert.match(failure.message, /10\.0\.2\.11:2379.*10\.0\.2\.13:2379/);
  });
});
