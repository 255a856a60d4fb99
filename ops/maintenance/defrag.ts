/**
 * Executes a defragmentation plan against an adapter: before each member the status is read
 * again and the quorum guard re-checked, a member found leading hands leadership over first,
 * and after each member the health gate must pass (then --wait) before the next one.
 */
import { requireCapability } from '../../core/capabilities.js';
import { UnreachableError, UnsafeOperationError, UsageError } from '../../core/errors.js';
import { pickSuccessor } from '../../core/maintenance/leader-plan.js';
import type { MaintenancePlan, PlanStep } from '../../core/maintenance/plan.js';
import { guardedChange, viewOf } from '../../core/maintenance/quorum-view.js';
import type { ClusterStatus, MemberStatus } from '../../core/model.js';
import type { ClusterAdapter } from '../../core/ports.js';
import { realSleep, waitUntilHealthy, type HealthGateOptions, type Sleep } from './health-gate.js';
import {
  runPlan,
  type MaintenanceRun,
  type RunControl,
  type StepDetails,
  type StepHandlers,
  type StepResult,
} from './plan-runner.js';

export interface DefragSettings {
  gate: HealthGateOptions;
  /** Pause after a member passed the gate, before the next member (not after the last). */
  waitBetweenMs: number;
}

export interface MaintenanceControl extends RunControl {
  sleep?: Sleep;
  /** Milliseconds on a monotonic clock, for the gate. */
  monotonicNow?: () => number;
}

export function executeDefragPlan(
  adapter: ClusterAdapter,
  plan: MaintenancePlan,
  settings: DefragSettings,
  control: MaintenanceControl,
): Promise<MaintenanceRun> {
  requireCapability(adapter, 'defragment');
  return runPlan(plan, defragHandlers(adapter, settings, control), control);
}

