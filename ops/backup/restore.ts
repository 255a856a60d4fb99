/**
 * Executes a restore plan step by step with actions the caller provides (a sandbox today),
 * timing each step; the restore time is from the first stop to a healthy cluster.
 */
import type { RestorePlan, RestoreStep } from '../../core/backup/producer.js';
import { InternalError } from '../../core/errors.js';

export interface RestoreActions {
  checkBackup(step: RestoreStep): Promise<void>;
  stopMember(member: string): Promise<void>;
  restoreMember(member: string): Promise<void>;
  /** Called once for all members: a cluster starts together. */
  startMembers(members: string[]): Promise<void>;
  checkHealth(): Promise<void>;
  checkContent(): Promise<void>;
}

export interface ExecutedStep {
  id: string;
  title: string;
  durationMs: number;
}

export async function executeRestorePlan(
  plan: RestorePlan,
  actions: RestoreActions,
  signal?: AbortSignal,
): Promise<{ executed: ExecutedStep[]; restoreMs: number }> {
  const executed: ExecutedStep[] = [];
  const startSteps = plan.steps.filter((step) => step.id.startsWith('start:'));
  let started = false;
  let firstStop: number | undefined;
  let healthyAt: number | undefined;
  for (const step of plan.steps) {
    signal?.throwIfAborted();
    const begin = performance.now();
    const [kind, member] = splitStepId(step.id);
    if (kind === 'check-backup') await actions.checkBackup(step);
    else if (kind === 'stop') {
      firstStop ??= begin;
      await actions.stopMember(need(member, step));
    } else if (kind === 'restore-data') await actions.restoreMember(need(member, step));
    else if (kind === 'start') {
      if (started) continue;
      started = true;
      await actions.startMembers(startSteps.map((start) => need(splitStepId(start.id)[1], start)));
    } else if (kind === 'check-health') {
      await actions.checkHealth();
      healthyAt = performance.now();
    } else if (kind === 'check-content') await actions.checkContent();
    else throw new InternalError('RESTORE_STEP_UNKNOWN', `no action for restore step ${step.id}`);
    executed.push({
      id: kind === 'start' ? 'start' : step.id,
      title:
        kind === 'start' && startSteps.length > 1
          ? 'Start every member from its new data dir'
          : step.title,
      durationMs: Math.round(performance.now() - begin),
    });
  }
  return {
    executed,
    restoreMs: Math.round((healthyAt ?? performance.now()) - (firstStop ?? 0)),
  };
}

function splitStepId(id: string): [string, string | undefined] {
  const at = id.indexOf(':');
  return at === -1 ? [id, undefined] : [id.slice(0, at), id.slice(at + 1)];
}

function need(member: string | undefined, step: RestoreStep): string {
  if (member === undefined)
    throw new InternalError('RESTORE_STEP_INVALID', `restore step ${step.id} names no member`);
  return member;
}
