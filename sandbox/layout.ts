/** Where a sandbox lives on disk, and which names are allowed. */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';

const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** `$XDG_STATE_HOME/quorumctl`, else `~/.local/state/quorumctl` (a relative XDG path is invalid and ignored). */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_STATE_HOME;
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'quorumctl');
  const home = env.HOME !== undefined && isAbsolute(env.HOME) ? env.HOME : homedir();
  return join(home, '.local', 'state', 'quorumctl');
}

/** Absolute, because the servers run with the sandbox dir as their working directory. */
export function sandboxesDir(stateDir: string): string {
  return join(resolve(stateDir), 'sandboxes');
}

/** Logs of sandboxes that failed to start, kept because their sandbox dir is removed. */
export function failedStartsDir(stateDir: string): string {
  return join(resolve(stateDir), 'failed-starts');
}

export interface SandboxLayout {
  dir: string;
  stateFile: string;
  confDir: string;
  logsDir: string;
  dataDir(member: string): string;
  logFile(member: string): string;
}

export function sandboxLayout(stateDir: string, name: string): SandboxLayout {
  const dir = join(sandboxesDir(stateDir), name);
  const logsDir = join(dir, 'logs');
  return {
    dir,
    stateFile: join(dir, 'sandbox.json'),
    confDir: join(dir, 'conf'),
    logsDir,
    dataDir: (member) => join(dir, 'data', member),
    logFile: (member) => join(logsDir, `${member}.log`),
  };
}

export function assertSandboxName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new UsageError('SANDBOX_NAME_INVALID', `sandbox name "${name}" is not allowed`, {
      actions: [
        'use 1-32 characters of a-z, 0-9 and "-", starting with a letter or digit (e.g. demo, etcd-5)',
      ],
    });
  }
}
