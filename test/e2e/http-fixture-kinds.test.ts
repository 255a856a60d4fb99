// End to end: status and health of TiKV, CockroachDB and Consul through the real CLI, against fixture-serving HTTP servers.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createCliHome, REPO_ROOT, type CliHome } from '../support/cli.js';
import { assertValidClusterStatus } from '../support/cluster-status-schema.js';
import { startFixtureServer, type FixtureServer } from '../support/fixture-http-server.js';

interface Envelope {
  apiVersion: string;
  kind: string;
  status: number;
  result?: {
    kind: string;
    leadership?: string;
    leaderId?: string;
    members: { name: string; role: string; reachable: boolean; error?: { code: string } }[];
    quorum: { quorumMargin: number };
    groups?: {
      total: number;
      leaderless: number;
      underReplicated: number;
      worst: { id: string }[];
    };
    attributes?: Record<string, unknown>;
  };
  error?: { code: string };
}

interface KindCase {
  kind: 'tikv' | 'cockroach' | 'consul';
  healthy: { members: number; margin: number; groupsTotal?: number };
  degraded: {
    verdict: 'DEGRADED' | 'CRITICAL';
    unreachable: string[];
    leaderless?: number;
    firstWorst?: string;
  };
}

const CASES: KindCase[] = [
  {
    kind: 'tikv',
    healthy: { members: 3, margin: 1, groupsTotal: 24 },
    degraded: { verdict: 'CRITICAL', unreachable: ['pd-3'], leaderless: 1, firstWorst: '31' },
  },
  {
    kind: 'cockroach',
    healthy: { members: 3, margin: 1, groupsTotal: 67 },
    degraded: { verdict: 'CRITICAL', unreachable: ['n3', 'n5'], leaderless: 2, firstWorst: '74' },
  },
  {
    kind: 'consul',
    healthy: { members: 3, margin: 1 },
    degraded: { verdict: 'DEGRADED', unreachable: ['consul-server-3'] },
  },
];

