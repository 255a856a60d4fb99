// Benchmark (not a test): `quorumctl backup create` against `etcdctl snapshot save` on a
// ~500 MB etcd database (single member on loopback, 1 MiB values so it fills in seconds):
// wall time and peak RSS (GNU time's %M) of each, median of N alternating runs, and the ratio.
// quorumctl's run includes what the command does beyond the copy: the member status,
// SHA-256, fsync, the bbolt check and the HashKV fingerprint.
//
//   BENCH_BACKUP_MB    database sizes in MiB, filled in turn (default 100,500)
//   BENCH_RUNS         runs of each (default 3)
// Aim (issue 6): within 1.2x of etcdctl's time, with memory that does not grow with the size.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { putLargeValues } from '../test/support/backup-etcd-load.js';
import { startStandaloneEtcd } from '../test/support/standalone-etcd.js';

const SIZES_MIB = (process.env.BENCH_BACKUP_MB ?? '100,500').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MIB = 1024 * 1024;

interface Run {
  wallMs: number;
  peakRssMiB: number;
}

/** Runs under GNU time: wall clock from here, peak RSS (kB) from time's last stderr line. */
function measure(command: string, args: string[], env: NodeJS.ProcessEnv): Run {
  const started = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', 'peak-rss-kb %M', command, ...args], {
    env,
    encoding: 'utf8',
    maxBuffer: 64 * MIB,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0)
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status}): ${result.stderr} ${result.stdout}`,
    );
  const kb = /peak-rss-kb (\d+)/.exec(result.stderr)?.[1];
  return { wallMs, peakRssMiB: Number(kb) / 1024 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const work = await mkdtemp(join(tmpdir(), 'quorumctl-bench-backup-'));
const etcd = await startStandaloneEtcd({
  extraArgs: ['--quota-backend-bytes', String(8 * 1024 * MIB)],
});
const rows: string[] = [];
try {
  const env = {
    ...process.env,
    ETCDCTL_API: '3',
    QUORUMCTL_CONFIG: join(work, 'config.yaml'),
    XDG_STATE_HOME: join(work, 'state'),
  };
  const endpoint = `etcd://${etcd.clientUrl.replace('http://', '')}`;
  const dest = join(work, 'backups');
  const quorumctl = (transport: string) =>
    measure(
      join(ROOT, 'bin', 'quorumctl'),
      ['backup', 'create', '-e', endpoint, '--dest', dest, '--transport', transport, '-o', 'json'],
      env,
    );
  const etcdctl = () =>
    measure(
      'etcdctl',
      ['--endpoints', etcd.clientUrl, 'snapshot', 'save', join(work, 'etcdctl.db')],
      env,
    );
  let filledMiB = 0;
  for (const sizeMiB of SIZES_MIB) {
    const filling = performance.now();
    await putLargeValues(etcd.clientUrl, `/bench-${sizeMiB}/`, sizeMiB - filledMiB, MIB);
    filledMiB = sizeMiB;
    process.stderr.write(
      `filled to ${sizeMiB} MiB in ${((performance.now() - filling) / 1000).toFixed(1)} s\n`,
    );
    const clean = async () => {
      // Keep the disk from filling: each copy is the database's size.
      await rm(dest, { recursive: true, force: true });
      await rm(join(work, 'etcdctl.db'), { force: true });
    };
    // One warm-up of each: page cache for the binaries and etcd's database.
    quorumctl('auto');
    etcdctl();
    await clean();
    const ours: Run[] = [];
    const theirs: Run[] = [];
    let snapshotBytes = 0;
    for (let run = 0; run < RUNS; run += 1) {
      ours.push(quorumctl('auto'));
      theirs.push(etcdctl());
      snapshotBytes = (await stat(join(work, 'etcdctl.db'))).size;
      await clean();
    }
    const gateway = quorumctl('gateway');
    await clean();
    const wall = [median(ours.map((r) => r.wallMs)), median(theirs.map((r) => r.wallMs))] as const;
    const rss = [
      Math.max(...ours.map((r) => r.peakRssMiB)),
      Math.max(...theirs.map((r) => r.peakRssMiB)),
    ] as const;
    const size = `${(snapshotBytes / MIB).toFixed(0)} MiB`;
    rows.push(
      `| ${size} | quorumctl backup create (gRPC) | ${(wall[0] / 1000).toFixed(2)} | ${rss[0].toFixed(0)} |`,
      `| ${size} | etcdctl snapshot save | ${(wall[1] / 1000).toFixed(2)} | ${rss[1].toFixed(0)} |`,
      `| ${size} | ratio | **${(wall[0] / wall[1]).toFixed(2)}x** | ${(rss[0] / rss[1]).toFixed(2)}x |`,
      `| ${size} | quorumctl --transport gateway (1 run) | ${(gateway.wallMs / 1000).toFixed(2)} | ${gateway.peakRssMiB.toFixed(0)} |`,
    );
  }
  process.stdout.write(
    [
      `median of ${RUNS} alternating runs each; peak RSS is the largest of the runs`,
      '',
      '| snapshot | command | wall time (s) | peak RSS (MiB) |',
      '|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
} finally {
  await etcd.stop();
  await rm(work, { recursive: true, force: true });
}
