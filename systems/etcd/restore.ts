/**
 * Restores an etcd snapshot into a new data directory with the local `etcdutl` (3.5+) or
 * `etcdctl` (3.4), and starts a throwaway single member on free loopback ports; both are
 * what a restore test and a sandbox restore run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { UnreachableError } from '../../core/errors.js';
import { httpCall } from '../transport/http.js';
import { restoreCommand } from './restore-plan.js';

export interface RestoreDataDirRequest {
  snapshotPath: string;
  name: string;
  dataDir: string;
  /** `name=peerUrl,...` for every member of the restored cluster. */
  initialCluster: string;
  peerUrl: string;
  clusterToken: string;
  /** etcdutl 3.5+: raise every revision by this much so watchers never see them go back. */
  bumpRevision?: number;
  signal?: AbortSignal;
}

/** Runs the restore with etcdutl when installed (3.5+), else etcdctl (3.4). */
export async function restoreDataDir(request: RestoreDataDirRequest): Promise<{ tool: string }> {
  const tool = (await hasExecutable('etcdutl')) ? 'etcdutl' : 'etcdctl';
  if (request.bumpRevision !== undefined && tool === 'etcdctl') {
    throw new UnreachableError(
      'BUMP_REVISION_UNAVAILABLE',
      'revision bump needs etcdutl (etcd 3.5 or later); this host has only etcdctl',
      { actions: ['install etcd 3.5+ client tools, or restore without --bump-revision'] },
    );
  }
  const { command, args } = restoreCommand(request, tool);
  const output = await run(command, args, request.signal);
  if (output.code !== 0) {
    throw new UnreachableError(
      'RESTORE_FAILED',
      `${command} snapshot restore failed (exit ${output.code}): ${lastLines(output.text)}`,
      { actions: [`run it by hand to see the whole output: ${command} ${args.join(' ')}`] },
    );
  }
  return { tool };
}

export interface RunningEtcd {
  clientUrl: string;
  peerUrl: string;
  /** SIGTERM, then SIGKILL after a grace period; safe to call twice. */
  stop(): Promise<void>;
}

/** Two free loopback ports, released right before etcd binds them. */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<import('node:net').Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => {
            resolve(server);
          });
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  });
  await Promise.all(
    servers.map(
      (server) =>
        new Promise((resolve) => {
          server.close(() => {
            resolve(undefined);
          });
        }),
    ),
  );
  return ports;
}

/** A single-member etcd on a restored data dir, ready once /health says so. */
export async function startRestoredMember(options: {
  name: string;
  dataDir: string;
  clientUrl: string;
  peerUrl: string;
  logFile: string;
  readyTimeoutMs: number;
  signal?: AbortSignal;
}): Promise<RunningEtcd> {
  const log = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      'etcd',
      [
        '--name',
        options.name,
        '--data-dir',
        options.dataDir,
        '--listen-client-urls',
        options.clientUrl,
        '--advertise-client-urls',
        options.clientUrl,
        '--listen-peer-urls',
        options.peerUrl,
        '--initial-advertise-peer-urls',
        options.peerUrl,
      ],
      { stdio: ['ignore', log, log], env: withoutPrefix('ETCD_') },
    );
  } finally {
    closeSync(log);
  }
  child.on('error', () => undefined);
  let exited = child.exitCode !== null;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const grace = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exit;
    clearTimeout(grace);
  };
  const running = { clientUrl: options.clientUrl, peerUrl: options.peerUrl, stop };
  try {
    const deadline = Date.now() + options.readyTimeoutMs;
    for (;;) {
      options.signal?.throwIfAborted();
      if (exited) {
        throw new UnreachableError(
          'RESTORED_MEMBER_EXITED',
          `the restored etcd exited before it was ready: ${lastLines(await readFile(options.logFile, 'utf8').catch(() => ''))}`,
          { actions: [`see ${options.logFile}`] },
        );
      }
      const health = await httpCall(`${options.clientUrl}/health`, { timeoutMs: 500 }).catch(
        () => undefined,
      );
      if (health?.body.includes('"health":"true"') === true) return running;
      if (Date.now() > deadline) {
        throw new UnreachableError(
          'RESTORED_MEMBER_NOT_READY',
          `the restored etcd on ${options.clientUrl} was not healthy within ${options.readyTimeoutMs} ms`,
          { actions: [`see ${options.logFile}`] },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (error) {
    await stop();
    throw error;
  }
}

export function randomClusterToken(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

function run(
  command: string,
  args: string[],
  signal?: AbortSignal,
): Promise<{ code: number; text: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...withoutPrefix('ETCDCTL_'), ETCDCTL_API: '3' },
      ...(signal !== undefined && { signal }),
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code: code ?? 1, text });
    });
  });
}

async function hasExecutable(name: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(name, ['version'], { stdio: 'ignore' });
    child.on('error', () => {
      resolve(false);
    });
    child.on('close', (code) => {
      resolve(code === 0);
    });
  });
}

/** The operator's ETCD_* / ETCDCTL_* settings must not change a throwaway member or a restore. */
function withoutPrefix(prefix: string): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith(prefix)),
  );
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ').slice(0, 600);
}
