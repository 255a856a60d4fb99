/**
 * A CheckReport in the Prometheus text format, for node_exporter's textfile collector
 * (`quorumctl check -o prometheus > /var/lib/node_exporter/quorumctl.prom.$$ && mv ...`):
 * one series per finding, the rules by outcome, and whether the check could run at all.
 */
import type { CheckReport } from '../../core/check/report.js';
import { SEVERITIES } from '../../core/findings.js';

/** Label values escape backslash, double quote and newline (exposition format 0.0.4). */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function series(name: string, labels: Record<string, string>, value: number): string {
  const text = Object.entries(labels)
    .map(([key, labelValue]) => `${key}="${escapeLabel(labelValue)}"`)
    .join(',');
  return `${name}{${text}} ${value}`;
}

function family(name: string, help: string, lines: string[]): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...lines];
}

const SUCCESS_HELP =
  '1 when quorumctl check ran to the end, 0 when it could not (cluster unreachable, bad input).';

export function renderPrometheus(report: CheckReport, now: Date): string {
  const base = { cluster: report.cluster, kind: report.kind };
  // Two findings of one rule on one member (e.g. two endpoints) are one series with a count.
  const findings = new Map<string, { labels: Record<string, string>; count: number }>();
  for (const finding of report.findings) {
    const labels = {
      ...base,
      rule: finding.ruleId,
      severity: finding.severity,
      member: finding.subject ?? '',
    };
    const key = JSON.stringify(labels);
    const entry = findings.get(key) ?? { labels, count: 0 };
    entry.count += 1;
    findings.set(key, entry);
  }
  const outcomes = ['pass', 'fail', 'skipped'] as const;
  const lines = [
    ...family('quorumctl_check_success', SUCCESS_HELP, [
      series('quorumctl_check_success', base, 1),
    ]),
    ...family(
      'quorumctl_check_findings',
      'Findings of the last check by rule, severity and member (subject); absent rules found nothing.',
      [...findings.values()].map(({ labels, count }) =>
        series('quorumctl_check_findings', labels, count),
      ),
    ),
    ...family(
      'quorumctl_check_findings_by_severity',
      'Findings of the last check per severity.',
      SEVERITIES.map((severity) =>
        series(
          'quorumctl_check_findings_by_severity',
          { ...base, severity },
          report.findings.filter((finding) => finding.severity === severity).length,
        ),
      ),
    ),
    ...family(
      'quorumctl_check_rules',
      'Rules of the last check by outcome (skipped: a fact it needs was not available).',
      outcomes.map((outcome) =>
        series(
          'quorumctl_check_rules',
          { ...base, outcome },
          report.rules.filter((rule) => rule.outcome === outcome).length,
        ),
      ),
    ),
    ...family(
      'quorumctl_check_quorum_margin',
      'Voters that may still fail before quorum is lost (negative: quorum lost).',
      [series('quorumctl_check_quorum_margin', base, report.quorum.quorumMargin)],
    ),
    ...family('quorumctl_check_timestamp_seconds', 'When the last check ran, as a Unix time.', [
      series('quorumctl_check_timestamp_seconds', base, Math.floor(now.getTime() / 1000)),
    ]),
  ];
  return `${lines.join('\n')}\n`;
}

/** The textfile when the check could not run: the success gauge at 0, nothing else. */
export function renderPrometheusFailure(
  labels: { cluster: string; kind?: string },
  code: string,
): string {
  return `${[
    ...family('quorumctl_check_success', SUCCESS_HELP, [
      series(
        'quorumctl_check_success',
        { cluster: labels.cluster, kind: labels.kind ?? '', error: code },
        0,
      ),
    ]),
  ].join('\n')}\n`;
}
