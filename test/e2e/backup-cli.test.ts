// Acceptance (issue 6) through the real CLI against a real etcd: a backup SIGKILLed half-way
// through a large snapshot leaves nothing that looks complete and is not listed, the next
// run succeeds; Ctrl-C stops cleanly (exit 130); one changed byte fails verify (exit 1);
// prune and the restore plan; restore --execute into a sandbox that has moved on.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createCliHome, REPO_ROOT, type CliHome } from '../support/cli.js';
import { keyCount, putKeys, putLargeValues } from '../support/backup-etcd-load.js';
import { startStandaloneEtcd, type StandaloneEtcd } from '../support/standalone-etcd.js';

const BIN = join(REPO_ROOT, 'bin', 'quorumctl');
const MIB = 1024 * 1024;

interface Listing {
  result: {
    backups: { name: string; dataFile: string }[];
    incomplete: { entry: string; why: string }[];
  };
}

/** Starts `backup create` and sends `signal` once the .part file passes `bytes`. */
function createAndSignalAt(
  home: CliHome,
  args: string[],
  dest: string,
  bytes: number,
  signal: NodeJS.Signals,
  ignore: ReadonlySet<string> = new Set(),
): Promise<{
  code: number | null;
  signal: NodeJS.Signals | null;
  partBytes: number;
  stderr: string;
}> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['backup', 'create', ...args, '--dest', dest], {
      env: { ...process.env, QUORUMCTL_CONFIG: home.configPath, XDG_STATE_HOME: home.stateHome },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let partBytes = 0;
    let sent = false;
    const poll = setInterval(() => {
      void readdir(dest)
        .then(async (entries) => {
          const part = entries.find((entry) => entry.endsWith('.part') && !ignore.has(entry));
          if (part === undefined || sent) return;
          const size = (await stat(join(dest, part)).catch(() => undefined))?.size ?? 0;
          if (size >= bytes) {
            sent = true;
            partBytes = size;
            child.kill(signal);
          }
        })
        .catch(() => undefined);
    }, 5);
    child.on('error', reject);
    child.on('exit', (code, exitSignal) => {
      clearInterval(poll);
      resolve({ code, signal: exitSignal, partBytes, stderr });
    });
  });
}

describe('quorumctl backup against a real etcd', { timeout: 180_000 }, () => {
  let home: CliHome;
  let etcd: StandaloneEtcd;
  let dest: string;
  let endpoint: string;
  let snapshotBytes = 0;

  before(async () => {
    home = await createCliHome();
    dest = join(home.dir, 'backups');
    etcd = await startStandaloneEtcd({
      extraArgs: ['--quota-backend-bytes', String(2 * 1024 * MIB)],
    });
    endpoint = `etcd://${etcd.clientUrl.replace('http://', '')}`;
    // ~80 MiB of values: the snapshot takes long enough to be interrupted half-way.
    await putLargeValues(etcd.clientUrl, '/blobs/', 80, MIB);
    await putKeys(etcd.clientUrl, '/keys/', 500);
  });

  after(async () => {
    await etcd.stop();
    await home.cleanup();
  });

  test('SIGKILL half-way: no complete-looking file, not listed; the next run succeeds', async () => {
    const killed = await createAndSignalAt(home, ['-e', endpoint], dest, 30 * MIB, 'SIGKILL');
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    assert.ok(killed.partBytes >= 30 * MIB);
    const entries = await readdir(dest);
    assert.equal(entries.length, 1, entries.join(', '));
    assert.match(entries[0]!, /\.part$/);
    const listed = await home.run(['backup', 'list', '--dest', dest, '-o', 'json']);
    assert.equal(listed.code, 0, listed.stderr);
    const listing = JSON.parse(listed.stdout) as Listing;
    assert.deepEqual(listing.result.backups, []);
    assert.deepEqual(
      listing.result.incomplete.map((entry) => entry.entry),
      [entries[0]],
    );
    const table = await home.run(['backup', 'list', '--dest', dest]);
    assert.match(table.stdout, /no backups in/);
    assert.match(table.stdout, /INCOMPLETE[\s\S]*\.part +data never completed/);

    const next = await home.run(
      ['backup', 'create', '-e', endpoint, '--dest', dest, '-o', 'json'],
      {
        timeoutMs: 60_000,
      },
    );
    assert.equal(next.code, 0, next.stderr);
    const created = JSON.parse(next.stdout) as {
      result: { manifest: { name: string; sizeBytes: number; fingerprint: { keyCount: number } } };
    };
    snapshotBytes = created.result.manifest.sizeBytes;
    assert.ok(snapshotBytes > 70 * MIB);
    assert.equal(created.result.manifest.fingerprint.keyCount, 580);
    const after = JSON.parse(
      (await home.run(['backup', 'list', '--dest', dest, '-o', 'json'])).stdout,
    ) as Listing;
    assert.deepEqual(
      after.result.backups.map((backup) => backup.name),
      [created.result.manifest.name],
    );
    assert.equal(after.result.incomplete.length, 1); // the killed run's leftover, still apart
  });

  test('SIGINT half-way: exit 130 and nothing left behind', async () => {
    const before = new Set(await readdir(dest));
    const interrupted = await createAndSignalAt(
      home,
      ['-e', endpoint],
      dest,
      15 * MIB,
      'SIGINT',
      before,
    );
    assert.equal(interrupted.code, 130, interrupted.stderr);
    assert.match(interrupted.stderr, /BACKUP_INTERRUPTED/);
    assert.deepEqual(new Set(await readdir(dest)), before);
  });

  test('verify passes, then one changed byte fails with exit 1 and a clear message', async () => {
    const ok = await home.run(['backup', 'verify', '--dest', dest], { timeoutMs: 60_000 });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^VERIFIED$/m);
    const listing = JSON.parse(
      (await home.run(['backup', 'list', '--dest', dest, '-o', 'json'])).stdout,
    ) as Listing;
    const path = join(dest, listing.result.backups[0]!.dataFile);
    const data = await readFile(path);
    const third = Math.floor(data.length / 3);
    data[third] = data[third]! ^ 0x01;
    await writeFile(path, data);
    const failed = await home.run(['backup', 'verify', '--dest', dest], { timeoutMs: 60_000 });
    assert.equal(failed.code, 1);
    assert.match(
      failed.stderr,
      /Error \(BACKUP_VERIFY_FAILED\): SHA-256 mismatch: the data hashes to [0-9a-f]{64}, the manifest recorded [0-9a-f]{64}/,
    );
    assert.match(failed.stdout, /^FAILED: SHA-256 mismatch/m);
    const json = await home.run(['backup', 'verify', '--dest', dest, '-o', 'json'], {
      timeoutMs: 60_000,
    });
    assert.equal(json.code, 1);
    const envelope = JSON.parse(json.stdout) as {
      status: number;
      result: { ok: boolean; verification: { integrity: string } };
    };
    assert.equal(envelope.status, 1);
    assert.equal(envelope.result.verification.integrity, 'failed');
    const table = await home.run(['backup', 'list', '--dest', dest]);
    assert.match(table.stdout, /FAILED/);
  });

  test('prune --dry-run keeps the newest, removes nothing; the restore plan names every step', async () => {
    await home.run(['backup', 'create', '-e', endpoint, '--dest', dest], { timeoutMs: 60_000 });
    const dry = await home.run([
      'backup',
      'prune',
      '--dest',
      dest,
      '--retain',
      'last=1',
      '--dry-run',
      '-o',
      'json',
    ]);
    assert.equal(dry.code, 0, dry.stderr);
    const report = JSON.parse(dry.stdout) as {
      result: { keep: { reasons: string[] }[]; remove: unknown[]; leftovers: string[] };
    };
    assert.deepEqual(
      report.result.keep.map((kept) => kept.reasons),
      [['last']],
    );
    assert.equal(report.result.remove.length, 1);
    assert.equal(report.result.leftovers.length, 1);
    assert.equal(
      (
        JSON.parse(
          (await home.run(['backup', 'list', '--dest', dest, '-o', 'json'])).stdout,
        ) as Listing
      ).result.backups.length,
      2,
    );
    const plan = await home.run(['backup', 'restore', '--dest', dest, '-e', endpoint]);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(
      plan.stdout,
      /Restore s1's data into a new data dir\n\s+\$ etcdctl snapshot restore /,
    );
    assert.match(plan.stdout, /cannot bump revisions/);
  });
});

