/**
 * Membership planners (pure): add (etcd: as a learner, then caught up, then promoted), promote,
 * remove and replace as ordered steps, one configuration change at a time, with the quorum
 * guard applied to every step; and the what-if simulator behind `members plan`.
 */
import { UnsafeOperationError, UsageError } from '../errors.js';
import type { ClusterStatus, MemberStatus, SystemKind } from '../model.js';
import { faultTolerance } from '../quorum.js';
import type { MaintenancePlan, PlanAction, PlanRisk, PlanStep } from './plan.js';
import {
  applyChange,
  guardedChange,
  quorumOf,
  quorumViolation,
  viewOf,
  type QuorumView,
  type ViewChange,
} from './quorum-view.js';

export type JoiningRole = 'voter' | 'learner' | 'observer';

/** How a kind of system changes its membership. */
export interface MembershipTraits {
  /** Roles `members add --role` accepts; empty when members cannot be added through an API. */
  roles: readonly JoiningRole[];
  defaultRole: JoiningRole | undefined;
  /**
   * `add-then-start`: the cluster accepts the member, then its process starts and joins (etcd).
   * `start-then-add`: the process starts and syncs, then the configuration change makes it a
   * member (ZooKeeper dynamic reconfig, KRaft AddRaftVoter).
   */
  joinOrder: 'add-then-start' | 'start-then-add';
  /** ZooKeeper: every server must report the same configuration version after a change. */
  verifiesConfig: boolean;
  /** What an operator reads when the kind cannot add members. */
  addUnsupportedReason?: string;
}

const TRAITS: Partial<Record<SystemKind, MembershipTraits>> = {
  etcd: {
    roles: ['learner', 'voter'],
    defaultRole: 'learner',
    joinOrder: 'add-then-start',
    verifiesConfig: false,
  },
  zookeeper: {
    roles: ['voter', 'observer'],
    defaultRole: 'voter',
    joinOrder: 'start-then-add',
    verifiesConfig: true,
  },
  kraft: {
    roles: ['voter'],
    defaultRole: 'voter',
    joinOrder: 'start-then-add',
    verifiesConfig: false,
  },
  nats: {
    roles: [],
    defaultRole: undefined,
    joinOrder: 'start-then-add',
    verifiesConfig: false,
    addUnsupportedReason:
      'NATS servers join by starting with routes to the cluster; there is no add operation (peer remove only)',
  },
};

export function membershipTraits(kind: SystemKind): MembershipTraits {
  return (
    TRAITS[kind] ?? {
      roles: [],
      defaultRole: undefined,
      joinOrder: 'add-then-start',
      verifiesConfig: false,
      addUnsupportedReason: `quorumctl does not change ${kind} membership`,
    }
  );
}

/**
 * Stable code adapters throw (as UnsafeOperationError) when the system refuses to promote a
 * learner that has not caught up yet; the executor retries it with backoff until its deadline.
 */
export const LEARNER_NOT_READY = 'LEARNER_NOT_READY';

/** etcd promotes a learner once its log reaches 90% of the leader's (isLearnerReady). */
export const LEARNER_READY_RATIO = 0.9;

export interface PlanContext {
  /** Inventory or sandbox name shown in the plan. */
  cluster?: string;
  /** Whether the adapter can move leadership (etcd move-leader): used before removing the leader. */
  canTransferLeader?: boolean;
}

export interface AddPlanRequest extends PlanContext {
  name: string;
  role?: JoiningRole;
  /** etcd learners: promote once caught up (default true); false leaves it a learner. */
  promote?: boolean;
}

export interface RemovePlanRequest extends PlanContext {
  name: string;
}

export interface ReplacePlanRequest extends PlanContext {
  /** The member to retire. */
  old: string;
  /** The member that takes its place. */
  name: string;
}

/** The steps of adding `request.name`, with the guard applied at every one. */
export function planAddMember(status: ClusterStatus, request: AddPlanRequest): MaintenancePlan {
  const traits = membershipTraits(status.kind);
  const role = joiningRole(status.kind, traits, request.role);
  assertChangeable(status, request.name);
  assertNewName(status, request.name);
  const builder = new StepBuilder(viewOf(status));
  addSteps(builder, traits, request.name, role, request.promote !== false);
  return finish(status, request, `members add`, builder, [
    ...addRisks(status.kind, role, request.promote !== false, request.name),
  ]);
}

