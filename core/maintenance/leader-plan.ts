/**
 * Leader planners (pure): `leader transfer` and `leader evacuate --from X`. etcd moves
 * leadership to a chosen member; NATS steps the leader down; ZooKeeper and KRaft have no
 * transfer, so the plan explains the restart-based procedure instead of steps.
 */
import { UnsafeOperationError, UnsupportedOperationError, UsageError } from '../errors.js';
import type { ClusterStatus, MemberStatus, SystemKind } from '../model.js';
import type { MaintenancePlan, PlanRisk, PlanStep } from './plan.js';
import { applyChange, quorumOf, quorumViolation, viewOf } from './quorum-view.js';

/**
 * `move-leader`: the current leader hands over to a named member (etcd MoveLeader).
 * `step-down`: the leader resigns and the group elects again; placement is a preference (NATS).
 * `none`: no API; only restarting the leader's process makes it give up (ZooKeeper, KRaft).
 */
export type LeaderTransferMethod = 'move-leader' | 'step-down' | 'none';

export function leaderTransferMethod(kind: SystemKind): LeaderTransferMethod {
  switch (kind) {
    case 'etcd':
      return 'move-leader';
    case 'nats':
      return 'step-down';
    default:
      return 'none';
  }
}

export interface LeaderTransferRequestPlan {
  /** The member to lead next; omitted = the most caught-up healthy voter. */
  to?: string;
  /** NATS: a stream whose group leader steps down instead of the meta leader. */
  group?: string;
  cluster?: string;
}

export function planLeaderTransfer(
  status: ClusterStatus,
  request: LeaderTransferRequestPlan = {},
): MaintenancePlan {
  const method = leaderTransferMethod(status.kind);
  const operation = 'leader transfer';
  const leader = currentLeader(status);
  if (method === 'none') return unsupportedPlan(status, operation, leader, request);
  if (request.group !== undefined) return groupStepDownPlan(status, request.group, request);
  if (leader === undefined) throw noLeader(status);
  const to = request.to === undefined ? undefined : requireCandidate(status, request.to);
  if (to !== undefined && to.id === leader.id) {
    return plan(
      status,
      operation,
      request,
      [],
      [
        {
          code: 'ALREADY_LEADS',
          severity: 'info',
          message: `${to.name} already leads: nothing to do`,
        },
      ],
    );
  }
  return transferPlan(status, operation, request, leader, to);
}

/** Moves leadership off `from` before maintenance on it; a no-op when it does not lead. */
export function planLeaderEvacuate(
  status: ClusterStatus,
  request: { from: string; cluster?: string },
): MaintenancePlan {
  const operation = 'leader evacuate';
  const from = findMember(status, request.from);
  if (from === undefined) {
    throw new UsageError('MEMBER_UNKNOWN', `${status.cluster} has no member "${request.from}"`, {
      actions: [`members: ${status.members.map((member) => member.name).join(', ')}`],
    });
  }
  const leader = currentLeader(status);
  const method = leaderTransferMethod(status.kind);
  if (method === 'none' && leader?.id === from.id) {
    return unsupportedPlan(status, operation, leader, {});
  }
  if (leader === undefined) throw noLeader(status);
  if (leader.id !== from.id) {
    return plan(
      status,
      operation,
      request,
      [],
      [
        {
          code: 'NOT_LEADER',
          severity: 'info',
          message: `${from.name} does not lead (${leader.name} does): nothing to move`,
        },
      ],
    );
  }
  return transferPlan(status, operation, request, leader, undefined);
}

/** The healthy voter that should lead next: the most caught-up, then by name. */
export function pickSuccessor(
  status: ClusterStatus,
  exclude: readonly string[],
): MemberStatus | undefined {
  return status.members
    .filter(
      (member) =>
        member.voter &&
        member.reachable &&
        !exclude.includes(member.id) &&
        member.id !== status.leaderId,
    )
    .sort((a, b) => (b.commitIndex ?? 0) - (a.commitIndex ?? 0) || a.name.localeCompare(b.name))[0];
}

