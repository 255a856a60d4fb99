/** Waits until a freshly started sandbox has a leader, polling; on failure, an error naming the members and their logs. */
import { readFile } from 'node:fs/promises';
import { UnreachableError } from '../core/errors.js';
import { memberAlive } from './liveness.js';
import type { ServerKind } from './server-kind.js';
import type { SandboxMember, SandboxRecord } from './types.js';

/** Probes take up to 500 ms each; a short pause between rounds keeps a slow start cheap. */
const POLL_MS = 150;
const LOG_TAIL_LINES = 10;

export type ReadinessOutcome =
  { ready: true } | { ready: false; notReady: readonly SandboxMember[]; problem: string };

export async function waitForReadiness(
  server: ServerKind,
  record: SandboxRecord,
  timeoutMs: number,
): Promise<ReadinessOutcome> {
  const deadline = Date.now() + timeoutMs;
  let notReady: readonly SandboxMember[] = record.members;
  let waitingFor: string[] = ['no probe answered yet'];
  while (Date.now() < deadline) {
    // A member that exited will never be ready: fail now instead of at the deadline.
    const dead = record.members.filter((member) => !memberAlive(record, member));
    if (dead.length > 0) return { ready: false, notReady: dead, problem: 'exited during start-up' };
    const readiness = await server.probe(record.members);
    if (readiness.ready) return { ready: true };
    notReady = record.members.filter((member) => readiness.notReady.includes(member.name));
    waitingFor = readiness.waitingFor;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return {
    ready: false,
    notReady,
    problem: `not ready after ${(timeoutMs / 1000).toFixed(1)} s (${waitingFor.join('; ')})`,
  };
}

/**
 * SANDBOX_NOT_READY: the kind, which members, why, the logs to read and their last lines.
 * `logFiles` maps member names to where their logs are now (kept outside the removed sandbox dir).
 */
export async function notReadyError(
  record: SandboxRecord,
  members: readonly SandboxMember[],
  problem: string,
  logFiles: ReadonlyMap<string, string>,
): Promise<UnreachableError> {
  const names = members.map((member) => member.name);
  const logs = names.map((name) => logFiles.get(name)).filter((path) => path !== undefined);
  const logTails = Object.fromEntries(
    await Promise.all(
      names.map(async (name) => [name, await lastLines(logFiles.get(name))] as const),
    ),
  );
  const readLogs = logs.length > 0 ? `; read ${logs.join(', ')}` : '';
  return new UnreachableError(
    'SANDBOX_NOT_READY',
    `${record.kind} sandbox "${record.name}": ${names.join(', ')} ${problem}${readLogs}`,
    {
      actions: [
        'the last log lines of each of them are in the error details (--debug or -o json)',
        'if a port was taken by another program meanwhile, run the same command again',
      ],
      details: { kind: record.kind, notReady: names, logFiles: logs, logTails },
    },
  );
}

async function lastLines(path: string | undefined): Promise<string[]> {
  const text = path === undefined ? '' : await readFile(path, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-LOG_TAIL_LINES);
}
