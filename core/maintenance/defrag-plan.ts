/**
 * The defragmentation planner (pure): one member, or a rolling pass where followers go first,
 * leadership moves to the most caught-up follower and the former leader goes last, with a
 * health gate after every member and the quorum before and after each step.
 *
 * Step conventions the executor relies on:
 * - `defragment` with `mutates: false` is a planned skip (unreachable, or below
 *   --if-fragmented); its description says why.
 * - a `defragment` step's quorumAfter is the quorum while the member is out (the low point);
 *   the `wait-healthy` step after it returns the member (quorumAfter back to full).
 * - `move-leader` names the member leadership moves away from; the executor picks the most
 *   caught-up healthy follower at that moment (pickSuccessor; the plan shows today's pick).
 */
import { UnreachableError, UnsafeOperationError, UsageError } from '../errors.js';
import type { ClusterStatus, MemberStatus } from '../model.js';
import type { QuorumSummary } from '../quorum.js';
import type { MaintenancePlan, PlanRisk, PlanStep } from './plan.js';
import { pickSuccessor } from './leader-plan.js';
import { applyChange, guardedChange, quorumOf, viewOf, type QuorumView } from './quorum-view.js';

export interface DefragRequest {
  /** One member by name, ID or client URL; omitted = rolling across the cluster. */
  member?: string;
  /** Skip members whose free share (dbSize - dbSizeInUse) / dbSize is below this (0..1). */
  ifFragmentedRatio?: number;
  /** The health gate's lag threshold, shown in the gate steps. */
  maxLagEntries: number;
  /** The command shown in the plan; `recover nospace` reuses the rolling steps. */
  operation?: string;
}

/** A plan being built: steps without their index yet, and the view they lead to. */
interface Draft {
  view: QuorumView;
  steps: Omit<PlanStep, 'index'>[];
  risks: PlanRisk[];
}

export function planDefrag(status: ClusterStatus, request: DefragRequest): MaintenancePlan {
  if (request.ifFragmentedRatio !== undefined) assertRatio(request.ifFragmentedRatio);
  const leader = status.members.find((member) => member.id === status.leaderId);
  if (leader === undefined) throw noLeader(status);
  const draft: Draft = { view: viewOf(status), steps: [], risks: [] };
  const now = quorumOf(draft.view);
  if (!now.hasQuorum) {
    throw new UnsafeOperationError(
      'NO_QUORUM',
      `cluster "${status.cluster}" has ${now.healthyVoters} of ${now.voters} healthy voters; majority of ${now.voters} is ${now.majority}: it must regain quorum before any maintenance`,
      { actions: ['bring the unhealthy voters back first (quorumctl status shows which)'] },
    );
  }
  const targets = request.member === undefined ? rollingOrder(status, leader) : [];
  if (request.member !== undefined) {
    const named = resolveMember(status, request.member);
    if (!named.reachable) throw memberUnreachable(named);
    targets.push(named);
  }

  for (const member of targets) {
    const role = member.id === leader.id ? 'leader' : member.voter ? 'follower' : 'learner';
    const skip = skipReason(member, request.ifFragmentedRatio);
    if (skip !== undefined) {
      draft.steps.push(skipStep(member, role, skip, quorumOf(draft.view)));
      continue;
    }
    const moved = role === 'leader' && moveLeadershipAway(draft, status, member);
    defragmentAndGate(draft, member, moved ? 'former leader' : role, request);
  }

  const preconditions = [
    `${leader.name} leads (checked again before leadership moves)`,
    'every member keeps a majority of healthy voters while one is out (checked again before each defragment)',
  ];
  return {
    operation: request.operation ?? 'defrag',
    cluster: status.cluster,
    kind: status.kind,
    preconditions,
    steps: draft.steps.map((step, index) => ({ index: index + 1, ...step })),
    risks: draft.risks,
  };
}

/** A member named by name, ID or client URL (trailing slash and localhost tolerated). */
export function resolveMember(status: ClusterStatus, reference: string): MemberStatus {
  const wanted = normalizeEndpoint(reference);
  const found = status.members.find(
    (member) =>
      member.name === reference ||
      member.id === reference ||
      normalizeEndpoint(member.endpoint) === wanted,
  );
  if (found !== undefined) return found;
  throw new UsageError(
    'MEMBER_NOT_FOUND',
    `cluster "${status.cluster}" has no member "${reference}"`,
    {
      actions: [
        `members: ${status.members.map((member) => `${member.name} (${member.endpoint})`).join(', ')}`,
        'name a member by its name, ID or client URL',
      ],
    },
  );
}

/** The share of the backend file that is free pages, 0..1; undefined without sizes. */
export function freeRatio(member: Pick<MemberStatus, 'dbSizeBytes' | 'dbSizeInUseBytes'>) {
  const size = member.dbSizeBytes;
  const inUse = member.dbSizeInUseBytes;
  if (size === undefined || inUse === undefined || size <= 0) return undefined;
  return Math.max(0, (size - inUse) / size);
}

