/**
 * The health gate between maintenance steps: poll status until the member is back, the
 * cluster has its healthy voters again, one leader holds for N polls in a row and no member
 * lags more than the threshold. A timeout stops the operation (exit 5) naming the member.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { describeCause, PartialFailureError } from '../../core/errors.js';
import type { ClusterStatus } from '../../core/model.js';
import type { ClusterAdapter } from '../../core/ports.js';

export interface HealthGateOptions {
  /** The most entries any member may be behind the leader's commit index. */
  maxLagEntries: number;
  /** Polls in a row that must see the same leader and no problem. */
  stablePolls: number;
  pollIntervalMs: number;
  timeoutMs: number;
}

export const DEFAULT_HEALTH_GATE: HealthGateOptions = {
  maxLagEntries: 1000,
  stablePolls: 3,
  pollIntervalMs: 500,
  timeoutMs: 120_000,
};

export interface GateExpectation {
  /** The member just returned to service (named in the failure). */
  member: string;
  /** Healthy voters the cluster had before the member went out. */
  healthyVoters: number;
}

export interface GatePassed {
  leader: string;
  polls: number;
  waitedMs: number;
  /** The largest lag seen on the passing poll. */
  maxLagEntries: number;
}

/** Waits (abortably) between polls; injected so tests run without real time. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = async (ms, signal) => {
  await delay(ms, undefined, signal === undefined ? undefined : { signal });
};

export interface GateControl {
  signal?: AbortSignal;
  sleep?: Sleep;
  /** Milliseconds on a monotonic clock. */
  now?: () => number;
}

/** Why `status` does not pass the gate yet, in the operator's words; undefined when it does. */
export function gateProblem(
  status: ClusterStatus,
  expectation: GateExpectation,
  maxLagEntries: number,
): string | undefined {
  const member = status.members.find((entry) => entry.name === expectation.member);
  if (member === undefined) return `${expectation.member} is no longer a member`;
  if (!member.reachable) {
    return `${member.name} does not answer (${member.error?.message ?? 'no answer'})`;
  }
  if (status.quorum.healthyVoters < expectation.healthyVoters) {
    return `${status.quorum.healthyVoters} of ${status.quorum.voters} voters are healthy, ${expectation.healthyVoters} were before`;
  }
  const leader = status.members.find((entry) => entry.id === status.leaderId);
  if (leader === undefined) return 'no leader';
  const worst = laggiest(status);
  if (worst !== undefined && (worst.lagEntries ?? 0) > maxLagEntries) {
    return `${worst.name} lags ${worst.lagEntries} entries (limit ${maxLagEntries})`;
  }
  return undefined;
}

export async function waitUntilHealthy(
  adapter: Pick<ClusterAdapter, 'status'>,
  expectation: GateExpectation,
  options: HealthGateOptions,
  control: GateControl = {},
): Promise<GatePassed> {
  const sleep = control.sleep ?? realSleep;
  const now = control.now ?? (() => performance.now());
  const started = now();
  let polls = 0;
  let stable = 0;
  let stableLeader: string | undefined;
  let lastProblem = 'the leader has not held for long enough';
  for (;;) {
    polls += 1;
    let status: ClusterStatus | undefined;
    try {
      status = await adapter.status();
    } catch (cause) {
      lastProblem = `no member answers (${describeCause(cause)})`;
    }
    const problem =
      status === undefined ? lastProblem : gateProblem(status, expectation, options.maxLagEntries);
    if (status === undefined || problem !== undefined) {
      stable = 0;
      stableLeader = undefined;
      lastProblem = problem ?? lastProblem;
    } else {
      const leader = status.leaderId;
      stable = leader === stableLeader ? stable + 1 : 1;
      stableLeader = leader;
      if (stable >= options.stablePolls) {
        return {
          leader: status.members.find((member) => member.id === leader)?.name ?? String(leader),
          polls,
          waitedMs: Math.round(now() - started),
          maxLagEntries: laggiest(status)?.lagEntries ?? 0,
        };
      }
    }
    if (now() - started >= options.timeoutMs) {
      throw new PartialFailureError(
        'HEALTH_GATE_TIMEOUT',
        `${expectation.member} did not pass the health gate within ${Math.round(options.timeoutMs / 1000)} s: ${lastProblem}`,
        {
          actions: [
            'quorumctl status shows what is still wrong',
            `once healthy, continue with the members not yet done (quorumctl defrag --member NAME)`,
            'or allow more time with --gate-timeout, or more lag with --max-lag',
          ],
          details: { member: expectation.member, polls, lastProblem },
        },
      );
    }
    await sleep(options.pollIntervalMs, control.signal);
  }
}

function laggiest(status: ClusterStatus) {
  return status.members
    .filter((member) => member.reachable && member.lagEntries !== undefined)
    .sort((a, b) => (b.lagEntries ?? 0) - (a.lagEntries ?? 0))[0];
}
