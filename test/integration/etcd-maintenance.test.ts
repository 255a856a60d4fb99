// The etcd adapter's maintenance operations against a live 3-member sandbox: move-leader
// (picked and named), compact, defragment (the file shrinks), alarms, the write probe, and
// the defrag executor's guard when a member is down.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { QuorumctlError } from '../../core/errors.js';
import { planDefrag } from '../../core/maintenance/defrag-plan.js';
import type { ClusterAdapter } from '../../core/ports.js';
import { executeDefragPlan } from '../../ops/maintenance/defrag.js';
import { DEFAULT_HEALTH_GATE } from '../../ops/maintenance/health-gate.js';
import { exitCodeOf } from '../../ops/maintenance/plan-runner.js';
import { sandboxDown, sandboxTarget, sandboxUp, type SandboxRecord } from '../../sandbox/index.js';
import { connect } from '../../systems/etcd/adapter.js';
import { etcdWriteProbe } from '../../systems/etcd/maintenance.js';
import { deleteKey, putLargeValues } from '../support/backup-etcd-load.js';

const MIB = 2 ** 20;

describe('etcd maintenance operations (live sandbox)', { timeout: 120_000 }, () => {
  let stateDir: string;
  let sandbox: SandboxRecord;
  let adapter: ClusterAdapter;

  const leaderName = async () => {
    const status = await adapter.status();
    return status.members.find((member) => member.id === status.leaderId)?.name;
  };

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-it-maint-'));
    sandbox = await sandboxUp({ stateDir, name: 'maint', kind: 'etcd', members: 3 });
    adapter = connect(
      { name: 'maint', kind: 'etcd', ...sandboxTarget(sandbox) },
      { timeoutMs: 3000 },
    );
  });

  after(async () => {
    await adapter?.close();
    await sandboxDown(stateDir, 'maint', { graceMs: 1000 }).catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  });

  test('declares the maintenance capabilities', () => {
    for (const capability of ['defragment', 'alarms', 'transferLeader'] as const) {
      assert.ok(adapter.capabilities.has(capability), capability);
    }
  });

  test('move-leader without --to picks a healthy follower; with --to the named one', async () => {
    const before = await leaderName();
    const moved = await adapter.transferLeader!({});
    assert.equal(moved.from, before);
    assert.notEqual(moved.to, before);
    assert.equal(await leaderName(), moved.to);

    const status = await adapter.status();
    const target = status.members.find((member) => member.name === before)!;
    const back = await adapter.transferLeader!({
      to: { id: target.id, name: target.name, endpoint: target.endpoint },
    });
    assert.deepEqual(back, { from: moved.to, to: before });
    assert.equal(await leaderName(), before);

    await assert.rejects(
      adapter.transferLeader!({ to: { id: '1', name: 'nobody', endpoint: 'http://x' } }),
      (error: unknown) =>
        error instanceof QuorumctlError && error.code === 'NOT_A_LEADER_CANDIDATE',
    );
  });

  test('compact, then defragment one follower: its file shrinks, the others keep theirs', async () => {
    const endpoint = sandbox.endpoints[0]!;
    await putLargeValues(endpoint, 'churn/', 24, MIB);
    for (let index = 0; index < 24; index += 1) await deleteKey(endpoint, `churn/${index}`);
    const { revision } = await adapter.compact!();
    assert.ok(revision > 24);
    // Compacting again at the same revision is not an error.
    assert.equal((await adapter.compact!()).revision, revision);
    // bbolt returns the freed pages at the next commit.
    const probe = etcdWriteProbe(
      { name: 'maint', kind: 'etcd', endpoints: sandbox.endpoints },
      { timeoutMs: 3000 },
    );
    await probe.put('quorumctl/probe/commit', 'x');
    await probe.delete('quorumctl/probe/commit');

    const before = await adapter.status();
    const follower = before.members.find((member) => member.id !== before.leaderId)!;
    assert.ok(follower.dbSizeBytes! > 20 * MIB, `file is ${follower.dbSizeBytes} bytes`);
    await adapter.defragment!({
      id: follower.id,
      name: follower.name,
      endpoint: follower.endpoint,
    });
    const after = await adapter.status();
    const shrunk = after.members.find((member) => member.name === follower.name)!;
    assert.ok(shrunk.dbSizeBytes! < 2 * MIB, `after: ${shrunk.dbSizeBytes} bytes`);
    const untouched = after.members.find((member) => member.id === after.leaderId)!;
    assert.ok(untouched.dbSizeBytes! > 20 * MIB);
  });

  test('no alarms on a healthy cluster; disarming one that is not raised is harmless', async () => {
    assert.deepEqual(await adapter.listAlarms!(), []);
    const status = await adapter.status();
    await adapter.disarmAlarm!({ memberId: status.members[0]!.id, alarm: 'NOSPACE' });
    assert.deepEqual(await adapter.listAlarms!(), []);
  });

  test('with a member stopped, the rolling plan is refused and an old plan stops at the guard', async () => {
    const healthy = await adapter.status();
    const plan = planDefrag(healthy, { maxLagEntries: 1000 });
    // The last follower by name: the plan's first step is then a healthy one, refused by the guard.
    const follower = healthy.members
      .filter((member) => member.id !== healthy.leaderId)
      .sort((a, b) => a.name.localeCompare(b.name))
      .at(-1)!;
    const pid = sandbox.members.find((member) => member.name === follower.name)!.pid;
    // A stopped member answers nothing: a short timeout keeps each status read short.
    const quick = connect(
      { name: 'maint', kind: 'etcd', ...sandboxTarget(sandbox) },
      { timeoutMs: 700 },
    );
    process.kill(pid, 'SIGSTOP');
    try {
      const degraded = await quick.status();
      assert.throws(
        () => planDefrag(degraded, { maxLagEntries: 1000 }),
        /leaves 1 of 3 healthy voters; majority of 3 is 2/,
      );
      const run = await executeDefragPlan(
        quick,
        plan,
        { gate: DEFAULT_HEALTH_GATE, waitBetweenMs: 0 },
        { progress: { report: () => undefined } },
      );
      assert.equal(run.report.result, 'failed');
      assert.equal(run.failure?.code, 'DEFRAG_WOULD_LOSE_QUORUM');
      assert.equal(exitCodeOf(run), 4);
      assert.equal(run.report.outcomes.filter((outcome) => outcome.status === 'done').length, 0);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });
});