/** What an operator does where no transfer API exists: restart the leader, let the rest elect. */
export function restartBasedProcedure(kind: SystemKind, leader: string | undefined): string[] {
  const who = leader ?? 'the leader';
  const election =
    kind === 'zookeeper'
      ? 'the remaining servers elect the one with the most recent zxid (ties: the highest server id); you cannot choose it'
      : 'the remaining voters elect a leader after controller.quorum.election.timeout.ms (randomised); you cannot choose it';
  return [
    `check the quorum tolerates one member down: quorumctl members plan down:${who}`,
    `check every follower is caught up: quorumctl status (lag near 0)`,
    `restart ${who}'s process on its host (e.g. systemctl restart ${kind === 'zookeeper' ? 'zookeeper' : 'kafka'})`,
    election,
    `confirm another member leads and ${who} rejoined as a follower: quorumctl status`,
  ];
}

/** The error a command exits with (2) for kinds without a transfer API; actions are the runbook. */
export function leaderTransferUnsupported(
  plan: MaintenancePlan,
  leader: string | undefined,
): UnsupportedOperationError {
  return new UnsupportedOperationError(
    'LEADER_TRANSFER_UNSUPPORTED',
    `${kindName(plan.kind)} has no leader transfer: leadership moves only when the leader restarts`,
    {
      actions: restartBasedProcedure(plan.kind, leader),
      details: { plan },
    },
  );
}

function unsupportedPlan(
  status: ClusterStatus,
  operation: string,
  leader: MemberStatus | undefined,
  request: { cluster?: string },
): MaintenancePlan {
  const risks: PlanRisk[] = [
    {
      code: 'NO_LEADER_TRANSFER',
      severity: 'info',
      message: `${kindName(status.kind)} has no leader transfer API; the restart-based procedure follows`,
    },
    ...restartBasedProcedure(status.kind, leader?.name).map((line, index) => ({
      code: `PROCEDURE_STEP_${index + 1}`,
      severity: 'info' as const,
      message: line,
    })),
  ];
  if (leader !== undefined) {
    const violation = quorumViolation(viewOf(status), { type: 'unavailable', member: leader.name });
    if (violation !== undefined) {
      risks.push({
        code: 'RESTART_LOSES_QUORUM',
        severity: 'critical',
        message: `restarting ${leader.name} now would cost quorum: ${violation}`,
      });
    }
  }
  return plan(status, operation, request, [], risks);
}

function transferPlan(
  status: ClusterStatus,
  operation: string,
  request: { cluster?: string; to?: string },
  leader: MemberStatus,
  to: MemberStatus | undefined,
): MaintenancePlan {
  const method = leaderTransferMethod(status.kind);
  const successor = to ?? pickSuccessor(status, [leader.id]);
  if (method === 'move-leader' && successor === undefined) {
    throw new UnsafeOperationError(
      'NO_SUCCESSOR',
      `no healthy voter other than ${leader.name} can take over leadership`,
      {
        actions: ['bring the other voters back first (quorumctl status shows which)'],
        details: { quorum: status.quorum },
      },
    );
  }
  const view = viewOf(status);
  const after =
    successor === undefined ? view : applyChange(view, { type: 'lead', member: successor.name });
  const risks: PlanRisk[] = [];
  let step: PlanStep;
  if (method === 'move-leader' && successor !== undefined) {
    step = {
      index: 1,
      action: 'move-leader',
      member: successor.name,
      description: `move leadership from ${leader.name} to ${successor.name}`,
      mutates: true,
      quorumBefore: quorumOf(view),
      quorumAfter: quorumOf(after),
    };
  } else {
    step = {
      index: 1,
      action: 'step-down',
      member: leader.name,
      description:
        to === undefined
          ? `${leader.name} steps down; the group elects another leader`
          : `${leader.name} steps down, asking for ${to.name} as the next leader`,
      mutates: true,
      quorumBefore: quorumOf(view),
      quorumAfter: quorumOf(view),
    };
    risks.push({
      code: 'SUCCESSOR_NOT_GUARANTEED',
      severity: 'info',
      message:
        to === undefined
          ? 'the group picks the next leader; quorumctl reports who leads afterwards'
          : `${to.name} is asked for as placement; servers that do not support a preferred leader pick their own`,
    });
  }
  if (status.quorum.faultTolerance === 0) {
    risks.push({
      code: 'NO_FAULT_TOLERANCE',
      severity: 'warning',
      message: `${status.quorum.voters} voter${status.quorum.voters === 1 ? '' : 's'}: no member may fail during the election`,
    });
  }
  return plan(status, operation, request, [step], risks);
}