export function planPromoteMember(
  status: ClusterStatus,
  request: PlanContext & { name: string },
): MaintenancePlan {
  const member = requireMember(status, request.name);
  if (member.voter) {
    throw new UsageError('ALREADY_VOTER', `${member.name} already votes: nothing to promote`, {
      actions: ['quorumctl members list shows each member with its role'],
    });
  }
  // ZooKeeper turns an observer into a participant with one reconfig; elsewhere only learners.
  const promotable =
    member.role === 'learner' || (status.kind === 'zookeeper' && member.role === 'observer');
  if (!promotable) {
    throw new UsageError(
      'NOT_A_LEARNER',
      `${member.name} is ${member.role === 'observer' ? 'an observer' : `a ${member.role}`}: only learners are promoted`,
      {
        actions: [
          'quorumctl members list shows which members are learners (or ZooKeeper observers)',
        ],
      },
    );
  }
  assertChangeable(status, member.name);
  const builder = new StepBuilder(viewOf(status));
  builder.step('wait-caught-up', member.name, `wait until ${member.name} has caught up`, false);
  builder.step('promote', member.name, `promote ${member.name} to voter`, true, {
    type: 'promote',
    member: member.name,
  });
  return finish(status, request, 'members promote', builder, []);
}

export function planRemoveMember(
  status: ClusterStatus,
  request: RemovePlanRequest,
): MaintenancePlan {
  const member = requireMember(status, request.name);
  assertChangeable(status, member.name);
  const builder = new StepBuilder(viewOf(status));
  const risks = removeSteps(builder, status, member, request.canTransferLeader === true);
  return finish(status, request, 'members remove', builder, risks);
}

/**
 * Add the new member (etcd: learner, caught up, promoted), then remove the old one: one change
 * at a time, so the cluster never has fewer healthy voters than before the replacement began.
 */
export function planReplaceMember(
  status: ClusterStatus,
  request: ReplacePlanRequest,
): MaintenancePlan {
  const traits = membershipTraits(status.kind);
  const old = requireMember(status, request.old);
  const role = joiningRole(status.kind, traits, undefined);
  if (role === 'observer') throw new UsageError('BAD_ROLE', 'a replacement must vote');
  assertChangeable(status, old.name);
  assertNewName(status, request.name);
  const builder = new StepBuilder(viewOf(status));
  addSteps(builder, traits, request.name, role, true);
  const risks = removeSteps(builder, status, old, request.canTransferLeader === true);
  return finish(status, request, 'members replace', builder, risks);
}

/** The steps that bring `name` in, in the kind's order. */
function addSteps(
  builder: StepBuilder,
  traits: MembershipTraits,
  name: string,
  role: JoiningRole,
  promote: boolean,
): void {
  if (traits.joinOrder === 'add-then-start') {
    // etcd: a member counts from the moment the cluster accepts it, before it has started.
    const action: PlanAction = role === 'learner' ? 'add-learner' : 'add-voter';
    builder.step(action, name, `add ${name} as a ${role} (not started yet)`, true, {
      type: 'add',
      member: name,
      voter: role === 'voter',
      healthy: false,
    });
    builder.step('start-member', name, `start ${name}'s process, joining the cluster`, true, {
      type: 'available',
      member: name,
    });
    if (role === 'learner') {
      builder.step(
        'wait-caught-up',
        name,
        `wait until ${name} has caught up with the leader's log`,
        false,
      );
      if (promote)
        builder.step('promote', name, `promote ${name} to voter`, true, {
          type: 'promote',
          member: name,
        });
    }
    return;
  }
  builder.step('start-member', name, `start ${name}'s process and let it sync`, true, {
    type: 'add',
    member: name,
    voter: false,
    healthy: true,
  });
  if (role === 'observer') {
    builder.step('add-observer', name, `add ${name} as an observer`, true);
  } else {
    builder.step('add-voter', name, `add ${name} as a voter`, true, {
      type: 'promote',
      member: name,
    });
  }
  if (traits.verifiesConfig) verifyStep(builder);
}

function removeSteps(
  builder: StepBuilder,
  status: ClusterStatus,
  member: MemberStatus,
  canTransferLeader: boolean,
): PlanRisk[] {
  const risks: PlanRisk[] = [];
  const leads = member.id === status.leaderId;
  if (leads && canTransferLeader) {
    const successor = successorFor(builder.view, member.name);
    if (successor !== undefined) {
      builder.step(
        'move-leader',
        successor,
        `move leadership from ${member.name} to ${successor}`,
        true,
        { type: 'lead', member: successor },
      );
    }
  } else if (leads) {
    risks.push({
      code: 'LEADER_REMOVED',
      severity: 'info',
      message: `${member.name} leads: the cluster elects another leader after the removal commits (a short write pause)`,
    });
  }
  // A member added but never started has no name yet: the executor finds it by its ID.
  const label = member.name === '(unstarted)' ? member.id : member.name;
  builder.step('remove', label, `remove ${label} from the cluster`, true, {
    type: 'remove',
    member: member.name,
  });
  if (membershipTraits(status.kind).verifiesConfig) verifyStep(builder);
  if (member.reachable) {
    builder.step(
      'stop-member',
      member.name,
      `stop ${member.name}'s process (it no longer belongs to the cluster)`,
      true,
    );
  }
  return risks;
}

