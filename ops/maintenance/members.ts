/**
 * Executes membership plans (add, promote, remove, replace) against any adapter with the
 * `membership` capability: the quorum guard again on fresh status before every change, the
 * new member's process started through a MemberProvisioner, learner catch-up shown as a
 * percentage of the leader's index with an ETA, promotion retried until etcd accepts it, and
 * the catch-up timeout policy.
 */
import { requireCapability } from '../../core/capabilities.js';
import type { MemberRef } from '../../core/check/observations.js';
import {
  PartialFailureError,
  UnreachableError,
  UnsupportedOperationError,
  UsageError,
  describeCause,
  isQuorumctlError,
} from '../../core/errors.js';
import {
  LEARNER_NOT_READY,
  LEARNER_READY_RATIO,
  membershipTraits,
  type JoiningRole,
} from '../../core/maintenance/membership-plan.js';
import type { MaintenancePlan, PlanStep } from '../../core/maintenance/plan.js';
import { guardedChange, viewOf, type ViewChange } from '../../core/maintenance/quorum-view.js';
import type { ClusterStatus, MemberStatus } from '../../core/model.js';
import type { AddedMember, AddMemberRequest, ClusterAdapter } from '../../core/ports.js';
import { SILENT_PROGRESS, type ProgressSink } from '../../core/progress.js';
import { moveLeadership, realSleep, type PollControl } from './leader.js';
import { runPlan, type MaintenanceRun, type StepResult } from './plan-runner.js';

/**
 * Starts and stops member processes: the sandbox does it itself; for real clusters the CLI
 * passes a provisioner that prints what to run on the new host and lets the executor wait.
 */
export interface MemberProvisioner {
  /** Where a new member will listen when the operator gave no addresses (a sandbox picks ports). */
  reserve?(name: string, role: JoiningRole): Promise<JoiningAddresses>;
  /** Starts the joining member; `added` is the cluster's answer when it was added first (etcd). */
  start(request: AddMemberRequest, added: AddedMember | undefined): Promise<void>;
  /** Stops a member's process once it no longer belongs to the cluster. */
  stop(member: MemberRef): Promise<void>;
}

export interface JoiningAddresses {
  peerUrls: string[];
  clientUrls: string[];
  id?: string;
}

export interface CatchUpPolicy {
  /** How long a learner may take to catch up (and etcd to accept its promotion). */
  timeoutMs: number;
  /** `remove`: take the learner out again (the cluster is as before); `leave`: keep it. */
  onTimeout: 'remove' | 'leave';
}

/** A learner counts as caught up within this many entries of the leader (and etcd's 90%). */
export const CATCH_UP_MAX_LAG_ENTRIES = 1000;

export interface MembershipRun extends PollControl {
  adapter: ClusterAdapter;
  plan: MaintenancePlan;
  /** The joining member (add, replace): name, peer URLs; the role follows the plan's steps. */
  joining?: AddMemberRequest;
  provisioner: MemberProvisioner;
  progress?: ProgressSink;
  catchUp: CatchUpPolicy;
  /** How long a started member may take to answer. Default 60 s. */
  startTimeoutMs?: number;
}

export interface MembershipOutcome extends MaintenanceRun {
  /** The member the cluster accepted, when the plan added one. */
  added?: AddedMember;
}

export async function executeMembershipPlan(run: MembershipRun): Promise<MembershipOutcome> {
  const { adapter, plan } = run;
  requireCapability(adapter, 'membership');
  const executor = new MembershipExecutor(run);
  const outcome = await runPlan(
    plan,
    {
      'add-learner': (step) => executor.add(step, 'learner'),
      'add-voter': (step) => executor.add(step, 'voter'),
      'add-observer': (step) => executor.add(step, 'observer'),
      'start-member': (step) => executor.start(step),
      'wait-caught-up': (step) => executor.waitCaughtUp(step),
      promote: (step) => executor.promote(step),
      'move-leader': (step) => executor.moveLeader(step),
      remove: (step) => executor.remove(step),
      'stop-member': (step) => executor.stop(step),
      'verify-config': () => executor.verifyConfig(),
    },
    {
      progress: run.progress ?? SILENT_PROGRESS,
      ...(run.signal !== undefined && { signal: run.signal }),
    },
  );
  return executor.added === undefined ? outcome : { ...outcome, added: executor.added };
}

/** The state one run carries from step to step: the added member, removed members' refs. */
class MembershipExecutor {
  added: AddedMember | undefined;
  private readonly removed = new Map<string, MemberRef>();
  /** When the learner's catch-up began: promotion shares its deadline. */
  private catchUpDeadline: number | undefined;
  private readonly now: () => number;
  private readonly traits;

