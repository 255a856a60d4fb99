/**
 * Panel data for the text panels (pure): the Multi-Raft group summary, the findings and
 * events log, and a member's detail.
 */
import type { Severity } from '../findings.js';
import type { MemberStatus } from '../model.js';
import { clockTime, compactBytes } from './format.js';
import type { ClusterTrack, DashboardStore, LogSeverity } from './store.js';
import { quotaText } from './tables.js';

export interface TextLine {
  text: string;
  tone: 'ok' | 'info' | 'warn' | 'critical' | 'muted';
}

/** Group counts per type and the worst groups, or why there is nothing to show. */
export function groupSummaryLines(track: ClusterTrack | undefined, maxLines: number): TextLine[] {
  const groups = track?.lastStatus?.groups;
  if (track === undefined) return [];
  if (groups === undefined)
    return [{ text: 'single group (no Multi-Raft data groups)', tone: 'muted' }];
  const lines: TextLine[] = [
    {
      text: `${groups.total} groups: ${groups.leaderless} leaderless, ${groups.underReplicated} under-replicated`,
      tone: groups.leaderless > 0 ? 'critical' : groups.underReplicated > 0 ? 'warn' : 'ok',
    },
    ...groups.byType.map((counts): TextLine => ({
      text: `  ${counts.type}: ${counts.total} (${counts.leaderless} leaderless, ${counts.underReplicated} under-repl.)`,
      tone: counts.leaderless > 0 ? 'critical' : counts.underReplicated > 0 ? 'warn' : 'ok',
    })),
  ];
  for (const group of groups.worst) {
    const problems = group.problems.length === 0 ? '' : `: ${group.problems.join('; ')}`;
    lines.push({
      text: `  ${group.id} leader ${group.leader ?? 'NONE'} ${group.healthyReplicas}/${group.replicas}${problems}`,
      tone:
        group.leader === undefined
          ? 'critical'
          : group.healthyReplicas < group.replicas
            ? 'warn'
            : 'muted',
    });
  }
  return lines.slice(0, Math.max(0, maxLines));
}

const TONE_OF: Record<LogSeverity | Severity, TextLine['tone']> = {
  info: 'info',
  warn: 'warn',
  critical: 'critical',
};

/**
 * The findings and events log, newest last: first the selected cluster's current health
 * reasons and quick-check findings, then the events of every cluster as they happened.
 */
export function logLines(
  store: DashboardStore,
  selected: ClusterTrack | undefined,
  maxLines: number,
): TextLine[] {
  const current: TextLine[] = [];
  if (selected !== undefined) {
    for (const reason of selected.health?.reasons ?? []) {
      current.push({
        text: `now ${selected.name}: ${reason.code} ${reason.message}`,
        tone: reason.severity === 'critical' ? 'critical' : 'warn',
      });
    }
    const check = selected.check;
    if (check !== undefined) {
      const summary =
        check.findings.length === 0
          ? 'no findings'
          : `${check.findings.length} finding${check.findings.length === 1 ? '' : 's'}`;
      current.push({
        text: `${clockTime(check.atMs)} check ${selected.name}: ${summary}`,
        tone: check.findings.length === 0 ? 'ok' : 'info',
      });
      for (const finding of check.findings) {
        current.push({
          text: `  ${finding.ruleId} ${finding.subject === undefined ? '' : `${finding.subject}: `}${finding.message}`,
          tone: TONE_OF[finding.severity],
        });
      }
      for (const note of check.notes) current.push({ text: `  note: ${note}`, tone: 'muted' });
    }
  }
  const events = store.log.values().map((entry) => ({
    text: `${clockTime(entry.atMs)} ${entry.cluster} ${entry.source}: ${entry.message}`,
    tone: TONE_OF[entry.severity],
  }));
  // Events keep their order; the current state is pinned under them, where the eye lands.
  const room = Math.max(0, maxLines - current.length);
  return [...events.slice(events.length - room), ...current].slice(-Math.max(0, maxLines));
}

/** Everything known about one member, for the detail box `enter` opens. */
export function memberDetailLines(
  track: ClusterTrack | undefined,
  memberId: string,
): TextLine[] | undefined {
  const member = track?.lastStatus?.members.find((candidate) => candidate.id === memberId);
  if (track === undefined || member === undefined) return undefined;
  const measured = track.members.get(memberId);
  const latest = (values: readonly { value: number | undefined }[] | undefined) => {
    const value = values?.at(-1)?.value;
    return value === undefined ? '-' : `${(value * 1000).toFixed(2)} ms`;
  };
  const lines: [string, string][] = [
    ['member', `${member.name} (id ${member.id})`],
    ['endpoint', member.endpoint === '' ? '-' : member.endpoint],
    ['role', `${member.role}${member.voter ? ', voter' : ', non-voter'}`],
    ['reachable', member.reachable ? 'yes' : `no: ${member.error?.message ?? 'no answer'}`],
    ['term', value(member.term)],
    ['commit / applied', `${value(member.commitIndex)} / ${value(member.appliedIndex)}`],
    ['lag', lagText(member)],
    [
      'db size / in use',
      `${compactBytes(member.dbSizeBytes)} / ${compactBytes(member.dbSizeInUseBytes)}`,
    ],
    ['quota', quotaText(member)],
    ['version', member.version ?? '-'],
    ['commit p99 (last)', latest(measured?.commitP99Seconds.values())],
    ['fsync p99 (last)', latest(measured?.fsyncP99Seconds.values())],
    ['alarms', member.alarms.length === 0 ? 'none' : member.alarms.join(', ')],
    ...(member.reportedErrors ?? []).map((error): [string, string] => ['reports', error]),
    ...Object.entries(member.attributes ?? {}).map(([key, attribute]): [string, string] => [
      key,
      String(attribute),
    ]),
  ];
  return lines.map(([label, text]) => ({
    text: `${label.padEnd(18)} ${text}`,
    tone: label === 'reachable' && !member.reachable ? 'critical' : 'info',
  }));
}

function value(number: number | undefined): string {
  return number === undefined ? '-' : String(number);
}

function lagText(member: MemberStatus): string {
  const entries = member.lagEntries === undefined ? '-' : `${member.lagEntries} entries`;
  return member.lagSeconds === undefined
    ? entries
    : `${entries}, ${member.lagSeconds.toFixed(1)} s`;
}
