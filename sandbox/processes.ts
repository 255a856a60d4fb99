/** Starts servers detached (they outlive the CLI), checks they live, and stops them: SIGTERM, then SIGKILL. */
import { spawn } from 'node:child_process';
import { accessSync, constants, closeSync, openSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface LaunchSpec {
  command: string;
  args: string[];
  logFile: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

/** A started server and what its command line must contain to still be ours. */
export interface ServerProcess {
  pid: number;
  markers: readonly string[];
}

/** Spawns with stdout and stderr appended to the log file; returns the PID. */
export function launchDetached(spec: LaunchSpec): number {
  const log = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      // Own process group and no pipes to us: the server outlives the command that started it.
      detached: true,
      stdio: ['ignore', log, log],
    });
    // A failed spawn also emits 'error' later; unhandled, it would crash the CLI.
    child.on('error', () => undefined);
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/**
 * Alive and still the server we started: PIDs are reused, so the command line must still
 * contain every marker (e.g. the executable and the sandbox directory). A zombie (exited,
 * not yet reaped) has an empty command line and counts as dead.
 */
export function isAlive(pid: number, marker: string | readonly string[]): boolean {
  if (!exists(pid)) return false;
  let commandLine: string;
  try {
    commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return true; // no /proc: trust the signal check
  }
  const markers = typeof marker === 'string' ? [marker] : marker;
  return markers.every((expected) => commandLine.includes(expected));
}

/** Whether the PID is in the process table at all (zombies included). */
export function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (cause) {
    // EPERM: it exists but belongs to someone else.
    return (cause as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Stops all at once, forces the rest after graceMs, and returns the PIDs that still refuse to die. */
export function stopAll(processes: readonly ServerProcess[], graceMs: number): Promise<number[]> {
  return stopInWaves([processes], graceMs);
}

/**
 * SIGTERM wave by wave (each wave in parallel, the next once it has exited), SIGKILL to
 * everything left when graceMs is over; returns the PIDs that still refuse to die.
 */
export async function stopInWaves(
  waves: readonly (readonly ServerProcess[])[],
  graceMs: number,
): Promise<number[]> {
  const running = (entries: readonly ServerProcess[]) =>
    entries.filter((entry) => isAlive(entry.pid, entry.markers));
  // Only processes that are ours now: a recorded PID may belong to someone else by now.
  const everyone = running(waves.flat());
  const deadline = Date.now() + graceMs;
  for (const wave of waves) {
    for (const entry of running(wave)) signal(entry.pid, 'SIGTERM');
    if (!(await waitUntil(() => running(wave).length === 0, deadline - Date.now()))) break;
  }
  for (const entry of running(everyone)) signal(entry.pid, 'SIGKILL');
  await waitUntil(() => running(everyone).length === 0, 5000);
  // Our own children stay zombies until the event loop reaps them; give it a moment so
  // callers see the PIDs gone. Not an error if it takes longer: a zombie runs nothing.
  await waitUntil(() => everyone.every((entry) => !exists(entry.pid)), 1000);
  return running(everyone).map((entry) => entry.pid);
}

export async function waitUntil(
  condition: () => boolean,
  timeoutMs: number,
  pollMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return true;
}

export function findExecutable(
  name: string,
  path: string = process.env.PATH ?? '',
): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** The environment minus variables the server would read as settings (etcd maps every ETCD_* to a flag). */
export function environmentWithout(
  prefix: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  if (prefix === undefined) return env;
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith(prefix)));
}