  constructor(private readonly run: MembershipRun) {
    this.now = run.now ?? (() => performance.now());
    this.traits = membershipTraits(run.adapter.kind);
  }

  async add(step: PlanStep, role: JoiningRole): Promise<StepResult> {
    const joining = this.joining(step);
    const status = await this.freshStatus();
    const existing = findMember(status, joining.name);
    const startsFirst = this.traits.joinOrder === 'start-then-add';
    // The guard on fresh status: the cluster may have changed since the plan was made.
    this.guard(
      status,
      existing !== undefined && startsFirst && role === 'voter'
        ? { type: 'promote', member: existing.name }
        : {
            type: 'add',
            member: joining.name,
            voter: role === 'voter',
            healthy: startsFirst,
          },
      existing !== undefined && !startsFirst,
    );
    const added = await membershipCall(this.run.adapter, 'addMember')({ ...joining, role });
    this.added = added;
    return {
      status: 'done',
      details: {
        memberId: added.id,
        ...(added.configVersion !== undefined && { configVersion: added.configVersion }),
      },
      summary: `${joining.name} added as ${role} (id ${added.id})`,
    };
  }

  async start(step: PlanStep): Promise<StepResult> {
    const joining = this.joining(step);
    await this.run.provisioner.start(joining, this.added);
    // Kinds that start first cannot show the member before it is added: the add step waits.
    if (this.traits.joinOrder === 'start-then-add') return { status: 'done' };
    const timeoutMs = this.run.startTimeoutMs ?? 60_000;
    const deadline = this.now() + timeoutMs;
    for (;;) {
      const status = await this.run.adapter.status().catch(() => undefined);
      const member = status === undefined ? undefined : this.joiningMember(status, joining.name);
      if (member?.reachable === true) {
        return {
          status: 'done',
          details: { memberId: member.id },
          summary: `${member.name} answers`,
        };
      }
      if (this.now() >= deadline) {
        throw new UnreachableError(
          'MEMBER_NOT_STARTED',
          `${joining.name} did not answer within ${Math.round(timeoutMs / 1000)} s of being started`,
          {
            actions: [
              `check its process and log on its host; it must start with ${startFlagsHint(this.added)}`,
              `undo: quorumctl members remove ${this.added?.id ?? joining.name}`,
            ],
          },
        );
      }
      this.report(step, `waiting for ${joining.name} to answer`);
      await this.sleep();
    }
  }

  /** Polls until the learner is within reach of the leader's index; applies the timeout policy. */
  async waitCaughtUp(step: PlanStep): Promise<StepResult> {
    const name = step.member ?? this.joining(step).name;
    const policy = this.run.catchUp;
    const started = this.now();
    this.catchUpDeadline = started + policy.timeoutMs;
    let first: { at: number; gap: number } | undefined;
    let last: CatchUp | undefined;
    for (;;) {
      const status = await this.run.adapter.status().catch(() => undefined);
      const learner = status === undefined ? undefined : this.joiningMember(status, name);
      const progress =
        status === undefined || learner === undefined ? undefined : catchUpOf(status, learner);
      if (progress !== undefined) {
        last = progress;
        first ??= { at: this.now(), gap: progress.lagEntries };
        if (progress.caughtUp) {
          return {
            status: 'done',
            details: {
              catchUpPercent: progress.percent,
              lagEntries: progress.lagEntries,
              leaderIndex: progress.leaderIndex,
            },
            summary: `${progress.percent}% of the leader's index (${progress.lagEntries} entries behind)`,
          };
        }
        this.report(step, describeCatchUp(progress, etaSeconds(first, progress, this.now())));
      } else {
        this.report(step, `waiting for ${name} to report its index`);
      }
      if (this.now() >= this.catchUpDeadline) return this.catchUpTimedOut(name, last);
      await this.sleep();
    }
  }

  async promote(step: PlanStep): Promise<StepResult> {
    const name = step.member ?? this.joining(step).name;
    const deadline = this.catchUpDeadline ?? this.now() + this.run.catchUp.timeoutMs;
    for (let attempt = 1; ; attempt += 1) {
      const status = await this.freshStatus();
      const member = this.requireJoining(status, name);
      this.guard(status, { type: 'promote', member: member.name });
      try {
        await membershipCall(this.run.adapter, 'promoteMember')(refOf(member));
        return {
          status: 'done',
          details: { memberId: member.id, attempts: attempt },
          summary: `${member.name} votes`,
        };
      } catch (error) {
        if (!isQuorumctlError(error) || error.code !== LEARNER_NOT_READY) throw error;
        if (this.now() >= deadline) return this.catchUpTimedOut(member.name, undefined);
        const waitMs = Math.min(4000, 500 * 2 ** (attempt - 1));
        this.report(
          step,
          `not in sync yet (etcd refused); retrying in ${(waitMs / 1000).toFixed(1)} s`,
        );
        await this.sleep(waitMs);
      }
    }
  }

