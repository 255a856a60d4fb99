/** What the check rules share: their catalog shape, skip conditions and naming helpers. */
import { findingOf, type Finding, type Rule, type RuleInfo } from '../../findings.js';
import type { ClusterStatus } from '../../model.js';
import type { CheckFacts } from '../facts.js';

/** The research every threshold is quoted from (section 2: alerts, section 3: checks). */
export const REFERENCE = '../shared/reference/chaos-observability-checks.md';

/**
 * What a rule needs beyond the status; without it the rule is reported as skipped (with the
 * reason) rather than passed.
 */
export type CheckRequirement = 'window' | 'metrics' | 'hashes' | 'tls';

export interface CheckRule extends Rule<CheckFacts> {
  requires?: readonly CheckRequirement[];
}

/** A check RuleInfo: scope and docs anchor follow from the ID. */
export function checkRule(
  info: Omit<RuleInfo, 'scope' | 'docs'>,
  evaluate: (facts: CheckFacts, info: RuleInfo) => Finding[],
  requires?: CheckRequirement | readonly CheckRequirement[],
): CheckRule {
  const full: RuleInfo = {
    ...info,
    scope: 'check',
    docs: `docs/checks.md#${info.id.toLowerCase()}`,
  };
  return {
    info: full,
    evaluate: (facts) => evaluate(facts, full),
    ...(requires !== undefined && {
      requires: typeof requires === 'string' ? [requires] : requires,
    }),
  };
}

/** Why a rule cannot run on these facts, or undefined when it can. */
export function skipReason(rule: CheckRule, facts: CheckFacts): string | undefined {
  for (const requirement of rule.requires ?? []) {
    const reason = unmet(requirement, facts);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

function unmet(requirement: CheckRequirement, facts: CheckFacts): string | undefined {
  switch (requirement) {
    case 'window':
      return facts.windowSeconds > 0 ? undefined : 'needs a window (--window greater than 0)';
    case 'metrics':
      return facts.samples === undefined
        ? `no metric sample from this ${facts.status.kind} cluster`
        : undefined;
    case 'hashes':
      if (facts.hashes === undefined) return 'no hash check ran (fewer than 2 members answered)';
      return facts.hashes.members.filter((member) => 'hash' in member).length < 2
        ? 'fewer than 2 members answered the hash check (see notes)'
        : undefined;
    case 'tls':
      if (facts.certificates.length === 0) return 'no TLS endpoint';
      return facts.certificates.every((certificate) => 'error' in certificate)
        ? 'no certificate could be read (see notes)'
        : undefined;
  }
}

/** How a member is named in findings: its name, or its ID when the status does not list it. */
export function memberName(
  status: ClusterStatus,
  memberId: string | undefined,
): string | undefined {
  if (memberId === undefined) return undefined;
  return status.members.find((member) => member.id === memberId)?.name ?? memberId;
}

export function formatMs(seconds: number): string {
  const ms = seconds * 1000;
  return `${ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)} ms`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(0)} s`;
  if (seconds < 2 * 3600) return `${(seconds / 60).toFixed(0)} min`;
  if (seconds < 2 * 86400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

export { findingOf };
