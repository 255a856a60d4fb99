/** Findings for people: a verdict line, then findings grouped by severity with file:line. */
import type {
  Finding,
  FindingCounts,
  RuleInfo,
  Severity,
  SourceLocation,
} from '../../core/findings.js';
import type { PreflightReport } from '../../core/preflight/report.js';
import { preflightRuleInfo } from '../../core/preflight/rules/index.js';

/** What every findings renderer (table, SARIF, JUnit) needs; `check` builds one as well. */
export interface FindingsView {
  /** The command that judged, e.g. `preflight`. */
  command: string;
  /** What was judged, e.g. `etcd: infra0.flags, infra1.flags`. */
  target: string;
  rules: RuleResultView[];
  findings: readonly Finding[];
  counts: FindingCounts;
  failOn: Exclude<Severity, 'info'>;
  verdict: 'pass' | 'fail';
  /** Why some facts are missing (e.g. "tmpfs: fsync not measured"), shown under the findings. */
  notes?: readonly string[];
}

export interface RuleResultView {
  info: RuleInfo;
  outcome: 'pass' | 'fail' | 'skipped';
  skippedBecause?: string;
}

export function formatLocation(location: SourceLocation | undefined): string | undefined {
  return location === undefined
    ? undefined
    : `${location.file}:${location.line}:${location.column}`;
}

const GROUPS: readonly { severity: Severity; title: string }[] = [
  { severity: 'critical', title: 'CRITICAL' },
  { severity: 'warn', title: 'WARN' },
  { severity: 'info', title: 'INFO' },
];

export function renderFindingsTable(view: FindingsView): string {
  const failed = view.rules.filter((rule) => rule.outcome === 'fail').length;
  const skipped = view.rules.filter((rule) => rule.outcome === 'skipped');
  const passed = view.rules.length - failed - skipped.length;
  const { critical, warn, info } = view.counts;
  const lines = [
    `${view.verdict.toUpperCase()}: ${view.command} of ${view.target}`,
    `  ${view.rules.length} rules: ${failed} failed, ${passed} passed, ${skipped.length} skipped; findings: ${critical} critical, ${warn} warn, ${info} info (fails on ${view.failOn})`,
  ];
  for (const { severity, title } of GROUPS) {
    const group = view.findings.filter((finding) => finding.severity === severity);
    if (group.length === 0) continue;
    lines.push('', title);
    for (const finding of group) {
      // A subject that only repeats the file name adds nothing to file:line.
      const subject =
        finding.subject !== undefined && finding.location?.file.endsWith(finding.subject) !== true
          ? finding.subject
          : undefined;
      const where = [formatLocation(finding.location), subject]
        .filter((part) => part !== undefined)
        .join('  ');
      lines.push(`  ${finding.ruleId}${where === '' ? '' : `  ${where}`}`);
      lines.push(`      ${finding.message}`);
      lines.push(`      fix: ${finding.remedy}`);
    }
  }
  if (skipped.length > 0) {
    const reasons = new Map<string, string[]>();
    for (const rule of skipped) {
      const reason = rule.skippedBecause ?? 'not applicable';
      reasons.set(reason, [...(reasons.get(reason) ?? []), rule.info.id]);
    }
    lines.push('');
    for (const [reason, ids] of reasons) lines.push(`Skipped (${reason}): ${ids.join(', ')}`);
  }
  if (view.notes !== undefined && view.notes.length > 0) {
    lines.push('', 'Notes:', ...view.notes.map((note) => `  - ${note}`));
  }
  const docs = view.findings[0]?.docs;
  if (docs !== undefined)
    lines.push(
      '',
      `Each rule, its threshold and its source: ${docs.replace(/#.*$/, '')} (e.g. ${docs})`,
    );
  return `${lines.join('\n')}\n`;
}

/** The view of a preflight report, with each rule's catalog entry. */
export function preflightFindingsView(report: PreflightReport): FindingsView {
  const files = report.files.map((file) =>
    file.member === undefined ? file.file : `${file.file} (${file.member})`,
  );
  return {
    command: 'preflight',
    target: `${report.kind}: ${files.join(', ')}${report.host === undefined ? '' : ` on host ${report.host.hostname}`}`,
    rules: report.rules.flatMap((rule) => {
      const info = preflightRuleInfo(rule.id);
      return info === undefined
        ? []
        : [
            {
              info,
              outcome: rule.outcome,
              ...(rule.skippedBecause !== undefined && { skippedBecause: rule.skippedBecause }),
            },
          ];
    }),
    findings: report.findings,
    counts: report.counts,
    failOn: report.failOn,
    verdict: report.verdict,
    ...(report.host?.notes !== undefined && { notes: report.host.notes }),
  };
}