  async moveLeader(step: PlanStep): Promise<StepResult> {
    if (step.member === undefined) throw new UsageError('NO_TARGET', 'move-leader needs a member');
    if (!this.run.adapter.capabilities.has('transferLeader')) {
      return {
        status: 'skipped',
        details: { reason: 'no leader transfer: the cluster elects after the removal' },
      };
    }
    const moved = await moveLeadership(this.run.adapter, step.member, this.run);
    return { status: 'done', details: moved, summary: `${moved.from} -> ${moved.to}` };
  }

  async remove(step: PlanStep): Promise<StepResult> {
    const name = required(step.member);
    const status = await this.freshStatus();
    const member = findMember(status, name);
    if (member === undefined) {
      throw new UsageError('MEMBER_UNKNOWN', `${status.cluster} has no member "${name}" any more`, {
        actions: ['quorumctl members list shows the members now'],
      });
    }
    this.guard(status, { type: 'remove', member: member.name });
    const ref = refOf(member);
    await membershipCall(this.run.adapter, 'removeMember')(ref);
    this.removed.set(name, ref);
    return { status: 'done', details: { memberId: member.id }, summary: `${name} removed` };
  }

  async stop(step: PlanStep): Promise<StepResult> {
    const name = required(step.member);
    const ref = this.removed.get(name) ?? { id: name, name, endpoint: '' };
    await this.run.provisioner.stop(ref);
    return { status: 'done' };
  }

  /** Every reachable member reports the same configuration version (ZooKeeper's `version=`). */
  async verifyConfig(): Promise<StepResult> {
    const deadline = this.now() + 15_000;
    for (;;) {
      const status = await this.freshStatus();
      const versions = status.members
        .filter((member) => member.reachable)
        .map((member) => member.attributes?.configVersion);
      if (versions.every((version) => version === undefined)) {
        return {
          status: 'skipped',
          details: { reason: 'members do not report a configuration version' },
        };
      }
      const distinct = [...new Set(versions.map(String))];
      if (distinct.length === 1) {
        return { status: 'done', details: { configVersion: distinct[0] ?? '' } };
      }
      if (this.now() >= deadline) {
        throw new PartialFailureError(
          'CONFIG_DIVERGED',
          `members report different configuration versions: ${distinct.join(', ')}`,
          {
            actions: [
              'quorumctl status shows each member; restart the member with the old configuration',
            ],
          },
        );
      }
      await this.sleep();
    }
  }

  /** The timeout policy: remove the learner again (the cluster is as before) or leave it. */
  private async catchUpTimedOut(name: string, last: CatchUp | undefined): Promise<never> {
    const policy = this.run.catchUp;
    const where =
      last === undefined
        ? 'never reported its index'
        : `reached ${last.percent}% of the leader's index`;
    const seconds = Math.round(policy.timeoutMs / 1000);
    if (policy.onTimeout === 'leave') {
      throw new PartialFailureError(
        'CATCH_UP_TIMEOUT',
        `${name} did not catch up within ${seconds} s (${where}); it is left as a learner`,
        {
          actions: [
            `promote it later: quorumctl members promote ${name}`,
            `or undo: quorumctl members remove ${name}`,
            'a learner that never catches up often lacks bandwidth or disk: quorumctl check',
          ],
        },
      );
    }
    let undone = 'it was removed again: the cluster is as before';
    try {
      const status = await this.freshStatus();
      const member = this.joiningMember(status, name);
      if (member !== undefined) {
        await membershipCall(this.run.adapter, 'removeMember')(refOf(member));
        await this.run.provisioner.stop(refOf(member)).catch(() => undefined);
      }
    } catch (error) {
      undone = `removing it again failed too (${describeCause(error)}): remove it by hand`;
    }
    throw new PartialFailureError(
      'CATCH_UP_TIMEOUT',
      `${name} did not catch up within ${seconds} s (${where}); ${undone}`,
      {
        actions: [
          'a learner that never catches up often lacks bandwidth or disk: quorumctl check',
          'retry with a longer --catch-up-timeout, or --on-timeout leave to keep the learner',
        ],
      },
    );
  }

  private guard(status: ClusterStatus, change: ViewChange, exists = false): void {
    if (exists) {
      throw new UsageError(
        'MEMBER_EXISTS',
        `${status.cluster} already has a member "${change.member}"`,
        {
          actions: ['quorumctl members list shows the members'],
        },
      );
    }
    guardedChange(viewOf(status), change);
  }

