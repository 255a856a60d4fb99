/** Runs bin/quorumctl as a user would, in an isolated config and state directory. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sandboxDown, type SandboxRecord } from '../../sandbox/index.js';

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
  /**
   * `quorumctl sandbox up NAME ARGS -o json` as a user runs it, asserted to succeed; the
   * sandbox is stopped by `cleanup`.
   */
  sandboxUp(name: string, args?: string[]): Promise<SandboxRecord>;
  /** Stops the sandboxes this home started, then deletes the home. */
  cleanup(): Promise<void>;
}

/** A throwaway home: inventory and sandbox state never touch the developer's own. */
export async function createCliHome(): Promise<CliHome> {
  const dir = await mkdtemp(join(tmpdir(), 'quorumctl-e2e-'));
  const configPath = join(dir, 'config.yaml');
  const stateHome = join(dir, 'state');
  const stateDir = join(stateHome, 'quorumctl');
  const sandboxes: string[] = [];
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
    stateDir,
    run: (args, options) => runCli(args, { ...env, ...options?.env }, options?.timeoutMs ?? 30_000),
    runUntil: (args, enough, timeoutMs = 30_000) => runCli(args, env, timeoutMs, enough),
    sandboxUp: async (name, args = []) => {
      sandboxes.push(name);
      const up = await runCli(['sandbox', 'up', name, ...args, '-o', 'json'], env, 90_000);
      assert.equal(up.code, 0, `sandbox up ${name}: ${up.stderr}`);
      return (JSON.parse(up.stdout) as { result: SandboxRecord }).result;
    },
    cleanup: async () => {
      for (const name of sandboxes) {
        await sandboxDown(stateDir, name, { graceMs: 1000 }).catch(() => undefined);
      }
      await rm(dir, { recursive: true, force: true });
    },
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
