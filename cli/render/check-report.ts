/** A CheckReport for people: the shared findings view, what was measured, and `--explain`. */
import { checkRuleInfo } from '../../core/check/rules/index.js';
import type { CheckReport } from '../../core/check/report.js';
import type { LatencyMeasurement } from '../../core/check/facts.js';
import type { RuleInfo } from '../../core/findings.js';
import { renderFindingsTable, type FindingsView } from './findings.js';
import { renderRuleCatalogMarkdown, RULES_BEGIN, RULES_END } from './findings-docs.js';
import { formatTable } from './table.js';

/** The view the table, JUnit and Nagios renderers share, with each rule's catalog entry. */
export function checkFindingsView(report: CheckReport): FindingsView {
  const leader =
    report.measurements.find((measured) => measured.memberId === report.leaderId)?.name ??
    report.leaderId;
  const facts = [
    leader === undefined ? 'no leader' : `leader ${leader}`,
    ...(report.term === undefined ? [] : [`term ${report.term}`]),
    `quorum margin ${report.quorum.quorumMargin}`,
    report.windowSeconds > 0 ? `window ${report.windowSeconds.toFixed(1)} s` : 'no window',
  ];
  return {
    command: 'check',
    target: `${report.kind} cluster ${report.cluster} (${facts.join(', ')})`,
    rules: report.rules.flatMap((rule) => {
      const info = checkRuleInfo(rule.id);
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
    ...(report.notes.length > 0 && { notes: report.notes }),
  };
}

function latency(measurement: LatencyMeasurement | undefined): string {
  if (measurement === undefined) return '-';
  const ms = measurement.p99Seconds * 1000;
  return `${ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)} ms${measurement.basis === 'lifetime' ? '*' : ''}`;
}

/** The findings, then the per-member measurements when there are any. */
export function renderCheckTable(report: CheckReport): string {
  const text = renderFindingsTable(checkFindingsView(report));
  const rows = report.measurements
    .filter(
      (measured) =>
        measured.walFsyncP99 !== undefined ||
        measured.backendCommitP99 !== undefined ||
        measured.dbGrowthBytesPerSecond !== undefined,
    )
    .map((measured) => [
      measured.name,
      latency(measured.walFsyncP99),
      latency(measured.backendCommitP99),
      measured.failedProposalsInWindow === undefined
        ? '-'
        : String(measured.failedProposalsInWindow),
      measured.dbGrowthBytesPerSecond === undefined
        ? '-'
        : `${Math.round(measured.dbGrowthBytesPerSecond)} B/s`,
    ]);
  if (rows.length === 0) return text;
  const lifetime = report.measurements.some(
    (measured) =>
      measured.walFsyncP99?.basis === 'lifetime' || measured.backendCommitP99?.basis === 'lifetime',
  );
  return [
    text,
    `\nMeasured${report.windowSeconds > 0 ? ` over ${report.windowSeconds.toFixed(1)} s` : ''}:\n`,
    formatTable(['MEMBER', 'WAL FSYNC P99', 'COMMIT P99', 'FAILED PROPOSALS', 'DB GROWTH'], rows),
    lifetime ? "  * over the member's lifetime: too few observations in the window\n" : '',
  ].join('');
}

/** `check --explain ID`: the catalog entry of a check or preflight rule. */
export function renderRuleInfo(info: RuleInfo): string {
  return [
    `${info.id}: ${info.title}`,
    `  ${info.scope} rule, ${info.severity}, for ${info.kinds.join(', ')}`,
    '',
    `Why:        ${info.why}`,
    `Threshold:  ${info.threshold}`,
    `Source:     ${info.source}`,
    `Fix:        ${info.remedy}`,
    `Docs:       ${info.docs}`,
    '',
  ].join('\n');
}

/**
 * The generated part of docs/checks.md: the check catalog, then preflight's (both through
 * preflight's Markdown generator), between one pair of markers.
 */
export function renderChecksDocBlock(
  checkRules: readonly RuleInfo[],
  preflightRules: readonly RuleInfo[],
): string {
  const inner = (rules: readonly RuleInfo[]) =>
    renderRuleCatalogMarkdown(rules).replace(`${RULES_BEGIN}\n`, '').replace(`\n${RULES_END}`, '');
  return [
    RULES_BEGIN,
    '',
    '## Check rules',
    '',
    inner(checkRules),
    '',
    '## Preflight rules',
    '',
    'Evaluated by `quorumctl preflight` on planned configuration; see [preflight.md](preflight.md).',
    '',
    inner(preflightRules),
    RULES_END,
  ].join('\n');
}
