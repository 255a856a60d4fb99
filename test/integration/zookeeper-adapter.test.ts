// The ZooKeeper adapter and data client against a live 3-server sandbox: discovery, leader failover, no quorum, znode reads.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ClusterStatus, MemberStatus } from '../../core/model.js';
import { sandboxDown, sandboxUp, stopMember, type SandboxRecord } from '../../sandbox/index.js';
import { connect } from '../../systems/zookeeper/adapter.js';
import { ZooKeeperDataClient } from '../../systems/zookeeper/client.js';

/** ZooKeeper failover takes about 3 s with the sandbox's 500 ms tick; allow a generous margin. */
const FAILOVER_BUDGET_MS = 15_000;

function statusOf(endpoints: string[], monitorUrls?: string[]): Promise<ClusterStatus> {
  return connect(
    {
      name: 'zk',
      kind: 'zookeeper',
      endpoints,
      ...(monitorUrls !== undefined && { monitorUrls }),
    },
    { timeoutMs: 2000 },
  ).status();
}

function leaderOf(status: ClusterStatus): MemberStatus | undefined {
  return status.members.find((member) => member.id === status.leaderId);
}

async function waitFor(
  what: string,
  read: () => Promise<ClusterStatus>,
  done: (status: ClusterStatus) => boolean,
): Promise<{ status: ClusterStatus; elapsedMs: number }> {
  const started = Date.now();
  let last: ClusterStatus | undefined;
  while (Date.now() - started < FAILOVER_BUDGET_MS) {
    last = await read().catch(() => undefined);
    if (last !== undefined && done(last)) return { status: last, elapsedMs: Date.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`${what} within ${FAILOVER_BUDGET_MS} ms; last status: ${JSON.stringify(last)}`);
}

describe('ZooKeeper adapter against a live 3-server sandbox', { timeout: 90_000 }, () => {
  let stateDir: string;
  let record: SandboxRecord;
  /** Sandbox member name (n1..n3) by the endpoint the adapter shows (tcp://127.0.0.1:PORT). */
  const sandboxNameOf = (endpoint: string) =>
    record.members.find((member) => member.clientUrl === endpoint)?.name;

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-zk-test-'));
    record = await sandboxUp({ stateDir, name: 'zk', kind: 'zookeeper' });
  });
  // Runs even when an assertion failed half-way: no server may outlive the tests.
  after(async () => {
    await sandboxDown(stateDir, 'zk', { graceMs: 500 }).catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  });

  test('one endpoint is enough: one leader, three voters, the epoch as term, leader-only facts', async () => {
    const status = await statusOf([record.endpoints[0] ?? '']);
    assert.deepEqual(
      status.members.map((member) => member.endpoint).sort(),
      [...record.endpoints].sort(),
      'every server found through conf',
    );
    assert.deepEqual(
      status.members.map((member) => member.name),
      ['server.1', 'server.2', 'server.3'],
    );
    assert.equal(status.members.filter((member) => member.role === 'leader').length, 1);
    assert.equal(status.members.filter((member) => member.role === 'follower').length, 2);
    assert.ok(status.members.every((member) => member.voter && member.reachable));
    assert.equal(status.quorum.voters, 3);
    assert.equal(status.quorum.quorumMargin, 1);
    const leader = leaderOf(status);
    assert.ok(leader !== undefined);
    assert.ok((status.term ?? 0) >= 1, `term ${status.term}`);
    assert.equal(status.term, leader.term);
    // epoch = zxid >> 32, and the index is the zxid itself.
    const zxid = BigInt(String(leader.attributes?.zxid));
    assert.equal(leader.term, Number(zxid >> 32n));
    assert.equal(leader.commitIndex, Number(zxid));
    for (const member of status.members) {
      assert.equal(member.version, '3.8.0');
      assert.ok((member.dbSizeBytes ?? 0) > 0, `${member.name} approximate data size`);
      assert.ok(Number(member.attributes?.znodeCount) >= 5, `${member.name} znode count`);
      assert.equal(member.lagEntries, 0);
    }
    assert.equal(status.attributes?.syncedFollowers, 2);
    assert.equal(status.attributes?.pendingSyncs, 0);
    assert.equal(status.attributes?.learners, 2);
    assert.match(String(status.attributes?.configVersion), /^0x[0-9a-f]+$/);
  });

  test('the client writes and reads znodes, and /zookeeper/config names every server', async () => {
    const client = await ZooKeeperDataClient.connect(record.endpoints, { timeoutMs: 3000 });
    try {
      const payload = Buffer.from(`written at ${new Date().toISOString()}`);
      assert.equal(await client.create('/quorumctl-test', Buffer.alloc(0)), '/quorumctl-test');
      await client.create('/quorumctl-test/a', payload);
      await client.create('/quorumctl-test/b', Buffer.from('b'));
      assert.deepEqual((await client.getChildren('/quorumctl-test')).sort(), ['a', 'b']);
      const znode = await client.getData('/quorumctl-test/a');
      assert.deepEqual(znode.data, payload);
      assert.equal(znode.stat.dataLength, payload.length);
      assert.equal(znode.stat.version, 0);
      assert.match(znode.stat.createdZxid, /^0x[0-9a-f]+$/);
      assert.ok(Date.now() - Date.parse(znode.stat.createdAt) < 60_000, znode.stat.createdAt);
      assert.deepEqual(znode.acl, [
        {
          scheme: 'world',
          id: 'anyone',
          permissions: ['READ', 'WRITE', 'CREATE', 'DELETE', 'ADMIN'],
        },
      ]);
      await assert.rejects(client.getData('/quorumctl-test/missing'), { code: 'NO_NODE' });

      const { membership } = await client.readConfig();
      assert.deepEqual(
        membership.servers.map((server) => `tcp://${server.clientHost}:${server.clientPort}`),
        record.endpoints,
      );
    } finally {
      await client.close();
    }
    // The writes moved every server's zxid on, and nobody lags once they are applied.
    const status = await statusOf(record.endpoints);
    assert.ok(status.members.every((member) => Number(member.attributes?.znodeCount) >= 8));
  });

  test('leader stopped: a new leader within the budget, the stopped one unreachable with the reason', async () => {
    const before = await statusOf(record.endpoints);
    const oldLeader = leaderOf(before);
    assert.ok(oldLeader !== undefined);
    await stopMember(stateDir, 'zk', sandboxNameOf(oldLeader.endpoint) ?? '', 'SIGKILL');

    const { status, elapsedMs } = await waitFor(
      'a new leader',
      () => statusOf(record.endpoints),
      (candidate) => candidate.leaderId !== undefined && candidate.leaderId !== oldLeader.id,
    );
    const newLeader = leaderOf(status);
    assert.ok(newLeader !== undefined);
    assert.ok((newLeader.term ?? 0) > (oldLeader.term ?? 0), 'a new epoch');
    const stopped = status.members.find((member) => member.id === oldLeader.id);
    assert.equal(stopped?.reachable, false);
    assert.equal(stopped?.voter, true);
    assert.equal(stopped?.error?.code, 'ECONNREFUSED');
    assert.match(stopped?.error?.message ?? '', /connection refused/);
    assert.equal(status.quorum.quorumMargin, 0);
    // The follower's last transaction may still be from the old epoch: still no lag.
    const follower = status.members.find((member) => member.role === 'follower');
    assert.equal(follower?.lagEntries, 0);
    assert.equal(status.attributes?.syncedFollowers, 1);
    assert.ok(elapsedMs < FAILOVER_BUDGET_MS);

    // Any endpoint still finds every server, the stopped one included.
    const fromOne = await statusOf([newLeader.endpoint]);
    assert.equal(fromOne.members.length, 3);
    assert.equal(fromOne.leaderId, newLeader.id);
  });

  test('a second server stopped: no quorum, and the survivor answers as a candidate', async () => {
    const before = await statusOf(record.endpoints);
    const leader = leaderOf(before);
    assert.ok(leader !== undefined);
    await stopMember(stateDir, 'zk', sandboxNameOf(leader.endpoint) ?? '', 'SIGKILL');

    const { status } = await waitFor(
      'the survivor to stop serving',
      () => statusOf(record.endpoints),
      (candidate) => candidate.members.some((member) => member.role === 'candidate'),
    );
    const survivor = status.members.find((member) => member.reachable);
    assert.equal(survivor?.role, 'candidate');
    assert.equal(survivor.voter, true);
    assert.match(survivor.reportedErrors?.join() ?? '', /not currently serving requests/);
    assert.equal(status.leaderId, undefined);
    assert.equal(status.quorum.hasQuorum, false);
    assert.equal(status.quorum.voters, 3);
    assert.equal(status.members.filter((member) => !member.reachable).length, 2);
  });
});
