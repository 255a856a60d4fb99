// Acceptance (issue 7) through the real CLI against real etcd: a rolling defrag of a 3-member
// sandbox with churned data under a concurrent writer (zero failed writes, the leader last and
// only after leadership moved, every file shrinks), the quorum guard with a member stopped
// (exit 4), and NOSPACE: a small quota filled until the alarm fires, then recover nospace.
// 200 MiB are churned (about 17 s on a loaded 2-core machine); QUORUMCTL_DEFRAG_CHURN_MIB=64
// makes a quicker local run.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AuditRecord } from '../../core/maintenance/audit.js';
import type { MaintenancePlan, MaintenanceReport } from '../../core/maintenance/plan.js';
import type { SandboxRecord } from '../../sandbox/index.js';
import { compact, currentRevision } from '../support/backup-etcd-load.js';
import { createCliHome, type CliHome } from '../support/cli.js';
import { startEtcdWriter } from '../support/etcd-writer.js';
import { startStandaloneEtcd, type StandaloneEtcd } from '../support/standalone-etcd.js';

const MIB = 2 ** 20;
const CHURN_MIB = Number(process.env.QUORUMCTL_DEFRAG_CHURN_MIB ?? 200);
/** What stays live: each defragment copies it, so the member blocks for a noticeable time. */
const LIVE_MIB = 24;

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64');

async function post(endpoint: string, path: string, body: unknown, timeoutMs = 30_000) {
  const response = await fetch(`${endpoint}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${text.slice(0, 200)}`);
  return text;
}

/**
 * Writes CHURN_MIB values of 1 MiB (8 in flight, spread over the members), deletes all but
 * LIVE_MIB of them and compacts: a large backend file that is mostly free pages.
 */
async function churn(endpoints: readonly string[]): Promise<void> {
  const value = Buffer.alloc(MIB);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let index = next++; index < CHURN_MIB; index = next++) {
        const copy = Buffer.from(value);
        copy.writeUInt32LE(index, 0);
        await post(endpoints[index % endpoints.length]!, '/v3/kv/put', {
          key: b64(`churn/${String(index).padStart(4, '0')}`),
          value: b64(copy),
        });
      }
    }),
  );
  const endpoint = endpoints[0]!;
  await post(endpoint, '/v3/kv/deleterange', {
    key: b64(`churn/${String(LIVE_MIB).padStart(4, '0')}`),
    range_end: b64('churn0'),
  });
  await compact(endpoint, await currentRevision(endpoint));
  // bbolt hands the freed pages to its freelist at the next commit.
  await post(endpoint, '/v3/kv/put', { key: b64('after-compaction'), value: b64('x') });
}

interface Envelope<T> {
  kind: string;
  status: number;
  result: T;
}

