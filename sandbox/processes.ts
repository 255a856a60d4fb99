/** Starts servers detached (they outlive the CLI), checks they live, and stops them: SIGTERM, then SIGKILL. */
import { spawn } from 'node:child_process';
import { accessSync, constants, closeSync, openSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface LaunchSpec {
  command: string;
  args: string[];
  logFile: string;
  cwd: string;
}

/** Spawns with stdout and stderr appended to the log file; returns the PID. */
export function launchDetached(spec: LaunchSpec): number {
  const log = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      detached: true,
      stdio: ['ignore', log, log],
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/**
 * Alive and still the server we started: PIDs are reused, so the command line must still
 * name it. A zombie (exited, not yet reaped) has an empty command line and counts as dead.
 */
export function isAlive(pid: number, marker: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return true; // no /proc: trust the signal check
  }
}

export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Stops all at once (an etcd leader waits for its peers when stopped last), then forces. */
export async function stopAll(
  processes: readonly { pid: number; marker: string }[],
  graceMs: number,
): Promise<void> {
  const running = () => processes.filter((entry) => isAlive(entry.pid, entry.marker));
  for (const entry of running()) signal(entry.pid, 'SIGTERM');
  await waitUntil(() => running().length === 0, graceMs);
  for (const entry of running()) signal(entry.pid, 'SIGKILL');
  await waitUntil(() => running().length === 0, 5000);
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