function verifyStep(builder: StepBuilder): void {
  builder.step(
    'verify-config',
    undefined,
    'verify every server reports the same configuration version',
    false,
  );
}

/** The healthiest other voter, by name, to lead before `leaving` goes. */
function successorFor(view: QuorumView, leaving: string): string | undefined {
  return view.members
    .filter((member) => member.voter && member.healthy && member.name !== leaving)
    .map((member) => member.name)
    .sort()[0];
}

/** One change the what-if simulator applies: `add:n4`, `add-voter:n4`, `remove:n2`, `down:n3`. */
export type SimulatedChange =
  | { type: 'add'; member: string; role?: JoiningRole }
  | { type: 'promote' | 'remove' | 'down' | 'up'; member: string };

const SIMULATED_FORMS = [
  'add:NAME',
  'add-voter:NAME',
  'add-learner:NAME',
  'add-observer:NAME',
  'promote:NAME',
  'remove:NAME',
  'down:NAME',
  'up:NAME',
];

export function parseSimulatedChange(text: string): SimulatedChange {
  const match = /^([a-z-]+):(\S+)$/.exec(text.trim());
  const verb = match?.[1];
  const member = match?.[2];
  if (verb !== undefined && member !== undefined) {
    switch (verb) {
      case 'add':
        return { type: 'add', member };
      case 'add-voter':
        return { type: 'add', member, role: 'voter' };
      case 'add-learner':
        return { type: 'add', member, role: 'learner' };
      case 'add-observer':
        return { type: 'add', member, role: 'observer' };
      case 'promote':
      case 'remove':
      case 'down':
      case 'up':
        return { type: verb, member };
    }
  }
  throw new UsageError('CHANGE_INVALID', `"${text}" is not a change`, {
    actions: [`changes are ${SIMULATED_FORMS.join(', ')}`, 'e.g. add:n4 promote:n4 remove:n2'],
  });
}

/**
 * What-if: applies the changes in order without refusing any. Every step shows the quorum
 * before and after; a step that leaves fewer healthy voters than a majority becomes a
 * critical `QUORUM_LOST` risk, even voter counts and counts above 7 become warnings.
 */
export function simulateChanges(
  status: ClusterStatus,
  changes: readonly SimulatedChange[],
  context: PlanContext = {},
): MaintenancePlan {
  const traits = membershipTraits(status.kind);
  let view = viewOf(status);
  const steps: PlanStep[] = [];
  const risks: PlanRisk[] = [];
  for (const change of changes) {
    const index = steps.length + 1;
    const { viewChange, action, description } = simulatedStep(status.kind, traits, view, change);
    let after: QuorumView;
    try {
      after = applyChange(view, viewChange);
    } catch (cause) {
      throw new UsageError('CHANGE_INVALID', `step ${index}: ${(cause as Error).message}`, {
        actions: ['quorumctl members list shows the members'],
        cause,
      });
    }
    const violation = quorumViolation(view, viewChange);
    if (violation !== undefined) {
      risks.push({
        code: 'QUORUM_LOST',
        severity: 'critical',
        message: `step ${index}: ${violation}`,
      });
    }
    steps.push({
      index,
      action,
      member: change.member,
      description,
      mutates: change.type !== 'down' && change.type !== 'up',
      quorumBefore: quorumOf(view),
      quorumAfter: quorumOf(after),
    });
    view = after;
  }
  const voterCounts = steps.map((step) => step.quorumAfter.voters);
  risks.push(...sizeRisks(voterCounts));
  return {
    operation: 'members plan',
    cluster: context.cluster ?? status.cluster,
    kind: status.kind,
    preconditions: [
      `starts from the cluster as observed at ${status.observedAt}: ${describeQuorum(viewOf(status))}`,
    ],
    steps,
    risks,
  };
}

