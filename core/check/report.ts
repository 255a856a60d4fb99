/** The CheckReport: which rules ran on a live cluster, what they found, and the verdict. */
import {
  countFindings,
  evaluateRules,
  failsOn,
  type Finding,
  type FindingCounts,
  type Severity,
} from '../findings.js';
import type { HealthVerdict } from '../health.js';
import type { SystemKind } from '../model.js';
import type { QuorumSummary } from '../quorum.js';
import type { CheckFacts, LeaderElections, MemberMeasurements } from './facts.js';
import type { EndpointCertificate, HashCheck } from './observations.js';
import { skipReason } from './rules/common.js';
import { CHECK_RULES, type CheckRule } from './rules/index.js';

export type FailOn = Exclude<Severity, 'info'>;

export interface CheckRuleResult {
  id: string;
  severity: Severity;
  title: string;
  outcome: 'pass' | 'fail' | 'skipped';
  /** Why a rule did not run, e.g. "needs a window (--window greater than 0)". */
  skippedBecause?: string;
}

export interface CheckReport {
  cluster: string;
  kind: SystemKind;
  /** When the judged status was read (the end of the window). */
  observedAt: string;
  /** Seconds between the two readings; 0 without a window. */
  windowSeconds: number;
  leaderId?: string;
  term?: number;
  quorum: QuorumSummary;
  /** What `quorumctl health` says of the same status. */
  health: HealthVerdict;
  /** Every rule that applies to `kind`, with its outcome. */
  rules: CheckRuleResult[];
  /** Worst first, then by rule ID and subject. */
  findings: Finding[];
  counts: FindingCounts;
  failOn: FailOn;
  /** `fail` when a finding is at least as severe as `failOn` (exit 1). */
  verdict: 'pass' | 'fail';
  /** What was measured per member (p99s, growth), for dashboards and perfdata. */
  measurements: MemberMeasurements[];
  elections: LeaderElections;
  hashCheck?: HashCheck;
  certificates: EndpointCertificate[];
  /** Facts that could not be gathered, and how the numbers were taken. */
  notes: string[];
}

export function buildCheckReport(
  facts: CheckFacts,
  failOn: FailOn,
  catalog: readonly CheckRule[] = CHECK_RULES,
): CheckReport {
  const { status } = facts;
  const applicable = catalog.filter((rule) => rule.info.kinds.includes(status.kind));
  const runnable = applicable.filter((rule) => skipReason(rule, facts) === undefined);
  const findings = evaluateRules(runnable, status.kind, facts);
  const fired = new Set(findings.map((finding) => finding.ruleId));
  const report: CheckReport = {
    cluster: status.cluster,
    kind: status.kind,
    observedAt: status.observedAt,
    windowSeconds: Math.round(facts.windowSeconds * 1000) / 1000,
    quorum: status.quorum,
    health: facts.health.verdict,
    rules: applicable.map((rule) => {
      const skipped = skipReason(rule, facts);
      return {
        id: rule.info.id,
        severity: rule.info.severity,
        title: rule.info.title,
        outcome: skipped !== undefined ? 'skipped' : fired.has(rule.info.id) ? 'fail' : 'pass',
        ...(skipped !== undefined && { skippedBecause: skipped }),
      };
    }),
    findings,
    counts: countFindings(findings),
    failOn,
    verdict: failsOn(findings, failOn) ? 'fail' : 'pass',
    measurements: facts.measurements,
    elections: facts.elections,
    certificates: [...facts.certificates],
    notes: [...facts.notes, ...lifetimeNotes(facts)],
  };
  if (status.leaderId !== undefined) report.leaderId = status.leaderId;
  if (status.term !== undefined) report.term = status.term;
  if (facts.hashes !== undefined) report.hashCheck = facts.hashes;
  return report;
}

/** Say once which p99s are lifetime figures rather than the window's, and which are too thin. */
function lifetimeNotes(facts: CheckFacts): string[] {
  const min = facts.thresholds.minWindowObservations;
  const latencies = (measured: MemberMeasurements) =>
    [measured.walFsyncP99, measured.backendCommitP99].filter(
      (measurement) => measurement !== undefined,
    );
  const lifetime = facts.measurements
    .filter((measured) => latencies(measured).some((latency) => latency.basis === 'lifetime'))
    .map((measured) => measured.name);
  const thin = facts.measurements
    .filter((measured) => latencies(measured).some((latency) => latency.observations < min))
    .map((measured) => measured.name);
  const notes: string[] = [];
  if (lifetime.length > 0) {
    notes.push(
      facts.windowSeconds > 0
        ? `disk p99s of ${lifetime.join(', ')} are over each member's lifetime: the window saw fewer than ${min} fsyncs or commits (an idle cluster; use a longer --window)`
        : `disk p99s of ${lifetime.join(', ')} are over each member's lifetime (no window)`,
    );
  }
  if (thin.length > 0) {
    notes.push(
      `disk latency of ${thin.join(', ')} not judged: fewer than ${min} fsyncs or commits since the member started`,
    );
  }
  return notes;
}
