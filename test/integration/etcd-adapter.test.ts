// The etcd adapter against a real sandbox: member discovery from one endpoint, learners, TLS-free auth-free path.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assessHealth } from '../../core/health.js';
import { sandboxDown, sandboxUp, type SandboxRecord } from '../../sandbox/index.js';
import { connect } from '../../systems/etcd/adapter.js';

describe('etcd adapter against a real 3-member sandbox', { timeout: 120_000 }, () => {
  let stateDir: string;
  let record: SandboxRecord;

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-it-'));
    record = await sandboxUp({ stateDir, name: 'adapter', kind: 'etcd', members: 3 });
  });

  after(async () => {
    await sandboxDown(stateDir, 'adapter', { graceMs: 1000 }).catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  });

  test('one endpoint is enough: every member is found through the member list', async () => {
    const adapter = connect(
      { name: 'adapter', kind: 'etcd', endpoints: [record.endpoints[0]!] },
      { timeoutMs: 2000 },
    );
    const status = await adapter.status();
    assert.equal(status.members.length, 3);
    assert.deepEqual(
      status.members.map((member) => member.name),
      ['n1', 'n2', 'n3'],
    );
    assert.ok(
      status.members.every((member) => member.reachable && member.version === record.version),
    );
    assert.match(status.clusterId ?? '', /^\d+$/);
    const leaders = status.members.filter((member) => member.role === 'leader');
    assert.equal(leaders.length, 1);
    assert.equal(status.leaderId, leaders[0]!.id);
    assert.ok(status.members.every((member) => member.leaderId === status.leaderId));
    assert.ok(
      status.members.every((member) => member.lagEntries !== undefined && member.lagEntries >= 0),
    );
  });

  test('a learner is listed but never counted as a voter', async () => {
    // etcd refuses membership changes ("unhealthy cluster", HTTP 503) until its members
    // have been connected for a few seconds: retry within a deadline.
    const deadline = Date.now() + 20_000;
    let response: Response;
    do {
      response = await fetch(`${record.endpoints[0]!}/v3/cluster/member/add`, {
        method: 'POST',
        body: JSON.stringify({ peerURLs: ['http://127.0.0.1:31999'], isLearner: true }),
      });
      if (response.status === 503) await new Promise((resolve) => setTimeout(resolve, 500));
    } while (response.status === 503 && Date.now() < deadline);
    assert.equal(response.status, 200, await response.text());
    const adapter = connect(
      { name: 'adapter', kind: 'etcd', endpoints: record.endpoints },
      { timeoutMs: 2000 },
    );
    const status = await adapter.status();
    assert.equal(status.members.length, 4);
    const learner = status.members.find((member) => !member.voter);
    assert.equal(learner?.role, 'learner');
    assert.equal(learner?.error?.code, 'NOT_STARTED');
    assert.equal(status.quorum.voters, 3);
    assert.equal(status.quorum.quorumMargin, 1);
    const health = assessHealth(status);
    assert.equal(health.verdict, 'degraded');
    assert.ok(
      health.reasons.some(
        (reason) => reason.code === 'MEMBER_UNREACHABLE' && reason.memberId === learner?.id,
      ),
    );
  });

  test('a per-call timeout bounds a member that never answers', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket)); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const endpoints = [`http://127.0.0.1:${port}`, record.endpoints[1]!];
      const adapter = connect({ name: 'mixed', kind: 'etcd', endpoints }, { timeoutMs: 500 });
      const started = Date.now();
      const status = await adapter.status();
      assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
      assert.equal(status.quorum.voters, 3);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