describe('quorumctl defrag against a 3-member etcd sandbox', { timeout: 240_000 }, () => {
  let home: CliHome;
  let sandbox: SandboxRecord;
  const cluster = ['-c', 'sandbox-dfg'];

  before(async () => {
    home = await createCliHome();
    sandbox = await home.sandboxUp('dfg', ['--members', '3']);
    const started = performance.now();
    await churn(sandbox.endpoints);
    process.stderr.write(
      `churned ${CHURN_MIB} MiB (${LIVE_MIB} MiB live) in ${Math.round(performance.now() - started)} ms\n`,
    );
  });

  after(async () => {
    await home?.cleanup();
  });

  test('--dry-run prints the plan: followers, move-leader, the leader last; nothing runs', async () => {
    const result = await home.run(['defrag', ...cluster, '--rolling', '--dry-run', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const document = JSON.parse(result.stdout) as Envelope<MaintenancePlan>;
    assert.equal(document.kind, 'MaintenancePlan');
    const actions = document.result.steps.map((step) => step.action);
    assert.deepEqual(actions, [
      'defragment',
      'wait-healthy',
      'defragment',
      'wait-healthy',
      'move-leader',
      'defragment',
      'wait-healthy',
    ]);
    const leader = document.result.steps[4]!.member;
    assert.equal(document.result.steps[5]!.member, leader);
    assert.equal(document.result.steps[0]!.quorumAfter.healthyVoters, 2);
  });

  test('without a terminal and without --yes nothing changes (exit 2)', async () => {
    const result = await home.run(['defrag', ...cluster, '--rolling']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /CONFIRMATION_REQUIRED/);
  });

  test('rolling defrag under a concurrent writer: no write error, leader last after the move, files shrink', async () => {
    const writer = startEtcdWriter(() => sandbox.endpoints);
    const started = performance.now();
    const result = await home
      .run(['defrag', ...cluster, '--rolling', '--yes', '--no-backup', '-o', 'json'], {
        timeoutMs: 150_000,
      })
      .finally(() => writer.stop());
    const written = await writer.stop();
    const tookMs = Math.round(performance.now() - started);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      written.errors,
      [],
      `${written.errors.length} writes failed: ${written.errors.slice(0, 3).join(' | ')}`,
    );
    assert.ok(written.ok > 20, `only ${written.ok} writes went through`);

    const report = (JSON.parse(result.stdout) as Envelope<MaintenanceReport>).result;
    assert.equal(report.result, 'succeeded');
    const outcome = (index: number) => report.outcomes.find((o) => o.index === index)!;
    const move = report.plan.steps.find((step) => step.action === 'move-leader')!;
    const formerLeader = move.member!;
    assert.equal(outcome(move.index).status, 'done');
    assert.equal(outcome(move.index).details?.from, formerLeader);
    assert.notEqual(outcome(move.index).details?.to, formerLeader);

    const defrags = report.plan.steps.filter((step) => step.action === 'defragment');
    assert.deepEqual(
      defrags.map((step) => step.member).sort(),
      sandbox.members.map((member) => member.name).sort(),
      'the report lists every member',
    );
    const last = defrags.at(-1)!;
    assert.equal(last.member, formerLeader, 'the leader is defragmented last');
    assert.ok(last.index > move.index, 'and only after leadership moved');
    assert.notEqual(outcome(last.index).details?.leaderAtStart, formerLeader);
    const lines: string[] = [];
    for (const step of defrags) {
      const details = outcome(step.index).details!;
      const before = Number(details.dbSizeBeforeBytes);
      const after = Number(details.dbSizeAfterBytes);
      assert.ok(before > (CHURN_MIB / 2) * MIB, `${step.member} was ${before} bytes`);
      assert.ok(after < before / 2, `${step.member}: ${before} -> ${after} bytes`);
      lines.push(
        `${step.member} ${(before / MIB).toFixed(1)} -> ${(after / MIB).toFixed(1)} MiB in ${details.defragMs} ms`,
      );
    }
    process.stderr.write(
      `rolling defrag took ${tookMs} ms; ${lines.join('; ')}; writer: ${written.ok} puts, 0 failed, ${written.retried.length} retried after a transient error${written.retried.length === 0 ? '' : ` (${[...new Set(written.retried)].join('; ')})`}, slowest ${Math.round(written.maxLatencyMs)} ms\n`,
    );

    const audit = (await readFile(join(home.stateDir, 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditRecord);
    const record = audit.at(-1)!;
    assert.equal(record.report.plan.operation, 'defrag');
    assert.equal(record.report.result, 'succeeded');
    assert.deepEqual(record.argv.slice(0, 2), ['defrag', '-c']);
  });

  test('with a member stopped, a rolling defrag is refused with the arithmetic (exit 4)', async () => {
    const stopped = sandbox.members.at(-1)!;
    process.kill(stopped.pid, 'SIGSTOP');
    try {
      const result = await home.run([
        'defrag',
        ...cluster,
        '--rolling',
        '--dry-run',
        '--timeout',
        '700ms',
      ]);
      assert.equal(result.code, 4, result.stderr);
      assert.match(result.stderr, /leaves 1 of 3 healthy voters; majority of 3 is 2/);
    } finally {
      process.kill(stopped.pid, 'SIGCONT');
    }
  });
});

describe(
  'NOSPACE: alarms and recover nospace on a single etcd with a small quota',
  { timeout: 120_000 },
  () => {
    let home: CliHome;
    let etcd: StandaloneEtcd;
    let endpoint: string;

    before(async () => {
      home = await createCliHome();
      etcd = await startStandaloneEtcd({
        extraArgs: ['--quota-backend-bytes', String(8 * MIB)],
      });
      endpoint = `etcd://${etcd.clientUrl.replace('http://', '')}`;
    });

    after(async () => {
      await etcd?.stop();
      await home?.cleanup();
    });

    test('fill until NOSPACE; alarms list names it; recover nospace makes writes work again', async () => {
      // Overwriting one key: the history fills the quota, which compaction can return.
      const value = Buffer.alloc(384 * 1024);
      let full = false;
      for (let index = 0; index < 100 && !full; index += 1) {
        value.writeUInt32LE(index, 0);
        const response = await fetch(`${etcd.clientUrl}/v3/kv/put`, {
          method: 'POST',
          body: JSON.stringify({ key: b64('history'), value: b64(value) }),
        });
        full = (await response.text()).includes('database space exceeded');
      }
      assert.ok(full, 'the quota fills up');

      const listed = await home.run(['alarms', 'list', '-e', endpoint, '-o', 'json']);
      assert.equal(listed.code, 0, listed.stderr);
      const alarms = (
        JSON.parse(listed.stdout) as Envelope<{ alarms: { member: string; alarm: string }[] }>
      ).result.alarms;
      assert.deepEqual(
        alarms.map((alarm) => `${alarm.member} ${alarm.alarm}`),
        ['s1 NOSPACE'],
      );

      const dryRun = await home.run(['alarms', 'disarm', '-e', endpoint, '--dry-run']);
      assert.equal(dryRun.code, 0, dryRun.stderr);
      assert.match(dryRun.stdout, /disarm NOSPACE raised by s1/);

      const recovered = await home.run(
        ['recover', 'nospace', '-e', endpoint, '--yes', '--no-backup', '-o', 'json'],
        { timeoutMs: 60_000 },
      );
      assert.equal(recovered.code, 0, recovered.stderr);
      const report = (JSON.parse(recovered.stdout) as Envelope<MaintenanceReport>).result;
      assert.equal(report.result, 'succeeded');
      assert.deepEqual(
        report.plan.steps.map((step) => step.action),
        ['compact', 'defragment', 'wait-healthy', 'disarm-alarm', 'verify-writes'],
      );
      assert.ok(report.outcomes.every((outcome) => outcome.status === 'done'));

      const put = await fetch(`${etcd.clientUrl}/v3/kv/put`, {
        method: 'POST',
        body: JSON.stringify({ key: b64('after'), value: b64('works') }),
      });
      assert.equal(put.status, 200, await put.text());
      const after = await home.run(['alarms', 'list', '-e', endpoint]);
      assert.match(after.stdout, /No alarms raised/);
    });

    test('a mutating command takes the safety backup first and names it in the report', async () => {
      const dest = join(home.dir, 'safety');
      const result = await home.run(
        ['defrag', '-e', endpoint, '--member', 's1', '--yes', '--backup-dest', dest, '-o', 'json'],
        { timeoutMs: 60_000 },
      );
      assert.equal(result.code, 0, result.stderr);
      const report = (JSON.parse(result.stdout) as Envelope<MaintenanceReport>).result;
      assert.ok(report.safetyBackup !== undefined, 'the report names the safety backup');
      assert.ok((await readdir(dest)).some((entry) => entry.startsWith(report.safetyBackup!)));
      assert.ok(report.plan.risks.some((risk) => risk.code === 'SINGLE_VOTER_UNAVAILABLE'));
    });
  },
);
