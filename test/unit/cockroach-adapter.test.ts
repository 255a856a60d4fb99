// The CockroachDB adapter against nock-served status answers (test/fixtures/cockroach).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import nock from 'nock';
import { UnreachableError, UsageError } from '../../core/errors.js';
import { assessHealth } from '../../core/health.js';
import type { AuthOptions } from '../../core/ports.js';
import { connect } from '../../systems/cockroach/adapter.js';
import { REPO_ROOT } from '../support/cli.js';
import { assertValidClusterStatus } from '../support/cluster-status-schema.js';
import { interceptFixtures } from '../support/fixture-http-server.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'cockroach');
const N1 = 'http://10.0.4.31:8080';
const N3 = 'http://10.0.4.33:8080';
const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const UNAUTHENTICATED =
  '{"error":"no valid authentication found","code":16,"message":"no valid authentication found","details":[]}';

const statusOf = (endpoints: string[], auth?: AuthOptions) =>
  connect(
    { name: 'crdb', kind: 'cockroach', endpoints },
    { timeoutMs: 2000, ...(auth !== undefined && { auth }) },
  ).status();

describe('CockroachDB adapter (status API, nock)', () => {
  before(() => {
    nock.disableNetConnect();
  });
  afterEach(() => {
    nock.cleanAll();
  });
  after(() => {
    nock.enableNetConnect();
  });

  test('healthy: three live peers, leaders per range, 67 ranges, health ok', async () => {
    interceptFixtures(N1, join(FIXTURES, 'healthy'));
    const status = await statusOf([N1]);
    assertValidClusterStatus(JSON.parse(JSON.stringify(status)));
    assert.equal(status.leadership, 'per-group');
    assert.equal(status.leaderId, undefined);
    assert.deepEqual(
      status.members.map((member) => [member.name, member.role, member.reachable]),
      [
        ['n1', 'peer', true],
        ['n2', 'peer', true],
        ['n3', 'peer', true],
      ],
    );
    assert.equal(status.members[0]?.attributes?.ready, true);
    assert.equal(status.quorum.quorumMargin, 1);
    assert.deepEqual(
      {
        total: status.groups?.total,
        leaderless: status.groups?.leaderless,
        worst: status.groups?.worst,
      },
      { total: 67, leaderless: 0, worst: [] },
    );
    assert.deepEqual(assessHealth(status).reasons, []);
  });

  test('degraded: two dead nodes, unavailable and under-replicated ranges named, health critical', async () => {
    interceptFixtures(N1, join(FIXTURES, 'degraded'));
    nock(N3).get('/health?ready=1').replyWithError(refused);
    const status = await statusOf([N1, N3]);
    assertValidClusterStatus(JSON.parse(JSON.stringify(status)));
    assert.equal(status.members.length, 5);
    assert.equal(
      status.members.find((member) => member.name === 'n3')?.error?.code,
      'ECONNREFUSED',
    );
    assert.equal(
      status.members.find((member) => member.name === 'n5')?.error?.code,
      'LIVENESS_DEAD',
    );
    assert.deepEqual(status.quorum, {
      voters: 5,
      healthyVoters: 3,
      majority: 3,
      faultTolerance: 2,
      quorumMargin: 0,
      hasQuorum: true,
    });
    assert.equal(status.groups?.leaderless, 2);
    assert.equal(status.groups?.underReplicated, 5);
    assert.deepEqual(
      status.groups?.worst.map((group) => group.id),
      ['74', '88', '41', '12', '37'],
    );
    const health = assessHealth(status);
    assert.equal(health.verdict, 'critical');
    assert.ok(
      !health.reasons.some((reason) => reason.code === 'NO_LEADER'),
      'no cluster leader is normal',
    );
    assert.ok(health.reasons.some((reason) => reason.code === 'GROUPS_LEADERLESS'));
  });

  test('a range whose details time out is counted, just not named', async () => {
    interceptFixtures(N1, join(FIXTURES, 'degraded'), {
      '/health?ready=1': 'health-ready.json',
      '/_status/nodes': 'nodes.json',
      '/_status/problemranges': 'problemranges.json',
      '/_status/range/74': 'range-74.json',
    });
    nock(N1)
      .persist()
      .get(/\/_status\/range\/.*/)
      .reply(503, '{"message":"timed out"}');
    const status = await statusOf([N1]);
    assert.deepEqual(
      status.groups?.worst.map((group) => group.id),
      ['74'],
    );
    assert.equal(status.groups?.underReplicated, 5);
  });

  test('user and password: one sign-in through /api/v2/login/, the session sent as a cookie', async () => {
    const login = nock(N1)
      .post('/api/v2/login/', 'username=ops&password=s3cret%21')
      .reply(200, '{"session":"CIGA4Kvr3b3BEhC1"}');
    interceptFixtures(N1, join(FIXTURES, 'healthy'), { '/health?ready=1': 'health-ready.json' });
    const withCookie = nock(N1, { reqheaders: { cookie: 'session=CIGA4Kvr3b3BEhC1' } })
      .persist()
      .get('/_status/nodes')
      .replyWithFile(200, join(FIXTURES, 'healthy', 'nodes.json'))
      .get('/_status/problemranges')
      .replyWithFile(200, join(FIXTURES, 'healthy', 'problemranges.json'));
    const status = await statusOf([N1], { username: 'ops', password: 's3cret!' });
    assert.equal(status.members.length, 3);
    assert.ok(login.isDone());
    assert.ok(withCookie.isDone());
  });

  test('the status API refuses us (no session): AUTH_FAILED usage error, exit 2', async () => {
    nock(N1)
      .get('/health?ready=1')
      .reply(200, '{}')
      .get('/_status/nodes')
      .reply(401, UNAUTHENTICATED);
    const failure = await statusOf([N1]).catch((error: unknown) => error);
    assert.ok(failure instanceof UsageError, String(failure));
    assert.equal(failure.code, 'AUTH_FAILED');
    assert.match(failure.message, /no valid authentication found/);
    assert.equal(failure.exitCode, 2);
  });

  test('wrong password: the sign-in is refused, AUTH_FAILED', async () => {
    nock(N1)
      .get('/health?ready=1')
      .reply(200, '{}')
      .post('/api/v2/login/')
      .reply(401, 'the provided credentials did not match any account on the server\n');
    const failure = await statusOf([N1], { username: 'ops', password: 'nope' }).catch(
      (error: unknown) => error,
    );
    assert.ok(failure instanceof UsageError, String(failure));
    assert.match(failure.message, /did not match any account/);
  });

  test('nobody answers: CLUSTER_UNREACHABLE, exit 3', async () => {
    for (const origin of [N1, N3]) {
      nock(origin).get('/health?ready=1').replyWithError(refused);
      nock(origin).get('/_status/nodes').replyWithError(refused);
    }
    const failure = await statusOf([N1, N3]).catch((error: unknown) => error);
    assert.ok(failure instanceof UnreachableError, String(failure));
    assert.equal(failure.code, 'CLUSTER_UNREACHABLE');
    assert.equal(failure.exitCode, 3);
  });
});
