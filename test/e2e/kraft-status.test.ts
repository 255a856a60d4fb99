// End to end: quorumctl status and health against the fake KRaft controller quorum.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createCliHome, type CliHome } from '../support/cli.js';
import { assertValidClusterStatus } from '../support/cluster-status-schema.js';
import { FakeKraftCluster } from '../support/kraft-fake-controller.js';

interface StatusDocument {
  apiVersion: string;
  kind: string;
  status: number;
  result: {
    kind: string;
    leaderId?: string;
    clusterId?: string;
    attributes?: Record<string, number | string | boolean>;
    quorum: { voters: number; healthyVoters: number; quorumMargin: number };
    members: {
      id: string;
      role: string;
      voter: boolean;
      reachable: boolean;
      lagEntries?: number;
      error?: { code: string; message: string };
    }[];
  };
}

describe('quorumctl status against a KRaft controller quorum (fake)', { timeout: 120_000 }, () => {
  let home: CliHome;
  let cluster: FakeKraftCluster;
  let endpoints: string;

  before(async () => {
    home = await createCliHome();
    cluster = await FakeKraftCluster.start({ nodeIds: [3000, 3001, 3002], leaderId: 3002 });
    cluster.state.highWatermark = 4242;
    cluster.state.voters[1]!.logEndOffset = 995; // 3001 is 5 records behind
    cluster.state.voters[1]!.lastCaughtUpMsAgo = 1800;
    cluster.state.observers.push(
      { id: 1, logEndOffset: 1000, lastFetchMsAgo: 120, lastCaughtUpMsAgo: 120 },
      { id: 2, logEndOffset: 1000, lastFetchMsAgo: 90, lastCaughtUpMsAgo: 90 },
    );
    endpoints = `kraft://${cluster.controller(3000).address}`;
  });

  after(async () => {
    await cluster.stop();
    await home.cleanup();
  });

  test('the table: voters, observers, high watermark, max follower lag', async () => {
    const result = await home.run(['status', '--endpoints', endpoints]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /\(kraft\): leader 3002 at term 2, quorum margin 1 \(3\/3 voters reachable, majority 2\)/,
    );
    assert.match(
      result.stdout,
      /high watermark 4242, max follower lag 5, max follower lag ms 1800/,
    );
    assert.match(result.stdout, /^3001\s+127\.0\.0\.1:\d+\s+follower\s+-\s+995\s+5\s/m);
    assert.match(result.stdout, /^3002\s+127\.0\.0\.1:\d+\s+leader\s+2\s+1000\s+0\s/m);
    assert.match(result.stdout, /^1\s+-\s+observer\s/m);
    assert.match(result.stdout, /^2\s+-\s+observer\s/m);
    assert.match(result.stdout, /LAST FETCH MS AGO/);
  });

  test('status -o json matches the published schema', async () => {
    const result = await home.run(['status', '--endpoints', endpoints, '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const document = JSON.parse(result.stdout) as StatusDocument;
    assert.equal(document.apiVersion, 'quorumctl/v1');
    assert.equal(document.kind, 'ClusterStatus');
    assertValidClusterStatus(document.result);
    assert.equal(document.result.kind, 'kraft');
    assert.equal(document.result.leaderId, '3002');
    assert.equal(document.result.clusterId, cluster.state.clusterId);
    assert.deepEqual(document.result.attributes, {
      highWatermark: 4242,
      maxFollowerLag: 5,
      maxFollowerLagMs: 1800,
      kraftVersion: 1,
    });
    assert.deepEqual(
      document.result.members.map((m) => [m.id, m.role, m.voter]),
      [
        ['1', 'observer', false],
        ['2', 'observer', false],
        ['3000', 'follower', true],
        ['3001', 'follower', true],
        ['3002', 'leader', true],
      ],
    );
  });

  test('health is ok; with a voter down it is degraded (exit 1) and names it', async () => {
    const healthy = await home.run(['health', '--endpoints', endpoints]);
    assert.equal(healthy.code, 0, healthy.stdout + healthy.stderr);
    assert.match(healthy.stdout, /^OK: .*\(kraft\), quorum margin 1/);

    await cluster.controller(3001).stop();
    try {
      const status = await home.run([
        'status',
        '--endpoints',
        endpoints,
        '-o',
        'json',
        '--timeout',
        '1s',
      ]);
      assert.equal(status.code, 0, status.stderr);
      const document = JSON.parse(status.stdout) as StatusDocument;
      assertValidClusterStatus(document.result);
      const dead = document.result.members.find((m) => m.id === '3001');
      assert.equal(dead?.reachable, false);
      assert.equal(dead?.error?.code, 'ECONNREFUSED');
      assert.equal(document.result.quorum.quorumMargin, 0);

      const health = await home.run(['health', '--endpoints', endpoints]);
      assert.equal(health.code, 1);
      assert.match(health.stdout, /^DEGRADED: /);
      assert.match(health.stdout, /MEMBER_UNREACHABLE: 3001 /);
    } finally {
      await cluster.controller(3001).start();
    }
  });

  test('nothing listening: exit 3 with CLUSTER_UNREACHABLE and no stack trace', async () => {
    const lone = await FakeKraftCluster.start({ nodeIds: [1] });
    const address = lone.controller(1).address;
    await lone.stop();
    const result = await home.run([
      'status',
      '--endpoints',
      `kraft://${address}`,
      '--timeout',
      '1s',
    ]);
    assert.equal(result.code, 3);
    assert.match(result.stderr, /^Error \(CLUSTER_UNREACHABLE\): cannot reach KRaft cluster/);
    assert.match(result.stderr, /connection refused/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});
