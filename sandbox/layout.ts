/** Where a sandbox lives on disk, and which names are allowed. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';

const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const stateHome =
    env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== ''
      ? env.XDG_STATE_HOME
      : join(homedir(), '.local', 'state');
  return join(stateHome, 'quorumctl');
}

export function sandboxesDir(stateDir: string): string {
  return join(stateDir, 'sandboxes');
}

export interface SandboxLayout {
  dir: string;
  stateFile: string;
  confDir: string;
  dataDir(member: string): string;
  logFile(member: string): string;
}

export function sandboxLayout(stateDir: string, name: string): SandboxLayout {
  const dir = join(sandboxesDir(stateDir), name);
  return {
    dir,
    stateFile: join(dir, 'sandbox.json'),
    confDir: join(dir, 'conf'),
    dataDir: (member) => join(dir, 'data', member),
    logFile: (member) => join(dir, 'logs', `${member}.log`),
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
