// What operators read: the progress line (bytes, rate, ETA) and the list with leftovers apart.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BackupManifest } from '../../core/backup/manifest.js';
import { formatProgress } from '../../cli/render/backup-command.js';
import { renderListing, renderVerify } from '../../cli/render/backup.js';
import type { VerifyReport } from '../../ops/backup.js';
import { expectGolden } from '../support/golden.js';

const MIB = 1024 * 1024;

function manifest(name: string, overrides: Partial<BackupManifest> = {}): BackupManifest {
  return {
    apiVersion: 'quorumctl/v1',
    kind: 'BackupManifest',
    name,
    cluster: 'prod',
    systemKind: 'etcd',
    format: 'etcd-snapshot',
    member: 'm2',
    position: { revision: 10_042 },
    dataFile: `${name}.db`,
    sizeBytes: 512 * MIB,
    sha256: 'ab'.repeat(32),
    startedAt: '2026-11-29T05:38:00.123Z',
    finishedAt: '2026-11-29T05:38:06.623Z',
    toolVersion: '0.1.0',
    ...overrides,
  };
}

describe('backup rendering', () => {
  test('progress: bytes of total, rate, ETA', () => {
    assert.equal(
      formatProgress({ bytesWritten: 100 * MIB, totalBytes: 400 * MIB, elapsedMs: 2000 }),
      'backup 100 MiB / 400 MiB (25%)  50 MiB/s  ETA 6 s',
    );
    assert.equal(
      formatProgress({ bytesWritten: 3 * MIB, elapsedMs: 1000 }),
      'backup 3.0 MiB  3.0 MiB/s',
    );
  });

  test('list: verified states and incomplete leftovers apart (golden)', () => {
    expectGolden(
      'backup-list.txt',
      renderListing({
        destination: '/var/backups/etcd',
        backups: [
          manifest('prod-20261129T060000Z', {
            startedAt: '2026-11-29T06:00:00.001Z',
            finishedAt: '2026-11-29T06:00:07.501Z',
            verification: {
              verifiedAt: '2026-11-29T06:05:00Z',
              integrity: 'ok',
              restoreTest: 'ok',
              restoreMs: 1840,
            },
          }),
          manifest('prod-20261129T053800Z', {
            verification: {
              verifiedAt: '2026-11-29T06:05:00Z',
              integrity: 'failed',
              problem: 'SHA-256 mismatch',
            },
          }),
          manifest('prod-20261129T050000Z', { startedAt: '2026-11-29T05:00:00.000Z' }),
        ],
        incomplete: [
          {
            entry: 'prod-20261129T070000Z.part',
            why: 'data never completed (interrupted, failed, or still running)',
          },
        ],
      }),
    );
  });

  test('verify failure names the check that failed', () => {
    const report: VerifyReport = {
      backup: 'prod-20261129T053800Z',
      cluster: 'prod',
      systemKind: 'etcd',
      ok: false,
      verification: {
        verifiedAt: '2026-11-29T06:05:00Z',
        integrity: 'failed',
        problem: 'SHA-256 mismatch: the data hashes to 00, the manifest recorded ab',
      },
      sha256: { recorded: 'ab', actual: '00' },
      sizeBytes: { recorded: 10, actual: 10 },
      structure: { ok: true, facts: { revision: 7 } },
      notes: [],
    };
    const text = renderVerify(report);
    assert.match(text, /^sha256 +00 +FAILED$/m);
    assert.match(text, /^size .* ok$/m);
    assert.match(text, /^FAILED: SHA-256 mismatch/m);
  });
});