/** The handlers of `defragment`, `move-leader` and `wait-healthy` (recover nospace reuses them). */
export function defragHandlers(
  adapter: ClusterAdapter,
  settings: DefragSettings,
  control: MaintenanceControl,
): StepHandlers {
  const sleep = control.sleep ?? realSleep;
  const gateControl = {
    sleep,
    ...(control.signal !== undefined && { signal: control.signal }),
    ...(control.monotonicNow !== undefined && { now: control.monotonicNow }),
  };
  const clock = control.monotonicNow ?? (() => performance.now());

  const moveAway = async (status: ClusterStatus, from: MemberStatus) => {
    const transfer = adapter.transferLeader?.bind(adapter);
    if (transfer === undefined) {
      requireCapability(adapter, 'transferLeader');
      throw new UsageError('NO_LEADER_TRANSFER', `${adapter.kind} cannot move leadership`);
    }
    const candidate = pickSuccessor(status, [from.id]);
    if (candidate === undefined) {
      throw new UnsafeOperationError(
        'NO_LEADER_CANDIDATE',
        `no healthy voter can take over from ${from.name}: defragmenting the leader would stall every write`,
        { actions: ['bring the other voters back first (quorumctl status shows which)'] },
      );
    }
    const started = clock();
    const moved = await transfer({ to: refOf(candidate) });
    const after = await adapter.status();
    const leader = leaderOf(after);
    if (leader?.id === from.id) {
      throw new UnsafeOperationError(
        'LEADERSHIP_DID_NOT_MOVE',
        `${from.name} still leads after the transfer to ${candidate.name}`,
        { actions: ['quorumctl status shows the leader; retry once the cluster is stable'] },
      );
    }
    return {
      from: from.name,
      to: leader?.name ?? moved.to ?? candidate.name,
      tookMs: Math.round(clock() - started),
    };
  };

  const defragment = async (step: PlanStep): Promise<StepResult> => {
    if (!step.mutates) {
      return { status: 'skipped', summary: step.description.replace(/^skip \S+ /, '') };
    }
    const defrag = adapter.defragment?.bind(adapter);
    if (defrag === undefined)
      throw new UsageError('NO_DEFRAGMENT', `${adapter.kind} cannot defragment`);
    let status = await adapter.status();
    let member = memberNamed(status, step.member);
    const details: StepDetails = {};
    const soleVoter = () => member.voter && status.members.filter((m) => m.voter).length === 1;
    if (member.id === status.leaderId && !soleVoter()) {
      // Leadership changed since the plan was made: never stall the writes of the leader.
      const moved = await moveAway(status, member);
      details.leaderMovedFirstTo = moved.to;
      status = await adapter.status();
      member = memberNamed(status, step.member);
    }
    if (!member.reachable) {
      throw new UnreachableError(
        'MEMBER_UNREACHABLE',
        `${member.name} (${member.endpoint}) does not answer: ${member.error?.message ?? 'no answer'}`,
        { actions: ['start the member or check the network, then rerun for it with --member'] },
      );
    }
    if (!soleVoter()) {
      guardedChange(
        viewOf(status),
        { type: 'unavailable', member: member.name },
        'DEFRAG_WOULD_LOSE_QUORUM',
      );
    }
    details.leaderAtStart = leaderOf(status)?.name ?? 'none';
    if (member.dbSizeBytes !== undefined) details.dbSizeBeforeBytes = member.dbSizeBytes;
    const started = clock();
    await defrag(refOf(member));
    details.defragMs = Math.round(clock() - started);
    const after = (await adapter.status()).members.find((entry) => entry.name === member.name);
    if (after?.dbSizeBytes !== undefined) details.dbSizeAfterBytes = after.dbSizeBytes;
    if (after?.dbSizeInUseBytes !== undefined) details.dbSizeInUseBytes = after.dbSizeInUseBytes;
    return {
      status: 'done',
      details,
      summary: `${mebibytes(member.dbSizeBytes)} -> ${mebibytes(after?.dbSizeBytes)} in ${seconds(details.defragMs)}`,
    };
  };

  const moveLeader = async (step: PlanStep): Promise<StepResult> => {
    const status = await adapter.status();
    const leader = leaderOf(status);
    if (leader === undefined) {
      throw new UnsafeOperationError('NO_LEADER', 'the cluster has no leader right now', {
        actions: ['wait for an election (quorumctl status), then rerun'],
      });
    }
    if (leader.name !== step.member) {
      return {
        status: 'skipped',
        details: { leader: leader.name },
        summary: `${leader.name} leads already; nothing to move`,
      };
    }
    const moved = await moveAway(status, leader);
    return {
      status: 'done',
      details: moved,
      summary: `${moved.from} -> ${moved.to} in ${seconds(moved.tookMs)}`,
    };
  };

  const waitHealthy = async (step: PlanStep, plan: MaintenancePlan): Promise<StepResult> => {
    const passed = await waitUntilHealthy(
      adapter,
      { member: step.member ?? '', healthyVoters: step.quorumAfter.healthyVoters },
      settings.gate,
      gateControl,
    );
    const details: StepDetails = {
      leader: passed.leader,
      gateMs: passed.waitedMs,
      maxLagEntries: passed.maxLagEntries,
    };
    const more = plan.steps.some(
      (later) => later.index > step.index && later.action === 'defragment' && later.mutates,
    );
    if (more && settings.waitBetweenMs > 0) {
      await sleep(settings.waitBetweenMs, control.signal);
      details.waitedMs = settings.waitBetweenMs;
    }
    return {
      status: 'done',
      details,
      summary: `healthy after ${seconds(passed.waitedMs)}, ${passed.leader} leads${more && settings.waitBetweenMs > 0 ? `, waited ${seconds(settings.waitBetweenMs)}` : ''}`,
    };
  };

  return { defragment, 'move-leader': moveLeader, 'wait-healthy': waitHealthy };
}

function memberNamed(status: ClusterStatus, name: string | undefined): MemberStatus {
  const member = status.members.find((entry) => entry.name === name);
  if (member === undefined) {
    throw new UsageError(
      'MEMBER_GONE',
      `${name ?? '(unnamed)'} is no longer a member of ${status.cluster}`,
      {
        actions: ['quorumctl status lists the members; plan again'],
      },
    );
  }
  return member;
}

function leaderOf(status: ClusterStatus): MemberStatus | undefined {
  return status.members.find((member) => member.id === status.leaderId);
}

function refOf(member: MemberStatus) {
  return { id: member.id, name: member.name, endpoint: member.endpoint };
}

function mebibytes(bytes: number | undefined): string {
  if (bytes === undefined) return '?';
  return bytes < 2 ** 20
    ? `${Math.round(bytes / 1024)} KiB`
    : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function seconds(ms: number | string | boolean | undefined): string {
  const value = Number(ms);
  return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(1)} s`;
}