describe('quorumctl backup restore --execute into a sandbox', { timeout: 120_000 }, () => {
  let home: CliHome;

  before(async () => {
    home = await createCliHome();
  });

  after(async () => {
    await home.cleanup();
  });

  test('refused while live, then restored with --force --confirm: content matches the backup', async () => {
    const record = await home.sandboxUp('restore', ['--members', '3']);
    const first = record.endpoints[0]!;
    const dest = join(home.dir, 'backups');
    await putKeys(first, '/app/', 300);
    const created = await home.run(['backup', 'create', '--dest', dest, '-o', 'json']);
    assert.equal(created.code, 0, created.stderr);
    await putKeys(first, '/later/', 200);
    assert.equal(await keyCount(first), 500);

    const refused = await home.run([
      'backup',
      'restore',
      '--dest',
      dest,
      '--sandbox',
      'restore',
      '--execute',
    ]);
    assert.equal(refused.code, 4);
    assert.match(refused.stderr, /RESTORE_TARGET_LIVE/);
    const unconfirmed = await home.run([
      'backup',
      'restore',
      '--dest',
      dest,
      '--sandbox',
      'restore',
      '--execute',
      '--force',
    ]);
    assert.equal(unconfirmed.code, 4);
    assert.match(unconfirmed.stderr, /RESTORE_NOT_CONFIRMED/);

    const restored = await home.run(
      [
        'backup',
        'restore',
        '--dest',
        dest,
        '--sandbox',
        'restore',
        '--execute',
        '--force',
        '--confirm',
        'restore',
        '-o',
        'json',
      ],
      { timeoutMs: 90_000 },
    );
    assert.equal(restored.code, 0, restored.stderr);
    const report = JSON.parse(restored.stdout) as {
      result: { restoreMs: number; fingerprint: { matches: boolean }; executed: { id: string }[] };
    };
    assert.equal(report.result.fingerprint.matches, true);
    assert.ok(report.result.restoreMs > 0);
    assert.deepEqual(
      report.result.executed.map((step) => step.id),
      [
        'check-backup',
        'stop:n1',
        'stop:n2',
        'stop:n3',
        'restore-data:n1',
        'restore-data:n2',
        'restore-data:n3',
        'start',
        'check-health',
        'check-content',
      ],
    );
    assert.equal(await keyCount(first), 300);
    const status = await home.run(['status', '-o', 'json']);
    assert.equal(status.code, 0, status.stderr);
  });
});
