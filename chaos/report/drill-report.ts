/**
 * The DrillReport (`-o json` of `quorumctl chaos drill`): what was done to which members,
 * what the cluster did (leaders, availability, operations), what was lost, the checker's
 * verdict, each expectation, and the drill verdict. Times are milliseconds since the drill
 * started, on the same monotonic clock as the recorded history.
 */
import type { CheckResult, OperationName } from '../checker/history.js';
import type { FaultKind } from '../faults/types.js';
import type {
  DrillKind,
  DuringAction,
  ScenarioFault,
  TargetSelection,
} from '../drills/scenario.js';
import type { LostWrite } from '../workload/lost-writes.js';

export type DrillVerdict = 'PASS' | 'FAIL' | 'INCONCLUSIVE';

export interface FaultTimelineEntry {
  /** The fault record's id (the state file entry `chaos heal` would undo). */
  id: string;
  kind: FaultKind;
  members: string[];
  groups?: string[][];
  /** When the runner asked for the fault (iptables rules then go in one by one). */
  requestedAtMs: number;
  /** When the fault was fully in place: time to new leader counts from here. */
  injectedAtMs: number;
  healedAtMs?: number;
  /** The heal failed: the fault may still be active (`quorumctl chaos heal` retries it). */
  healError?: string;
}

/** A change in who leads, as the status polls saw it; `null`: no agreed leader. */
export interface LeaderObservation {
  atMs: number;
  leader: string | null;
  term?: number;
}

export interface OperationCounts {
  ok: number;
  fail: number;
  unknown: number;
}

export interface OperationSummary extends OperationCounts {
  total: number;
  byType: Partial<Record<OperationName, OperationCounts>>;
  /** The commonest reasons operations failed or are unknown. */
  commonErrors: { reason: string; count: number }[];
}

export interface UnavailabilityWindow {
  /** The longest stretch without an acknowledged write. */
  longestMs: number;
  fromMs: number;
  toMs: number;
}

export type ExpectationStatus = 'passed' | 'failed' | 'inconclusive';

export interface ExpectationResult {
  /** Stable name: new-leader, leader-unchanged, lost-writes, linearizable, recovery, workload. */
  name: string;
  description: string;
  status: ExpectationStatus;
  expected: string;
  observed: string;
}

export interface DuringOutcome {
  action: DuringAction;
  startedAtMs: number;
  finishedAtMs?: number;
  outcome: 'completed' | 'failed';
  detail: string;
}

export interface DrillReport {
  scenario: {
    name: string;
    description: string;
    source: string;
    target: TargetSelection;
    fault: ScenarioFault;
    durationMs: number;
    clients: number;
    keys: number;
    /** An operation unanswered this long is unknown. */
    opTimeoutMs: number;
  };
  cluster: { name: string; kind: DrillKind; sandbox: string; members: string[] };
  /** Names the drill's data (keys, znodes, stream) and seeds its random choices. */
  run: string;
  seed: number;
  startedAt: string;
  finishedAt: string;
  electionTimeout: { ms: number; source: string };
  /** Every member a fault acted on. */
  targets: string[];
  phases: { name: string; startMs: number; endMs: number }[];
  faults: FaultTimelineEntry[];
  leaderTimeline: LeaderObservation[];
  leaderBefore: string | null;
  leaderAfter: string | null;
  /** The first fault that hit the leader fully in place -> first different leader seen; null: none seen. */
  timeToNewLeaderMs: number | null;
  writeUnavailability: UnavailabilityWindow;
  /** Last heal -> first write acknowledged after it; null: none was. */
  recoveryMs: number | null;
  during?: DuringOutcome;
  operations: OperationSummary;
  acknowledgedWrites: number;
  lostWrites: LostWrite[];
  /** Where the drill wrote (removed afterwards unless kept). */
  workloadLocation: string;
  /** The checker's result; when not linearizable, with the shortest failing prefix it found. */
  checker: CheckResult;
  expectations: ExpectationResult[];
  verdict: DrillVerdict;
  /** One line per failed or inconclusive expectation. */
  reasons: string[];
  warnings: string[];
}