function groupStepDownPlan(
  status: ClusterStatus,
  group: string,
  request: LeaderTransferRequestPlan,
): MaintenancePlan {
  const quorum = quorumOf(viewOf(status));
  const step: PlanStep = {
    index: 1,
    action: 'step-down',
    description: `the leader of ${group} steps down${request.to === undefined ? '' : `, asking for ${request.to}`}`,
    mutates: true,
    quorumBefore: quorum,
    quorumAfter: quorum,
  };
  return plan(
    status,
    'leader transfer',
    request,
    [step],
    [
      {
        code: 'SUCCESSOR_NOT_GUARANTEED',
        severity: 'info',
        message: `the replicas of ${group} elect the next leader`,
      },
    ],
  );
}

function plan(
  status: ClusterStatus,
  operation: string,
  request: { cluster?: string },
  steps: PlanStep[],
  risks: PlanRisk[],
): MaintenancePlan {
  const leader = currentLeader(status);
  return {
    operation,
    cluster: request.cluster ?? status.cluster,
    kind: status.kind,
    preconditions: [
      leader === undefined
        ? 'the cluster has a leader'
        : `${leader.name} leads at term ${status.term ?? '?'}`,
      'the new leader is a healthy voter',
    ],
    steps,
    risks,
  };
}

function currentLeader(status: ClusterStatus): MemberStatus | undefined {
  return status.members.find((member) => member.id === status.leaderId);
}

function findMember(status: ClusterStatus, name: string): MemberStatus | undefined {
  return status.members.find((member) => member.name === name || member.id === name);
}

function requireCandidate(status: ClusterStatus, name: string): MemberStatus {
  const member = findMember(status, name);
  if (member === undefined) {
    throw new UsageError('MEMBER_UNKNOWN', `${status.cluster} has no member "${name}"`, {
      actions: [`members: ${status.members.map((candidate) => candidate.name).join(', ')}`],
    });
  }
  if (!member.voter) {
    throw new UsageError(
      'NOT_A_VOTER',
      `${member.name} is a ${member.role}: only voters can lead`,
      {
        actions: ['promote it first: quorumctl members promote ' + member.name],
      },
    );
  }
  if (!member.reachable) {
    throw new UnsafeOperationError(
      'MEMBER_UNHEALTHY',
      `${member.name} does not answer: it cannot lead`,
      {
        actions: ['choose a healthy member (quorumctl status), or omit --to to let quorumctl pick'],
      },
    );
  }
  return member;
}

function noLeader(status: ClusterStatus): UnsafeOperationError {
  return new UnsafeOperationError(
    'NO_LEADER',
    `${status.cluster} has no leader to transfer from (${status.quorum.healthyVoters} of ${status.quorum.voters} voters healthy, majority ${status.quorum.majority})`,
    {
      actions: ['quorumctl status shows which voters are down; bring them back first'],
      details: { quorum: status.quorum },
    },
  );
}

function kindName(kind: SystemKind): string {
  return kind === 'zookeeper' ? 'ZooKeeper' : kind === 'kraft' ? 'KRaft' : kind;
}
