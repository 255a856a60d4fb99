/**
 * Drill scenarios as data: which members to hit (by role), with which fault, for how long,
 * under which workload, and what the cluster must show to PASS.
 */
import type { FaultKind } from '../faults/types.js';

export const DRILL_KINDS = ['etcd', 'zookeeper', 'nats'] as const;
export type DrillKind = (typeof DRILL_KINDS)[number];

/**
 * leader: the current leader. follower: one follower picked at random. minority / majority:
 * that many members, with or without the leader (`withLeader`). members: explicit names.
 * each: every member in turn, one round per member (followers first, the leader last).
 */
export const TARGET_ROLES = [
  'leader',
  'follower',
  'minority',
  'majority',
  'members',
  'each',
] as const;
export type TargetRole = (typeof TARGET_ROLES)[number];

export interface TargetSelection {
  role: TargetRole;
  /** role `members`: the member names (n1, n2, ...). */
  members?: string[];
  /** minority / majority: whether the current leader is among the selected (default true). */
  withLeader?: boolean;
}

/** split: the selected members against the rest. bridge: two halves that share one member. */
export const PARTITION_SHAPES = ['split', 'bridge'] as const;
export type PartitionShape = (typeof PARTITION_SHAPES)[number];

export interface ScenarioFault {
  kind: FaultKind;
  /** partition only; default split. */
  shape?: PartitionShape;
  latencyMs?: number;
  lossPercent?: number;
}

export interface OperationMix {
  /** Relative weights, e.g. 40/40/20. */
  read: number;
  write: number;
  cas: number;
}

export interface WorkloadSpec {
  /** Concurrent clients, each with one operation in flight (default 5). */
  clients: number;
  /** Register keys the clients share (default 3); every key is checked on its own. */
  keys: number;
  mix: OperationMix;
  /** Pause between two operations of one client (default 20 ms): keeps the history checkable. */
  thinkMs: number;
  /** An operation not answered within this is recorded as unknown (default 1000 ms). */
  opTimeoutMs: number;
}

/** What happens to leadership: a new leader must appear, may appear, or must not change. */
export const LEADER_CHANGE_EXPECTATIONS = ['required', 'allowed', 'forbidden'] as const;
export type LeaderChangeExpectation = (typeof LEADER_CHANGE_EXPECTATIONS)[number];

export interface DrillExpectations {
  leaderChange: LeaderChangeExpectation;
  /** Fault start -> first different leader observed. Absent: 3x the kind's election timeout. */
  maxTimeToNewLeaderMs?: number;
  /** Acknowledged writes missing after heal that still PASS (default 0). */
  maxLostWrites: number;
  /** The history must be linearizable (default true). */
  linearizable: boolean;
  /** Heal -> first acknowledged write. Absent: 3x the election timeout plus 5 s. */
  maxRecoveryMs?: number;
}

/** Something the scenario needs beyond a plain sandbox. */
export const SCENARIO_REQUIREMENTS = ['netns', 'membership'] as const;
export type ScenarioRequirement = (typeof SCENARIO_REQUIREMENTS)[number];

/** A change the runner makes while the fault is active. */
export const DURING_ACTIONS = ['add-member'] as const;
export type DuringAction = (typeof DURING_ACTIONS)[number];

export interface DrillScenario {
  name: string;
  description: string;
  kinds: DrillKind[];
  /** Smallest cluster the scenario makes sense on (a bridge needs 5). */
  minMembers: number;
  requires: ScenarioRequirement[];
  target: TargetSelection;
  fault: ScenarioFault;
  /** How long the fault stays (per member for role `each`). */
  durationMs: number;
  /** Workload before the fault, so the report shows the steady state first. */
  warmupMs: number;
  /** Workload after heal, once writes succeed again. */
  settleMs: number;
  during?: DuringAction;
  workload: WorkloadSpec;
  expectations: DrillExpectations;
  /** `built-in` or the file it was read from. */
  source: string;
}

export const DEFAULT_WORKLOAD: WorkloadSpec = {
  clients: 5,
  keys: 3,
  mix: { read: 40, write: 40, cas: 20 },
  thinkMs: 20,
  opTimeoutMs: 1000,
};