function simulatedStep(
  kind: SystemKind,
  traits: MembershipTraits,
  view: QuorumView,
  change: SimulatedChange,
): { viewChange: ViewChange; action: PlanAction; description: string } {
  const { member } = change;
  switch (change.type) {
    case 'add': {
      const role = change.role ?? traits.defaultRole ?? 'voter';
      if (traits.roles.length > 0 && !traits.roles.includes(role)) {
        throw new UsageError('ROLE_UNSUPPORTED', `${kind} members cannot join as ${role}s`, {
          actions: [`${kind} roles: ${traits.roles.join(', ')}`],
        });
      }
      // An etcd voter counts from the moment it is added, before its process has started.
      const unstartedVoter = role === 'voter' && traits.joinOrder === 'add-then-start';
      return {
        viewChange: { type: 'add', member, voter: role === 'voter', healthy: !unstartedVoter },
        action:
          role === 'learner' ? 'add-learner' : role === 'observer' ? 'add-observer' : 'add-voter',
        description: unstartedVoter
          ? `add ${member} as a voter (counts before it has started; up:${member} once it runs)`
          : `add ${member} as a ${role}${role === 'learner' ? ' (running, not voting)' : ''}`,
      };
    }
    case 'promote':
      return {
        viewChange: { type: 'promote', member },
        action: 'promote',
        description: `promote ${member} to voter`,
      };
    case 'remove':
      return {
        viewChange: { type: 'remove', member },
        action: 'remove',
        description: `remove ${member}`,
      };
    case 'down':
      return {
        viewChange: { type: 'unavailable', member },
        action: 'stop-member',
        description: `${member} goes down${isLeader(view, member) ? ' (it leads)' : ''}`,
      };
    case 'up':
      return {
        viewChange: { type: 'available', member },
        action: 'start-member',
        description: `${member} comes back`,
      };
  }
}

function isLeader(view: QuorumView, name: string): boolean {
  return view.members.some((member) => member.name === name && member.leader);
}

function describeQuorum(view: QuorumView): string {
  const quorum = quorumOf(view);
  return `${quorum.healthyVoters} of ${quorum.voters} voters healthy, majority ${quorum.majority}, tolerates ${quorum.faultTolerance}`;
}

/** Warnings about the size of the voting configuration after each step (deduplicated). */
export function sizeRisks(voterCounts: readonly number[]): PlanRisk[] {
  const risks: PlanRisk[] = [];
  const even = [...new Set(voterCounts.filter((count) => count > 0 && count % 2 === 0))];
  for (const count of even) {
    risks.push({
      code: 'EVEN_VOTER_COUNT',
      severity: 'warning',
      message: `${count} voters tolerate ${faultTolerance(count)} failure${faultTolerance(count) === 1 ? '' : 's'}, no more than ${count - 1} do, and need a larger majority (${Math.floor(count / 2) + 1})`,
    });
  }
  const large = Math.max(0, ...voterCounts);
  if (large > 7) {
    risks.push({
      code: 'VOTER_COUNT_ABOVE_7',
      severity: 'warning',
      message: `${large} voters: every write waits for ${Math.floor(large / 2) + 1} acknowledgements; beyond 7 voters latency grows and availability barely improves (add learners or observers instead)`,
    });
  }
  return risks;
}

function addRisks(kind: SystemKind, role: JoiningRole, promote: boolean, name: string): PlanRisk[] {
  if (kind === 'etcd' && role === 'voter') {
    return [
      {
        code: 'VOTER_BEFORE_START',
        severity: 'warning',
        message: `${name} counts as a voter from the moment it is added, before it has started and caught up: the cluster tolerates one failure fewer meanwhile (add it as a learner instead, the default)`,
      },
    ];
  }
  if (role === 'learner' && !promote) {
    return [
      {
        code: 'LEARNER_LEFT',
        severity: 'info',
        message: `${name} stays a learner (--no-promote): promote it with quorumctl members promote ${name}`,
      },
    ];
  }
  return [];
}

function joiningRole(
  kind: SystemKind,
  traits: MembershipTraits,
  requested: JoiningRole | undefined,
): JoiningRole {
  if (traits.defaultRole === undefined) {
    throw new UsageError(
      'ADD_UNSUPPORTED',
      traits.addUnsupportedReason ?? `${kind} members cannot be added`,
      { actions: ['docs/maintenance-members.md lists what each kind supports'] },
    );
  }
  const role = requested ?? traits.defaultRole;
  if (!traits.roles.includes(role)) {
    throw new UsageError('ROLE_UNSUPPORTED', `${kind} members cannot join as ${role}s`, {
      actions: [`--role ${traits.roles.join('|')} for ${kind}`],
    });
  }
  return role;
}

