/**
 * A CheckReport as a Nagios/Icinga plugin answers: the first line is `QUORUMCTL STATE -
 * summary | perfdata`, the following lines one finding each (long output). The plugin exit
 * codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN) replace quorumctl's in this format only.
 */
import type { CheckReport } from '../../core/check/report.js';
import type { LatencyMeasurement } from '../../core/check/facts.js';
import type { Finding } from '../../core/findings.js';

export const NAGIOS_STATES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;
export type NagiosState = (typeof NAGIOS_STATES)[number];

/** The plugin exit code of a state: its index, by the plugin API's convention. */
export function nagiosExitCode(state: NagiosState): number {
  return NAGIOS_STATES.indexOf(state);
}

/** Worst finding wins; `--fail-on` does not apply: Nagios thresholds are the severities. */
export function nagiosState(report: CheckReport): NagiosState {
  if (report.counts.critical > 0) return 'CRITICAL';
  if (report.counts.warn > 0) return 'WARNING';
  return 'OK';
}

/** A perfdata label: quoted when it has spaces or quotes (quotes doubled), `=` is not allowed. */
function label(text: string): string {
  const clean = text.replace(/=/g, '_');
  return /[\s']/.test(clean) ? `'${clean.replace(/'/g, "''")}'` : clean;
}

function latencyPerfdata(
  member: string,
  name: string,
  measurement: LatencyMeasurement | undefined,
  warnSeconds: number,
  criticalSeconds?: number,
): string[] {
  if (measurement === undefined) return [];
  const ms = (seconds: number) => String(Math.round(seconds * 1_000_000) / 1000);
  return [
    `${label(`${member} ${name}`)}=${ms(measurement.p99Seconds)}ms;${ms(warnSeconds)};${criticalSeconds === undefined ? '' : ms(criticalSeconds)};0;`,
  ];
}

/** One line per finding, worst first, as the plugin API's long output. */
function findingLine(finding: Finding): string {
  const state =
    finding.severity === 'critical' ? 'CRITICAL' : finding.severity === 'warn' ? 'WARNING' : 'INFO';
  return `[${state}] ${finding.ruleId}${finding.subject === undefined ? '' : ` ${finding.subject}`}: ${finding.message}`;
}

export interface NagiosThresholds {
  walFsyncP99WarnSeconds: number;
  walFsyncP99CriticalSeconds: number;
  backendCommitP99WarnSeconds: number;
}

export function renderNagios(report: CheckReport, thresholds: NagiosThresholds): string {
  const state = nagiosState(report);
  const { critical, warn, info } = report.counts;
  const first = report.findings[0];
  const summary =
    first === undefined
      ? `${report.kind} cluster ${report.cluster}: ${report.rules.filter((rule) => rule.outcome === 'pass').length} checks passed, quorum margin ${report.quorum.quorumMargin}`
      : `${report.kind} cluster ${report.cluster}: ${critical} critical, ${warn} warning: ${first.ruleId}${first.subject === undefined ? '' : ` ${first.subject}`}: ${first.message}`;
  const perfdata = [
    // Plugin threshold ranges: "0" alerts above 0, "1:" alerts below 1.
    `critical=${critical};;0;0;`,
    `warning=${warn};0;;0;`,
    `info=${info};;;0;`,
    `voters=${report.quorum.voters};;;0;`,
    `healthy_voters=${report.quorum.healthyVoters};;;0;`,
    `quorum_margin=${report.quorum.quorumMargin};1:;0:;;`,
    ...report.measurements.flatMap((measured) => [
      ...latencyPerfdata(
        measured.name,
        'wal_fsync_p99',
        measured.walFsyncP99,
        thresholds.walFsyncP99WarnSeconds,
        thresholds.walFsyncP99CriticalSeconds,
      ),
      ...latencyPerfdata(
        measured.name,
        'backend_commit_p99',
        measured.backendCommitP99,
        thresholds.backendCommitP99WarnSeconds,
      ),
    ]),
  ];
  // The status line must stay one line: messages never contain `|`, which separates perfdata.
  const headline = `QUORUMCTL ${state} - ${summary.replace(/[|\n]/g, ' ')} | ${perfdata.join(' ')}`;
  const details = [
    ...report.findings.map((finding) => findingLine(finding).replace(/\|/g, '/')),
    ...report.notes.map((note) => `note: ${note.replace(/\|/g, '/')}`),
  ];
  return `${[headline, ...details].join('\n')}\n`;
}

/** What Nagios shows when the check could not run (unreachable cluster, bad flags). */
export function renderNagiosUnknown(code: string, message: string): string {
  return `QUORUMCTL UNKNOWN - ${code}: ${message.replace(/[|\n]/g, ' ')}\n`;
}