/** Followers and learners by name, the leader last. */
function rollingOrder(status: ClusterStatus, leader: MemberStatus): MemberStatus[] {
  const others = status.members
    .filter((member) => member.id !== leader.id)
    .sort((a, b) => a.name.localeCompare(b.name));
  return [...others, leader];
}

function skipReason(member: MemberStatus, minimumRatio: number | undefined): string | undefined {
  if (!member.reachable) {
    return `unreachable (${member.error?.message ?? 'no answer'})`;
  }
  if (minimumRatio === undefined) return undefined;
  const ratio = freeRatio(member);
  if (ratio === undefined) return 'its database size is unknown';
  return ratio < minimumRatio
    ? `${percent(ratio)} free, below --if-fragmented ${percent(minimumRatio)}`
    : undefined;
}

function skipStep(
  member: MemberStatus,
  role: string,
  reason: string,
  quorum: QuorumSummary,
): Omit<PlanStep, 'index'> {
  return {
    action: 'defragment',
    member: member.name,
    description: `skip ${member.name} (${role}): ${reason}`,
    mutates: false,
    quorumBefore: quorum,
    quorumAfter: quorum,
  };
}

/** Adds the move-leader step; false when no healthy voter could take over. */
function moveLeadershipAway(draft: Draft, status: ClusterStatus, leader: MemberStatus): boolean {
  const candidate = pickSuccessor(status, [leader.id]);
  if (candidate === undefined) {
    // A lone voter cannot hand over; the guard below decides whether it may go out at all.
    return false;
  }
  const before = quorumOf(draft.view);
  draft.view = applyChange(draft.view, { type: 'lead', member: candidate.name });
  draft.steps.push({
    action: 'move-leader',
    member: leader.name,
    description: `move leadership from ${leader.name} to the most caught-up healthy follower (now ${candidate.name})`,
    mutates: true,
    quorumBefore: before,
    quorumAfter: quorumOf(draft.view),
  });
  return true;
}

function defragmentAndGate(
  draft: Draft,
  member: MemberStatus,
  role: string,
  request: DefragRequest,
): void {
  const before = quorumOf(draft.view);
  const out = takeOut(draft, member);
  draft.steps.push({
    action: 'defragment',
    member: member.name,
    description: `defragment ${member.name} (${role}${sizeNote(member)})`,
    mutates: true,
    quorumBefore: before,
    quorumAfter: quorumOf(out),
    unavailableDuring: [member.name],
  });
  draft.steps.push({
    action: 'wait-healthy',
    member: member.name,
    description: `health gate after ${member.name}: members back, leader stable, lag under ${request.maxLagEntries} entries`,
    mutates: false,
    quorumBefore: quorumOf(out),
    quorumAfter: before,
  });
}

/**
 * The view while `member` defragments. Refused (exit 4) when it would cost the majority,
 * except for a cluster of one voter, which has no other way and gets a warning instead.
 */
function takeOut(draft: Draft, member: MemberStatus): QuorumView {
  const voters = draft.view.members.filter((entry) => entry.voter).length;
  if (member.voter && voters === 1) {
    draft.risks.push({
      code: 'SINGLE_VOTER_UNAVAILABLE',
      severity: 'warning',
      message: `${member.name} is the only voter: the cluster serves no reads or writes while it defragments (seconds per GiB in use)`,
    });
    return applyChange(draft.view, { type: 'unavailable', member: member.name });
  }
  return guardedChange(
    draft.view,
    { type: 'unavailable', member: member.name },
    'DEFRAG_WOULD_LOSE_QUORUM',
  );
}

function sizeNote(member: MemberStatus): string {
  if (member.dbSizeBytes === undefined) return '';
  const ratio = freeRatio(member);
  return `, ${mebibytes(member.dbSizeBytes)}${ratio === undefined ? '' : `, ${percent(ratio)} free`}`;
}

function noLeader(status: ClusterStatus): UnsafeOperationError {
  return new UnsafeOperationError(
    'NO_LEADER',
    `cluster "${status.cluster}" has no leader: defragmenting now could keep it from electing one`,
    {
      actions: [
        'wait for an election and check quorumctl status',
        'if a majority of voters is down, bring them back first',
      ],
      details: { quorum: status.quorum },
    },
  );
}

function memberUnreachable(member: MemberStatus): UnreachableError {
  return new UnreachableError(
    'MEMBER_UNREACHABLE',
    `${member.name} (${member.endpoint}) does not answer: ${member.error?.message ?? 'no answer'}`,
    {
      actions: [
        'start the member or check the network, then retry',
        'quorumctl status shows every member',
      ],
    },
  );
}

function assertRatio(ratio: number): void {
  if (!(ratio >= 0 && ratio <= 1)) {
    throw new UsageError('RATIO_INVALID', `--if-fragmented ${ratio} is not between 0 and 1`, {
      actions: ['e.g. --if-fragmented 0.5 skips members with less than half of the file free'],
    });
  }
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

function mebibytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function normalizeEndpoint(url: string): string {
  return url
    .trim()
    .replace(/^etcd\+https:\/\//, 'https://')
    .replace(/^etcd(\+http)?:\/\//, 'http://')
    .replace(/\/+$/, '')
    .replace('://localhost:', '://127.0.0.1:');
}
