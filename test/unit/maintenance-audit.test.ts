import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { redactArgv, type AuditRecord } from '../../core/maintenance/audit.js';
import {
  appendAuditRecord,
  auditLogPath,
  readAuditRecords,
} from '../../ops/maintenance/audit-log.js';

function record(operation: string): AuditRecord {
  return {
    at: '2026-11-29T09:00:00.000Z',
    user: 'op',
    host: 'h',
    argv: ['defrag', '--rolling'],
    cluster: 'prod',
    report: {
      plan: { operation, cluster: 'prod', kind: 'etcd', preconditions: [], steps: [], risks: [] },
      dryRun: false,
      outcomes: [],
      result: 'succeeded',
    },
  };
}

describe('audit records', () => {
  const dirs: string[] = [];
  after(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('redacts secret flag values in both spellings and keeps everything else', () => {
    assert.deepEqual(
      redactArgv(['members', 'remove', 'n2', '--password', 's3cret', '--token=abc', '--yes']),
      ['members', 'remove', 'n2', '--password', '***', '--token=***', '--yes'],
    );
  });

  it('appends one JSON line per record and reads them back in order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qctl-audit-'));
    dirs.push(dir);
    await appendAuditRecord(dir, record('defrag'));
    await appendAuditRecord(dir, record('members remove'));
    const lines = (await readFile(auditLogPath(dir), 'utf8')).trim().split('\n');
    assert.equal(lines.length, 2);
    assert.deepEqual(
      (await readAuditRecords(dir)).map((r) => r.report.plan.operation),
      ['defrag', 'members remove'],
    );
  });

  it('skips a torn last line left by a crash and reads an absent log as empty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qctl-audit-'));
    dirs.push(dir);
    assert.deepEqual(await readAuditRecords(dir), []);
    await appendAuditRecord(dir, record('defrag'));
    await appendFile(auditLogPath(dir), '{"at":"2026-11-29T09:0');
    assert.equal((await readAuditRecords(dir)).length, 1);
  });
});
