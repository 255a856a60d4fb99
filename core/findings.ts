/**
 * The rule engine shared by `check` (live facts) and `preflight` (planned configuration and
 * host facts): rules are catalog entries plus a pure evaluation, findings are plain values.
 */
import type { AttributeValue, SystemKind } from './model.js';

export const SEVERITIES = ['info', 'warn', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Where a preflight finding points: the file and the line of the offending setting. */
export interface SourceLocation {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface Finding {
  /** Stable rule ID, e.g. `ETCD-QUOTA-1`. */
  ruleId: string;
  severity: Severity;
  /** One line: what was observed, against what threshold. */
  message: string;
  /** Name of the member (or host, or file) the finding concerns. */
  subject?: string;
  observed?: AttributeValue;
  threshold?: AttributeValue;
  remedy: string;
  /** Runbook or doc section, a repository-relative path with an anchor or a URL. */
  docs: string;
  location?: SourceLocation;
}

/** What `check --explain ID` prints and docs/checks.md lists. */
export interface RuleInfo {
  id: string;
  /** Which face evaluates it. */
  scope: 'check' | 'preflight';
  kinds: readonly SystemKind[];
  /** The severity it reports with when it fires (some rules escalate: see `why`). */
  severity: Severity;
  title: string;
  /** Why it matters, for the operator who has never seen it fire. */
  why: string;
  /** The threshold in words, e.g. "WAL fsync p99 < 10 ms". */
  threshold: string;
  /** Where the threshold comes from: a doc page with line numbers, or "[derived]" with the reasoning. */
  source: string;
  remedy: string;
  docs: string;
}

export interface Rule<Facts> {
  info: RuleInfo;
  /** Pure: the same facts always give the same findings; silence is an empty list. */
  evaluate(facts: Facts): Finding[];
}

/** A finding of `rule` with its catalog remedy and docs; callers add what they observed. */
export function findingOf(
  info: RuleInfo,
  message: string,
  extra: Partial<Omit<Finding, 'ruleId' | 'message'>> = {},
): Finding {
  return {
    ruleId: info.id,
    severity: info.severity,
    message,
    remedy: info.remedy,
    docs: info.docs,
    ...extra,
  };
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warn: 1, critical: 2 };

export function isAtLeast(severity: Severity, floor: Severity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[floor];
}

/** Runs every rule that applies to `kind`; worst findings first, then by rule and subject. */
export function evaluateRules<Facts>(
  rules: readonly Rule<Facts>[],
  kind: SystemKind,
  facts: Facts,
): Finding[] {
  return rules
    .filter((rule) => rule.info.kinds.includes(kind))
    .flatMap((rule) => rule.evaluate(facts))
    .sort(
      (a, b) =>
        SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
        a.ruleId.localeCompare(b.ruleId) ||
        (a.subject ?? '').localeCompare(b.subject ?? ''),
    );
}

export interface FindingCounts {
  critical: number;
  warn: number;
  info: number;
}

export function countFindings(findings: readonly Finding[]): FindingCounts {
  return {
    critical: findings.filter((finding) => finding.severity === 'critical').length,
    warn: findings.filter((finding) => finding.severity === 'warn').length,
    info: findings.filter((finding) => finding.severity === 'info').length,
  };
}

/** `--fail-on warn|critical`: whether the findings make the command fail (exit 1). */
export function failsOn(findings: readonly Finding[], failOn: Exclude<Severity, 'info'>): boolean {
  return findings.some((finding) => isAtLeast(finding.severity, failOn));
}

/** Every rule ID is unique and looks like `KIND-TOPIC-N`: catalogs are checked in tests. */
export function catalogProblems(rules: readonly { info: RuleInfo }[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { info } of rules) {
    if (!/^[A-Z]+(-[A-Z0-9]+)+$/.test(info.id)) problems.push(`${info.id}: not KIND-TOPIC-N`);
    if (seen.has(info.id)) problems.push(`${info.id}: defined twice`);
    seen.add(info.id);
    for (const field of ['title', 'why', 'threshold', 'source', 'remedy', 'docs'] as const) {
      if (info[field].trim() === '') problems.push(`${info.id}: empty ${field}`);
    }
    if (info.kinds.length === 0) problems.push(`${info.id}: applies to no kind`);
  }
  return problems;
}
