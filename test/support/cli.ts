/** Runs bin/quorumctl as a user would, in an isolated config and state directory. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(REPO_ROOT, 'bin', 'quorumctl');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliHome {
  dir: string;
  configPath: string;
  /** $XDG_STATE_HOME of the child; sandboxes live in its quorumctl/ folder. */
  stateHome: string;
  stateDir: string;
  run(
    args: string[],
    options?: { timeoutMs?: number; env?: NodeJS.ProcessEnv },
  ): Promise<CliResult>;
  /** Runs a streaming command until stdout satisfies `enough`, then interrupts it (SIGINT). */
  runUntil(
    args: string[],
    enough: (stdout: string) => boolean,
    timeoutMs?: number,
  ): Promise<CliResult>;
  cleanup(): Promise<void>;
}

/** A throwaway home: inventory and sandbox state never touch the developer's own. */
export async function createCliHome(): Promise<CliHome> {
  const dir = await mkdtemp(join(tmpdir(), 'quorumctl-e2e-'));
  const configPath = join(dir, 'config.yaml');
  const stateHome = join(dir, 'state');
  const env = {
    ...process.env,
    QUORUMCTL_CONFIG: configPath,
    XDG_STATE_HOME: stateHome,
    XDG_CONFIG_HOME: join(dir, 'config'),
  };
  return {
    dir,
    configPath,
    stateHome,
    stateDir: join(stateHome, 'quorumctl'),
    run: (args, options) => runCli(args, { ...env, ...options?.env }, options?.timeoutMs ?? 30_000),
    runUntil: (args, enough, timeoutMs = 30_000) => runCli(args, env, timeoutMs, enough),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  enough?: (stdout: string) => boolean,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (enough?.(stdout) === true) child.kill('SIGINT');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}
