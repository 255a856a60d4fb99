/**
 * Maintenance plans: the ordered steps of a mutating command with the quorum before and after
 * each one, computed before anything changes. `--dry-run` prints a plan; execution follows it.
 */
import type { SystemKind } from '../model.js';
import type { QuorumSummary } from '../quorum.js';

/** What a step does; executors switch on it, renderers show it. */
export type PlanAction =
  | 'backup'
  | 'defragment'
  | 'move-leader'
  | 'wait-healthy'
  | 'compact'
  | 'disarm-alarm'
  | 'verify-writes'
  | 'add-learner'
  | 'add-voter'
  | 'add-observer'
  | 'wait-caught-up'
  | 'promote'
  | 'remove'
  | 'start-member'
  | 'stop-member'
  | 'step-down'
  | 'verify-config';

export interface PlanStep {
  /** 1-based position, stable in audit records and resumable journals. */
  index: number;
  action: PlanAction;
  /** The member the step acts on (name), when it acts on one. */
  member?: string;
  /** One sentence in the operator's language: "defragment n2 (follower)". */
  description: string;
  /** Whether the step changes the cluster (a dry run executes none; backups do not count). */
  mutates: boolean;
  quorumBefore: QuorumSummary;
  quorumAfter: QuorumSummary;
  /** Members that cannot serve while the step runs (a defragmenting etcd member blocks). */
  unavailableDuring?: string[];
}

export interface PlanRisk {
  /** Stable id, e.g. `EVEN_VOTER_COUNT`. */
  code: string;
  severity: 'info' | 'warning' | 'critical';
  message: string;
}

export interface MaintenancePlan {
  /** The command that made it: `defrag`, `members replace`, `leader transfer`, ... */
  operation: string;
  cluster: string;
  kind: SystemKind;
  /** What must hold before the first step; checked again at execution. */
  preconditions: string[];
  steps: PlanStep[];
  risks: PlanRisk[];
}

/** A step's result, as executed. */
export interface StepOutcome {
  index: number;
  status: 'done' | 'skipped' | 'failed';
  startedAt: string;
  durationMs: number;
  /** Facts learned while executing: sizes before/after, new leader, member id. */
  details?: Record<string, string | number | boolean>;
  error?: { code: string; message: string };
}

/** What `--dry-run` and audit records carry: the plan and, once run, its outcome. */
export interface MaintenanceReport {
  plan: MaintenancePlan;
  dryRun: boolean;
  outcomes: StepOutcome[];
  /** `planned` for a dry run; `succeeded` only when every step is done or skipped. */
  result: 'planned' | 'succeeded' | 'failed' | 'interrupted';
  safetyBackup?: string;
}
