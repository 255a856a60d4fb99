// Benchmark (not a test): what `quorumctl dashboard --all --interval 1s` costs while it runs
// in a real terminal (tmux, 120x40) over three 3-member sandboxes (etcd, ZooKeeper, NATS).
// CPU time is utime+stime of the dashboard's node process from /proc/PID/stat, measured
// after a warm-up; resident memory from /proc/PID/status. Beside it, over the same window, a
// second dashboard without a terminal (line output to /dev/null) polls the same clusters: the
// difference is what drawing costs, the rest is polling.
//
//   node dist/bench/dashboard-cpu.js [--minutes 5] [--interval 1s]
// Aim (issue 9): under 5% of one core.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const WARM_UP_MS = 15_000;

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const MINUTES = Number(flag('minutes', '5'));
const INTERVAL = flag('interval', '1s');

function cpuSeconds(pid: number): number {
  // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function rssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? NaN) / 1024;
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** The node process under the tmux pane: the pane's shell may exec it or run it as a child. */
function dashboardPid(panePid: number): number {
  const isNode = (pid: number) =>
    readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .some((part) => part.endsWith('run.js'));
  if (isNode(panePid)) return panePid;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (Number.isInteger(pid) && parentOf(pid) === panePid && isNode(pid)) return pid;
  }
  throw new Error(`no dashboard process under tmux pane ${panePid}`);
}

async function main(): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'quorumctl-bench-dashboard-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    QUORUMCTL_CONFIG: join(home, 'config.yaml'),
    XDG_STATE_HOME: join(home, 'state'),
    XDG_CONFIG_HOME: join(home, 'config'),
  };
  const cli = (...args: string[]) =>
    run(join(ROOT, 'bin', 'quorumctl'), args, { env, timeout: 120_000 });
  const socket = `quorumctl-bench-${process.pid}`;
  const tmux = (...args: string[]) => run('tmux', ['-L', socket, '-f', '/dev/null', ...args]);
  let stopLines = (): boolean => false;
  const sandboxes = [
    ['bench-etcd', 'etcd'],
    ['bench-zk', 'zookeeper'],
    ['bench-js', 'nats'],
  ] as const;
  try {
    for (const [name, kind] of sandboxes) {
      process.stderr.write(`starting ${kind} sandbox ${name}...\n`);
      await cli('sandbox', 'up', name, '--kind', kind, '--members', '3');
    }
    const variables = ['QUORUMCTL_CONFIG', 'XDG_STATE_HOME', 'XDG_CONFIG_HOME'].flatMap((key) => [
      '-e',
      `${key}=${env[key] ?? ''}`,
    ]);
    await tmux(
      'new-session',
      '-d',
      '-s',
      'bench',
      '-x',
      '120',
      '-y',
      '40',
      ...variables,
      `${join(ROOT, 'bin', 'quorumctl')} dashboard --all --interval ${INTERVAL}`,
    );
    const panePid = Number(
      (await tmux('display-message', '-p', '-t', 'bench', '#{pane_pid}')).stdout.trim(),
    );
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const pid = dashboardPid(panePid);
    const lines = spawn(
      join(ROOT, 'bin', 'quorumctl'),
      ['dashboard', '--all', '--interval', INTERVAL],
      { env, stdio: ['ignore', 'ignore', 'ignore'] },
    );
    stopLines = () => lines.kill('SIGTERM');
    process.stderr.write(`dashboard PID ${pid}; warming up ${WARM_UP_MS / 1000} s...\n`);
    await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
    const screen = (await tmux('capture-pane', '-p', '-t', 'bench')).stdout;
    for (const [name] of sandboxes) {
      if (!new RegExp(`sandbox-${name} +\\w+ +(?!NONE|unreachable|\\.\\.\\.)\\S+ `).test(screen))
        throw new Error(`sandbox-${name} has no leader on screen:\n${screen}`);
    }
    const rssStart = rssMiB(pid);
    const cpuStart = cpuSeconds(pid);
    const linesPid = lines.pid ?? 0;
    const linesCpuStart = cpuSeconds(linesPid);
    const started = Date.now();
    let rssMax = rssStart;
    const measureMs = MINUTES * 60_000;
    process.stderr.write(`measuring ${MINUTES} min...\n`);
    while (Date.now() - started < measureMs) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      rssMax = Math.max(rssMax, rssMiB(pid));
    }
    const seconds = (Date.now() - started) / 1000;
    const cpu = cpuSeconds(pid) - cpuStart;
    const linesCpu = cpuSeconds(linesPid) - linesCpuStart;
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    process.stdout.write(
      `dashboard, 3 clusters x 3 members (etcd, zookeeper, nats), 120x40, interval ${INTERVAL}, ${seconds.toFixed(0)} s: ` +
        `CPU ${((cpu / seconds) * 100).toFixed(2)}% of one core (${cpu.toFixed(2)} s), ` +
        `RSS ${rssStart.toFixed(0)} -> max ${rssMax.toFixed(0)} MiB, load average ${load}; ` +
        `the same polling without a terminal: ${((linesCpu / seconds) * 100).toFixed(2)}%\n`,
    );
  } finally {
    stopLines();
    await tmux('kill-server').catch(() => undefined);
    for (const [name] of sandboxes) await cli('sandbox', 'down', name).catch(() => undefined);
    await rm(home, { recursive: true, force: true });
  }
}

await main();
