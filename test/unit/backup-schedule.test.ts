// Scheduling pieces: retention specs, cron validation, the state file the agent reads, the
// single-instance lock, and the Kubernetes CronJob.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { kubernetesCronJob } from '../../core/backup/kubernetes.js';
import { formatRetention, parseRetentionSpec } from '../../core/backup/retention-spec.js';
import {
  backupAgeSeconds,
  parseScheduleState,
  scheduleStateFileName,
} from '../../core/backup/schedule-state.js';
import type { CreatedBackup } from '../../ops/backup.js';
import { acquireLock, nextCronRun, recordAttempt } from '../../ops/backup/schedule.js';
import { UnreachableError } from '../../core/errors.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'quorumctl-schedule-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('retention specs', () => {
  test('parse and format', () => {
    const policy = parseRetentionSpec('last=24, daily=7,weekly=4');
    assert.deepEqual(policy, { last: 24, hourly: 0, daily: 7, weekly: 4, monthly: 0 });
    assert.equal(formatRetention(policy), 'last=24,daily=7,weekly=4');
  });

  test('unknown buckets and keeping nothing are usage errors', () => {
    assert.throws(() => parseRetentionSpec('yearly=3'), { code: 'RETENTION_INVALID' });
    assert.throws(() => parseRetentionSpec('last=x'), { code: 'RETENTION_INVALID' });
    assert.throws(() => parseRetentionSpec('last=0'), { code: 'RETENTION_EMPTY' });
  });
});

describe('cron', () => {
  test('next run in UTC; invalid expressions are usage errors', () => {
    assert.equal(
      nextCronRun('0 * * * *', new Date('2026-11-29T05:38:00Z')).toISOString(),
      '2026-11-29T06:00:00.000Z',
    );
    assert.throws(() => nextCronRun('every hour'), { code: 'CRON_INVALID' });
    assert.throws(
      () => nextCronRun('0 0 31 2 *'),
      (error: { code?: string }) => ['CRON_NEVER', 'CRON_INVALID'].includes(error.code ?? ''),
    );
  });
});

describe('state file', () => {
  const created = {
    manifest: {
      name: 'prod-20261129T060000Z',
      finishedAt: '2026-11-29T06:00:05.000Z',
      sizeBytes: 1234,
    },
    durationMs: 5000,
    notes: [],
    bytesPerSecond: 1,
  } as unknown as CreatedBackup;
  const target = { name: 'prod', kind: 'etcd' as const };

  test('success, failure, success: failures counted and cleared, age from the last success', async () => {
    const file = join(dir, scheduleStateFileName('prod').replace('/', '-'));
    await recordAttempt(file, {
      target,
      destination: '/backups',
      startedAt: new Date('2026-11-29T06:00:00Z'),
      outcome: { created },
    });
    const failed = await recordAttempt(file, {
      target,
      destination: '/backups',
      startedAt: new Date('2026-11-29T07:00:00Z'),
      outcome: { failure: new UnreachableError('CLUSTER_UNREACHABLE', 'nobody answered') },
      cron: '0 * * * *',
    });
    assert.equal(failed.consecutiveFailures, 1);
    assert.equal(failed.lastSuccessAt, '2026-11-29T06:00:05.000Z');
    assert.equal(failed.lastSuccessUnixSeconds, Date.parse('2026-11-29T06:00:05Z') / 1000);
    assert.deepEqual(
      { code: failed.lastError?.code, message: failed.lastError?.message },
      { code: 'CLUSTER_UNREACHABLE', message: 'nobody answered' },
    );
    const parsed = parseScheduleState(await readFile(file, 'utf8'));
    assert.ok(parsed !== undefined);
    assert.equal(backupAgeSeconds(parsed, new Date('2026-11-29T07:00:05Z')), 3600);
    const again = await recordAttempt(file, {
      target,
      destination: '/backups',
      startedAt: new Date('2026-11-29T08:00:00Z'),
      outcome: { created },
    });
    assert.equal(again.consecutiveFailures, 0);
    assert.equal(again.lastError, undefined);
    assert.equal(again.cron, '0 * * * *');
  });

  test('readers never crash on something else', () => {
    assert.equal(parseScheduleState('not json'), undefined);
    assert.equal(parseScheduleState('{"kind":"Other"}'), undefined);
    assert.equal(scheduleStateFileName('sandbox/demo'), 'backup-schedule/sandbox_demo.json');
  });
});

describe('lock', () => {
  test('one holder; a stale lock of a dead PID is taken over', async () => {
    const lockFile = join(dir, 'schedule.lock');
    const lock = await acquireLock(lockFile);
    await assert.rejects(acquireLock(lockFile), { code: 'SCHEDULE_RUNNING' });
    await lock.release();
    await writeFile(lockFile, '999999999\n'); // no such process
    const taken = await acquireLock(lockFile);
    assert.equal((await readFile(lockFile, 'utf8')).trim(), String(process.pid));
    await taken.release();
  });
});

describe('kubernetesCronJob', () => {
  test('ServiceAccount and CronJob: Forbid, secrets by reference, backups on the claim', () => {
    const [account, cronJob] = kubernetesCronJob({
      cluster: 'etcd+https://etcd-0.etcd:2379',
      kind: 'etcd',
      endpoints: ['https://etcd-0.etcd:2379'],
      cron: '0 * * * *',
      retain: { last: 24, hourly: 0, daily: 7, weekly: 0, monthly: 0 },
      image: 'quorumctl:0.1.0',
      backupClaim: 'etcd-backups',
      tlsSecret: 'etcd-client-tls',
      passwordSecret: { name: 'etcd-root', key: 'password' },
      user: 'root',
      namespace: 'kube-system',
    }) as [Record<string, never>, Record<string, never>];
    assert.equal(account.kind, 'ServiceAccount');
    assert.equal(account.automountServiceAccountToken, false);
    const text = JSON.stringify(cronJob);
    const spec = (cronJob as unknown as { spec: { concurrencyPolicy: string; schedule: string } })
      .spec;
    assert.equal(spec.concurrencyPolicy, 'Forbid');
    assert.equal(spec.schedule, '0 * * * *');
    assert.equal(
      (cronJob as unknown as { metadata: { name: string } }).metadata.name,
      'quorumctl-backup-etcd-0-etcd-2379',
    );
    assert.match(text, /"secretName":"etcd-client-tls"/);
    assert.match(text, /"secretKeyRef":\{"name":"etcd-root","key":"password"\}/);
    assert.match(text, /"claimName":"etcd-backups"/);
    assert.match(text, /"--retain","last=24,daily=7"/);
    assert.doesNotMatch(text, /BEGIN|PRIVATE KEY/);
  });
});
