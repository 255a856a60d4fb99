/** Process faults on sandbox members: kill (SIGKILL, healed by a restart) and pause (SIGSTOP, healed by SIGCONT). */
import { readFile } from 'node:fs/promises';
import { restartMembers, stopMember } from '../../sandbox/index.js';
import { memberAlive } from '../../sandbox/liveness.js';
import { readRecord } from '../../sandbox/state.js';
import { requireMembers, requireSomeMembers, type FaultDriver } from './driver.js';
import type { FaultRecord } from './types.js';

/** How long a restarted sandbox may take to be ready again (ZooKeeper's JVM is the slow one). */
const RESTART_READY_MS = 60_000;
const STATE_WAIT_MS = 2000;

interface PausedProcess {
  member: string;
  pid: number;
}

export const killDriver: FaultDriver = {
  plan(spec, target) {
    requireSomeMembers(spec);
    requireMembers(target, spec.members);
    return Promise.resolve({ members: [...spec.members] });
  },

  async apply(record) {
    const { stateDir, sandbox } = record.scope;
    for (const member of record.spec.members)
      await stopMember(stateDir, sandbox, member, 'SIGKILL');
  },

  async undo(record) {
    const { stateDir, sandbox } = record.scope;
    // A sandbox taken down meanwhile has nothing left to restart.
    if ((await readRecord(stateDir, sandbox)) === undefined) return;
    await restartMembers(stateDir, sandbox, { readyTimeoutMs: RESTART_READY_MS });
  },
};

export const pauseDriver: FaultDriver = {
  plan(spec, target) {
    requireSomeMembers(spec);
    const processes: PausedProcess[] = requireMembers(target, spec.members).map((member) => ({
      member: member.name,
      pid: member.pid,
    }));
    return Promise.resolve({ processes });
  },

  async apply(record) {
    const { stateDir, sandbox } = record.scope;
    for (const { member, pid } of pausedProcesses(record)) {
      await stopMember(stateDir, sandbox, member, 'SIGSTOP');
      await waitForState(pid, (state) => state === 'T' || state === undefined);
    }
  },

  async undo(record) {
    const { stateDir, sandbox } = record.scope;
    const current = await readRecord(stateDir, sandbox);
    if (current === undefined) return;
    for (const { member, pid } of pausedProcesses(record)) {
      const now = current.members.find((candidate) => candidate.name === member);
      // Restarted or gone since: the paused process no longer exists, nothing to resume.
      if (now?.pid !== pid || !memberAlive(current, now)) continue;
      await stopMember(stateDir, sandbox, member, 'SIGCONT');
      if (!(await waitForState(pid, (state) => state !== 'T'))) {
        throw new Error(`${member} (PID ${pid}) is still stopped after SIGCONT`);
      }
    }
  },
};

function pausedProcesses(record: FaultRecord): PausedProcess[] {
  const processes = record.undo.processes;
  return Array.isArray(processes) ? (processes as PausedProcess[]) : [];
}

/** The state letter of /proc/PID/stat (R, S, T, Z, ...); undefined when the process is gone. */
export async function processState(pid: number): Promise<string | undefined> {
  try {
    return parseProcessState(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Pure: the field after the command name, which is in parentheses and may contain spaces. */
export function parseProcessState(stat: string): string | undefined {
  const afterName = stat.slice(stat.lastIndexOf(')') + 1).trim();
  return afterName.split(' ')[0] || undefined;
}

async function waitForState(
  pid: number,
  accept: (state: string | undefined) => boolean,
): Promise<boolean> {
  const deadline = Date.now() + STATE_WAIT_MS;
  for (;;) {
    if (accept(await processState(pid))) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