function requireMember(status: ClusterStatus, name: string): MemberStatus {
  const matches = status.members.filter((member) => member.name === name || member.id === name);
  const member = matches[0];
  if (member === undefined || matches.length > 1) {
    throw new UsageError(
      matches.length > 1 ? 'MEMBER_AMBIGUOUS' : 'MEMBER_UNKNOWN',
      matches.length > 1
        ? `"${name}" names ${matches.length} members: use the member id`
        : `${status.cluster} has no member "${name}"`,
      {
        actions: [
          `members: ${status.members.map((candidate) => `${candidate.name} (${candidate.id})`).join(', ')}`,
        ],
      },
    );
  }
  return member;
}

function assertNewName(status: ClusterStatus, name: string): void {
  if (status.members.some((member) => member.name === name)) {
    throw new UsageError('MEMBER_EXISTS', `${status.cluster} already has a member "${name}"`, {
      actions: ['choose another --name', 'quorumctl members list shows the members'],
    });
  }
}

/**
 * One change at a time: a learner still catching up or a member added but never started is a
 * change in progress; only that member may be acted on until it is finished or removed. And a
 * cluster without a leader cannot commit any change.
 */
function assertChangeable(status: ClusterStatus, subject: string): void {
  if (status.leaderId === undefined && (status.leadership ?? 'cluster') === 'cluster') {
    throw new UnsafeOperationError(
      'NO_LEADER',
      `${status.cluster} has no leader: a membership change cannot commit (${status.quorum.healthyVoters} of ${status.quorum.voters} voters healthy, majority ${status.quorum.majority})`,
      {
        actions: [
          'bring the stopped voters back first (quorumctl status shows which)',
          'for lost quorum see docs/maintenance-members.md (disaster recovery from a backup)',
        ],
        details: { quorum: status.quorum },
      },
    );
  }
  const pending = status.members.filter(
    (member) =>
      member.name !== subject &&
      member.id !== subject &&
      (member.role === 'learner' || member.error?.code === 'NOT_STARTED'),
  );
  if (pending.length > 0) {
    const names = pending.map((member) =>
      member.name === '(unstarted)' ? member.id : member.name,
    );
    throw new UnsafeOperationError(
      'MEMBERSHIP_CHANGE_PENDING',
      `another membership change is in progress: ${names.join(', ')} ${pending.length === 1 ? 'is' : 'are'} not a voting member yet`,
      {
        actions: [
          ...pending.map((member) =>
            member.error?.code === 'NOT_STARTED'
              ? `start the added member ${member.id}, or undo it: quorumctl members remove ${member.id}`
              : `finish it: quorumctl members promote ${member.name}, or undo it: quorumctl members remove ${member.name}`,
          ),
        ],
        details: { pending: names },
      },
    );
  }
}

function finish(
  status: ClusterStatus,
  context: PlanContext,
  operation: string,
  builder: StepBuilder,
  risks: PlanRisk[],
): MaintenancePlan {
  const last = builder.steps.at(-1);
  const before = quorumOf(viewOf(status));
  const final = last?.quorumAfter ?? before;
  const allRisks = [...risks, ...sizeRisks([final.voters])];
  if (final.faultTolerance < before.faultTolerance) {
    allRisks.push({
      code: 'FAULT_TOLERANCE_DROPS',
      severity: 'warning',
      message: `fault tolerance drops from ${before.faultTolerance} to ${final.faultTolerance} (${before.voters} -> ${final.voters} voters)`,
    });
  }
  const leader = status.members.find((member) => member.id === status.leaderId);
  return {
    operation,
    cluster: context.cluster ?? status.cluster,
    kind: status.kind,
    preconditions: [
      `${leader?.name ?? 'a member'} leads; ${describeQuorum(viewOf(status))}`,
      'no other membership change is in progress (no learner, no added member that never started)',
      'the quorum guard holds again on fresh status right before each change',
    ],
    steps: builder.steps,
    risks: allRisks,
  };
}

/** Accumulates steps, applying each one's change to the view through the guard (exit 4). */
class StepBuilder {
  readonly steps: PlanStep[] = [];

  constructor(public view: QuorumView) {}

  step(
    action: PlanAction,
    member: string | undefined,
    description: string,
    mutates: boolean,
    change?: ViewChange,
  ): void {
    const before = quorumOf(this.view);
    if (change !== undefined) this.view = guardedChange(this.view, change);
    this.steps.push({
      index: this.steps.length + 1,
      action,
      ...(member !== undefined && { member }),
      description,
      mutates,
      quorumBefore: before,
      quorumAfter: quorumOf(this.view),
    });
  }
}