  private async freshStatus(): Promise<ClusterStatus> {
    return this.run.adapter.status();
  }

  /** The joining member: by the id the cluster gave it (etcd lists it unnamed until it starts). */
  private joiningMember(status: ClusterStatus, name: string): MemberStatus | undefined {
    const id = this.added?.name === name ? this.added.id : undefined;
    return status.members.find(
      (member) =>
        (id !== undefined && member.id === id) || member.name === name || member.id === name,
    );
  }

  private requireJoining(status: ClusterStatus, name: string): MemberStatus {
    const member = this.joiningMember(status, name);
    if (member !== undefined) return member;
    throw new UsageError('MEMBER_UNKNOWN', `${status.cluster} has no member "${name}"`, {
      actions: ['quorumctl members list shows the members'],
    });
  }

  private joining(step: PlanStep): AddMemberRequest {
    const joining = this.run.joining;
    if (joining === undefined || (step.member !== undefined && joining.name !== step.member)) {
      throw new UsageError(
        'NO_JOINING_MEMBER',
        `step ${step.index} needs the joining member's addresses`,
      );
    }
    return joining;
  }

  private report(step: PlanStep, detail: string): void {
    (this.run.progress ?? SILENT_PROGRESS).report({
      step: String(step.index),
      label: step.description,
      state: 'running',
      detail,
    });
  }

  private async sleep(ms = this.run.pollMs ?? 500): Promise<void> {
    await (this.run.sleep ?? realSleep)(ms, this.run.signal);
  }
}

export interface CatchUp {
  percent: number;
  lagEntries: number;
  learnerIndex: number;
  leaderIndex: number;
  caughtUp: boolean;
}

/** The learner's raft index as a share of the leader's; undefined until both are known. */
export function catchUpOf(status: ClusterStatus, learner: MemberStatus): CatchUp | undefined {
  const leader = status.members.find((member) => member.id === status.leaderId);
  const leaderIndex = leader?.commitIndex;
  const learnerIndex = learner.commitIndex;
  if (!learner.reachable || leaderIndex === undefined || learnerIndex === undefined)
    return undefined;
  const lagEntries = Math.max(0, leaderIndex - learnerIndex);
  const ratio = leaderIndex === 0 ? 1 : Math.min(1, learnerIndex / leaderIndex);
  return {
    percent: Math.floor(ratio * 100),
    lagEntries,
    learnerIndex,
    leaderIndex,
    caughtUp: ratio >= LEARNER_READY_RATIO && lagEntries <= CATCH_UP_MAX_LAG_ENTRIES,
  };
}

/** Seconds until the gap closes at the rate it has closed so far; undefined while it does not. */
export function etaSeconds(
  first: { at: number; gap: number },
  now: CatchUp,
  atMs: number,
): number | undefined {
  const elapsedMs = atMs - first.at;
  const closed = first.gap - now.lagEntries;
  if (elapsedMs <= 0 || closed <= 0) return undefined;
  return Math.ceil((now.lagEntries / closed) * (elapsedMs / 1000));
}

export function describeCatchUp(progress: CatchUp, eta: number | undefined): string {
  return (
    `${progress.percent}% of the leader's index (${progress.learnerIndex}/${progress.leaderIndex}, ` +
    `${progress.lagEntries} behind)${eta === undefined ? '' : `, ETA ${eta} s`}`
  );
}

function findMember(status: ClusterStatus, name: string): MemberStatus | undefined {
  return status.members.find((member) => member.name === name || member.id === name);
}

function refOf(member: MemberStatus): MemberRef {
  return { id: member.id, name: member.name, endpoint: member.endpoint };
}

function required(member: string | undefined): string {
  if (member === undefined) throw new UsageError('NO_MEMBER', 'this step needs a member');
  return member;
}

function startFlagsHint(added: AddedMember | undefined): string {
  const env = added?.startEnvironment;
  if (env === undefined) return 'the flags quorumctl printed';
  return Object.entries(env)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}

/** The adapter's membership operation, bound; a clear error when the adapter lacks it. */
function membershipCall<K extends 'addMember' | 'promoteMember' | 'removeMember'>(
  adapter: ClusterAdapter,
  operation: K,
): NonNullable<ClusterAdapter[K]> {
  const call = adapter[operation];
  if (call === undefined) {
    throw new UnsupportedOperationError(
      'CAPABILITY_NOT_SUPPORTED',
      `the ${adapter.kind} adapter cannot ${operation === 'addMember' ? 'add' : operation === 'promoteMember' ? 'promote' : 'remove'} members`,
      { actions: ['docs/maintenance-members.md lists what each kind supports'] },
    );
  }
  return call.bind(adapter) as NonNullable<ClusterAdapter[K]>;
}
