/**
 * Executes leader plans (`leader transfer`, `leader evacuate`): etcd move-leader to a named
 * member, NATS step-down; afterwards polls status until the new leader is seen.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { requireCapability } from '../../core/capabilities.js';
import type { MemberRef } from '../../core/check/observations.js';
import { PartialFailureError, UnsupportedOperationError, UsageError } from '../../core/errors.js';
import type { MaintenancePlan } from '../../core/maintenance/plan.js';
import type { ClusterStatus } from '../../core/model.js';
import type {
  ClusterAdapter,
  LeaderTransferRequest,
  LeaderTransferResult,
} from '../../core/ports.js';
import { SILENT_PROGRESS, type ProgressSink } from '../../core/progress.js';
import { runPlan, type MaintenanceRun, type StepResult } from './plan-runner.js';

/** Waits between polls (abortably); injected so tests run without real time. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = async (ms, signal) => {
  await delay(ms, undefined, signal === undefined ? undefined : { signal });
};

export interface PollControl {
  signal?: AbortSignal;
  sleep?: Sleep;
  /** Milliseconds on a monotonic clock. */
  now?: () => number;
  pollMs?: number;
}

export interface LeaderRun extends PollControl {
  adapter: ClusterAdapter;
  plan: MaintenancePlan;
  /** What the operator asked for: `--to` (a step-down can only ask) and `--group`. */
  request?: { to?: string; group?: string };
  progress?: ProgressSink;
  /** How long the new leader may take to show up in status. Default 15 s. */
  verifyTimeoutMs?: number;
}

/** A step-down may re-elect the same member: ask this many times before giving up. */
const STEP_DOWN_ATTEMPTS = 3;

export async function executeLeaderPlan(run: LeaderRun): Promise<MaintenanceRun> {
  const { adapter, request = {} } = run;
  return runPlan(
    run.plan,
    {
      'move-leader': async (step) => {
        if (step.member === undefined)
          throw new UsageError('NO_TARGET', 'move-leader needs a member');
        const moved = await moveLeadership(adapter, step.member, run);
        return { status: 'done', details: moved, summary: `${moved.from} -> ${moved.to}` };
      },
      'step-down': async (step) => stepDown(adapter, step.member, request, run),
    },
    {
      progress: run.progress ?? SILENT_PROGRESS,
      ...(run.signal !== undefined && { signal: run.signal }),
    },
  );
}

/**
 * Moves leadership to `to` (a member name) and waits until status shows it leading.
 * Used by `leader transfer` and before removing the leader in `members remove|replace`.
 */
export async function moveLeadership(
  adapter: ClusterAdapter,
  to: string,
  control: PollControl & { verifyTimeoutMs?: number },
): Promise<{ from: string; to: string }> {
  requireCapability(adapter, 'transferLeader');
  const status = await adapter.status();
  const target = memberRef(status, to);
  const from = leaderName(status) ?? 'none';
  if (status.leaderId === target.id) return { from, to: target.name };
  await transfer(adapter, { to: target });
  const after = await waitForLeader(adapter, (s) => s.leaderId === target.id, control);
  if (after === undefined) {
    throw new PartialFailureError(
      'LEADER_NOT_MOVED',
      `${target.name} did not become leader within ${(control.verifyTimeoutMs ?? 15_000) / 1000} s`,
      {
        actions: [
          'quorumctl status shows who leads now',
          `retry: quorumctl leader transfer --to ${to}`,
        ],
      },
    );
  }
  return { from, to: target.name };
}

async function stepDown(
  adapter: ClusterAdapter,
  from: string | undefined,
  request: { to?: string; group?: string },
  control: PollControl & { verifyTimeoutMs?: number },
): Promise<StepResult> {
  requireCapability(adapter, 'transferLeader');
  if (request.group !== undefined) {
    const before = await adapter.status();
    const result = await transfer(adapter, {
      group: request.group,
      ...(request.to !== undefined && { to: memberRef(before, request.to) }),
    });
    return {
      status: 'done',
      details: { group: request.group, ...definedStrings(result) },
      summary: `${request.group}: ${result.from ?? '?'} -> ${result.to ?? '?'}`,
    };
  }
  for (let attempt = 1; attempt <= STEP_DOWN_ATTEMPTS; attempt += 1) {
    const before = await adapter.status();
    const leaving = from ?? leaderName(before);
    await transfer(adapter, {
      ...(request.to !== undefined && { to: memberRef(before, request.to) }),
    });
    const after = await waitForLeader(
      adapter,
      (status) => status.leaderId !== undefined && leaderName(status) !== leaving,
      control,
    );
    if (after !== undefined) {
      const next = leaderName(after) ?? '?';
      return {
        status: 'done',
        details: {
          from: leaving ?? '?',
          to: next,
          attempts: attempt,
          ...(request.to !== undefined && { requested: request.to }),
        },
        summary: `${leaving ?? '?'} -> ${next}`,
      };
    }
  }
  throw new PartialFailureError(
    'LEADER_NOT_MOVED',
    `${from ?? 'the leader'} still leads after ${STEP_DOWN_ATTEMPTS} step-downs`,
    { actions: ['quorumctl status shows the members; a lagging follower cannot win an election'] },
  );
}

/** Polls until `done(status)` or the verify timeout; undefined on timeout. */
export async function waitForLeader(
  adapter: Pick<ClusterAdapter, 'status'>,
  done: (status: ClusterStatus) => boolean,
  control: PollControl & { verifyTimeoutMs?: number },
): Promise<ClusterStatus | undefined> {
  const now = control.now ?? (() => performance.now());
  const sleep = control.sleep ?? realSleep;
  const deadline = now() + (control.verifyTimeoutMs ?? 15_000);
  for (;;) {
    const status = await adapter.status().catch(() => undefined);
    if (status !== undefined && done(status)) return status;
    if (now() >= deadline) return undefined;
    await sleep(control.pollMs ?? 250, control.signal);
  }
}

async function transfer(
  adapter: ClusterAdapter,
  request: LeaderTransferRequest,
): Promise<LeaderTransferResult> {
  if (adapter.transferLeader === undefined) {
    throw new UnsupportedOperationError(
      'CAPABILITY_NOT_SUPPORTED',
      `the ${adapter.kind} adapter cannot transfer leadership`,
    );
  }
  return adapter.transferLeader(request);
}

export function memberRef(status: ClusterStatus, name: string): MemberRef {
  const member = status.members.find((entry) => entry.name === name || entry.id === name);
  if (member === undefined) {
    throw new UsageError('MEMBER_UNKNOWN', `${status.cluster} has no member "${name}"`, {
      actions: [`members: ${status.members.map((entry) => entry.name).join(', ')}`],
    });
  }
  return { id: member.id, name: member.name, endpoint: member.endpoint };
}

function leaderName(status: ClusterStatus): string | undefined {
  return status.members.find((member) => member.id === status.leaderId)?.name;
}

function definedStrings(result: { from?: string; to?: string }): Record<string, string> {
  return Object.fromEntries(
    Object.entries(result).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}