describe('status and health of HTTP-fixture kinds through the CLI', { timeout: 120_000 }, () => {
  let home: CliHome;
  const servers: FixtureServer[] = [];

  before(async () => {
    home = await createCliHome();
  });

  after(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await home.cleanup();
  });

  const serve = async (kind: string, scenario: string) => {
    const server = await startFixtureServer(join(REPO_ROOT, 'test', 'fixtures', kind, scenario));
    servers.push(server);
    return `${kind}://127.0.0.1:${server.port}`;
  };

  for (const { kind, healthy, degraded } of CASES) {
    describe(kind, () => {
      let healthyEndpoint: string;
      let degradedEndpoint: string;

      before(async () => {
        healthyEndpoint = await serve(kind, 'healthy');
        degradedEndpoint = await serve(kind, 'degraded');
      });

      test('healthy: status -o json validates against the schema; health OK, exit 0', async () => {
        const [status, health] = await Promise.all([
          home.run(['status', '--endpoints', healthyEndpoint, '-o', 'json']),
          home.run(['health', '--endpoints', healthyEndpoint]),
        ]);
        assert.equal(status.code, 0, status.stderr);
        const envelope = JSON.parse(status.stdout) as Envelope;
        assert.equal(envelope.kind, 'ClusterStatus');
        assertValidClusterStatus(envelope.result);
        assert.equal(envelope.result?.kind, kind);
        assert.equal(envelope.result?.members.length, healthy.members);
        assert.ok(envelope.result?.members.every((member) => member.reachable));
        assert.equal(envelope.result?.quorum.quorumMargin, healthy.margin);
        assert.equal(envelope.result?.groups?.total, healthy.groupsTotal);
        assert.equal(health.code, 0, health.stdout + health.stderr);
        assert.match(health.stdout, new RegExp(`^OK: \\S*127\\.0\\.0\\.1:\\d+ \\(${kind}\\)`));
      });

      test(`degraded: unreachable members in JSON; health ${degraded.verdict}, exit 1`, async () => {
        const [status, health] = await Promise.all([
          home.run(['status', '--endpoints', degradedEndpoint, '-o', 'json']),
          home.run(['health', '--endpoints', degradedEndpoint]),
        ]);
        assert.equal(status.code, 0, status.stderr);
        const result = (JSON.parse(status.stdout) as Envelope).result;
        assertValidClusterStatus(result);
        assert.deepEqual(
          result?.members.filter((member) => !member.reachable).map((member) => member.name),
          degraded.unreachable,
        );
        assert.equal(result?.groups?.leaderless, degraded.leaderless);
        assert.equal(result?.groups?.worst[0]?.id, degraded.firstWorst);
        assert.equal(health.code, 1, health.stdout + health.stderr);
        assert.match(health.stdout, new RegExp(`^${degraded.verdict}: `));
        for (const name of degraded.unreachable)
          assert.match(health.stdout, new RegExp(`MEMBER_UNREACHABLE: ${name} `));
      });
    });
  }

  test('tables: TiKV and CockroachDB show their region and range sections, Consul its attributes', async () => {
    const [tikv, cockroach, consul] = await Promise.all([
      serve('tikv', 'degraded').then((endpoint) => home.run(['status', '--endpoints', endpoint])),
      serve('cockroach', 'degraded').then((endpoint) =>
        home.run(['status', '--endpoints', endpoint]),
      ),
      serve('consul', 'degraded').then((endpoint) => home.run(['status', '--endpoints', endpoint])),
    ]);
    assert.equal(tikv.code, 0, tikv.stderr);
    assert.match(tikv.stdout, /leader pd-1\b.*, quorum margin 0/);
    assert.match(
      tikv.stdout,
      /stores up 3, stores disconnected 0, stores down 1, stores offline 0/,
    );
    assert.match(tikv.stdout, /Raft groups: 40 \(40 region\), 1 leaderless, 4 under-replicated/);
    assert.match(
      tikv.stdout,
      /^31\s+region\s+NONE\s+1\/3\s+-\s+no leader: its last leader is on store 7 \(Down\)/m,
    );

    assert.equal(cockroach.code, 0, cockroach.stderr);
    assert.match(cockroach.stdout, /\(cockroach\): leaders per group, quorum margin 0/);
    assert.match(cockroach.stdout, /^n1\s+http:\/\/10\.0\.4\.31:8080\s+peer\b.*LIVE/m);
    assert.match(
      cockroach.stdout,
      /Raft groups: 90 \(90 range\), 2 leaderless, 5 under-replicated/,
    );
    assert.match(cockroach.stdout, /^74\s+range\s+NONE\s+1\/3\s+-\s+unavailable/m);
    assert.match(cockroach.stdout, /^12\s+range\s+n1\s+2\/3\s+3\s+replica on n3 \(DEAD\)/m);

    assert.equal(consul.code, 0, consul.stderr);
    assert.match(consul.stdout, /leader consul-server-1 at term 5, quorum margin 0/);
    assert.match(consul.stdout, /autopilot healthy no, failure tolerance 0/);
    assert.match(
      consul.stdout,
      /^consul-server-3\s+10\.0\.1\.13:8300\s+unreachable\b.*gossip marks this server failed/m,
    );
  });

  test('nothing listening: exit 3 with CLUSTER_UNREACHABLE for each kind', async () => {
    const closed = await startFixtureServer(
      join(REPO_ROOT, 'test', 'fixtures', 'consul', 'healthy'),
    );
    await closed.close();
    const results = await Promise.all(
      CASES.map(({ kind }) =>
        home.run(['status', '--endpoints', `${kind}://127.0.0.1:${closed.port}`, '-o', 'json']),
      ),
    );
    for (const result of results) {
      assert.equal(result.code, 3, result.stdout + result.stderr);
      assert.equal((JSON.parse(result.stdout) as Envelope).error?.code, 'CLUSTER_UNREACHABLE');
    }
  });
});
