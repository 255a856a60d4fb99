/**
 * The people's view of a ClusterStatus: a summary line, one row per member and, for
 * Multi-Raft systems, the data groups. Columns follow the data, so every kind renders
 * through this one function: a column no member fills is left out, and each
 * system-specific attribute becomes a column of its own.
 */
import type {
  AttributeValue,
  ClusterStatus,
  MemberStatus,
  RaftGroupSummary,
} from '../../core/model.js';
import type { ClusterStatusList } from '../../ops/status-all.js';
import { formatBytes, formatOptional, formatPercent, formatTable } from './table.js';

interface Column {
  header: string;
  cell(member: MemberStatus): string;
  /** Shown even when no member has a value (the columns every kind has). */
  always?: boolean;
}

const LEADING_COLUMNS: Column[] = [
  { header: 'NAME', cell: (member) => member.name, always: true },
  {
    header: 'ENDPOINT',
    cell: (member) => (member.endpoint === '' ? '-' : member.endpoint),
    always: true,
  },
  { header: 'ROLE', cell: roleOf, always: true },
  { header: 'TERM', cell: (member) => formatOptional(member.term), always: true },
  {
    header: 'INDEX',
    cell: (member) =>
      member.commitIndex === undefined
        ? '-'
        : member.appliedIndex === undefined
          ? String(member.commitIndex)
          : `${member.commitIndex}/${member.appliedIndex}`,
    always: true,
  },
  { header: 'LAG', cell: (member) => formatOptional(member.lagEntries), always: true },
  {
    header: 'LAG TIME',
    cell: (member) => (member.lagSeconds === undefined ? '-' : `${member.lagSeconds.toFixed(1)}s`),
  },
  { header: 'DB SIZE', cell: (member) => formatBytes(member.dbSizeBytes) },
  { header: 'IN USE', cell: (member) => formatBytes(member.dbSizeInUseBytes) },
  {
    header: 'QUOTA',
    cell: (member) =>
      member.quotaBytes === undefined
        ? '-'
        : `${formatPercent(member.dbSizeBytes, member.quotaBytes)} of ${formatBytes(member.quotaBytes)}`,
  },
  { header: 'VERSION', cell: (member) => formatOptional(member.version) },
];

const ERRORS_COLUMN: Column = { header: 'ERRORS', cell: errorsOf, always: true };

/** `status --all`: one section per cluster, headed by its name, kind and where it came from. */
export function renderStatusList(list: ClusterStatusList): string {
  if (list.clusters.length === 0) return 'no clusters found\n';
  const sections = list.clusters.map((entry) => {
    const heading = `== ${entry.cluster} (${entry.kind}, ${entry.source}) ==`;
    if (entry.status !== undefined) return `${heading}\n${renderStatus(entry.status).trimEnd()}`;
    const actions = (entry.error?.actions ?? []).map((action) => `  - ${action}`);
    return [
      heading,
      `unreachable (${entry.error?.code ?? '?'}): ${entry.error?.message ?? ''}`,
      ...actions,
    ].join('\n');
  });
  const failed = list.clusters.filter((entry) => entry.error !== undefined).length;
  const summary = `${list.clusters.length - failed} of ${list.clusters.length} clusters answered`;
  return `${sections.join('\n\n')}\n\n${summary}\n`;
}

export function renderStatus(status: ClusterStatus): string {
  const columns = [...LEADING_COLUMNS, ...attributeColumns(status.members), ERRORS_COLUMN].filter(
    (column) => column.always === true || status.members.some((m) => column.cell(m) !== '-'),
  );
  const sections = [
    summaryLine(status),
    ...(status.attributes === undefined ? [] : [attributesLine(status.attributes)]),
    '',
    formatTable(
      columns.map((column) => column.header),
      status.members.map((member) => columns.map((column) => column.cell(member))),
    ),
  ];
  if (status.groups !== undefined) sections.push(renderGroups(status.groups));
  return sections.join('\n');
}

export function summaryLine(status: ClusterStatus): string {
  const leader = status.members.find((member) => member.id === status.leaderId);
  const { voters, healthyVoters, majority, quorumMargin, hasQuorum } = status.quorum;
  const leaderText =
    status.leadership === 'per-group'
      ? 'leaders per group'
      : leader === undefined
        ? 'NO LEADER'
        : status.term === undefined
          ? `leader ${leader.name}`
          : `leader ${leader.name} at term ${status.term}`;
  const quorumText = hasQuorum
    ? `quorum margin ${quorumMargin} (${healthyVoters}/${voters} voters reachable, majority ${majority})`
    : `NO QUORUM (${healthyVoters}/${voters} voters reachable, majority ${majority})`;
  return `${status.cluster} (${status.kind}): ${leaderText}, ${quorumText}`;
}

/** Attribute keys in the order members first report them. */
function attributeColumns(members: readonly MemberStatus[]): Column[] {
  const keys = [...new Set(members.flatMap((member) => Object.keys(member.attributes ?? {})))];
  return keys.map((key) => ({
    header: headerOf(key),
    cell: (member) => formatAttribute(member.attributes?.[key]),
  }));
}

function attributesLine(attributes: Record<string, AttributeValue>): string {
  return Object.entries(attributes)
    .map(([key, value]) => `${wordsOf(key)} ${formatAttribute(value)}`)
    .join(', ');
}

function renderGroups(groups: RaftGroupSummary): string {
  const byType = groups.byType.map((counts) => `${counts.total} ${counts.type}`).join(', ');
  const heading = `Raft groups: ${groups.total}${byType === '' ? '' : ` (${byType})`}, ${groups.leaderless} leaderless, ${groups.underReplicated} under-replicated`;
  if (groups.worst.length === 0) return `${heading}\n`;
  const rows = groups.worst.map((group) => [
    group.id,
    group.type,
    group.leader ?? 'NONE',
    `${group.healthyReplicas}/${group.replicas}`,
    formatOptional(group.lagEntries),
    group.problems.join('; '),
  ]);
  return `${heading}\n\n${formatTable(['GROUP', 'TYPE', 'LEADER', 'HEALTHY', 'LAG', 'PROBLEMS'], rows)}`;
}

/** `latencyMaxMs` -> `LATENCY MAX MS`. */
function headerOf(key: string): string {
  return wordsOf(key).toUpperCase();
}

/** `latencyMaxMs` -> `latency max ms`. */
function wordsOf(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

function formatAttribute(value: AttributeValue | undefined): string {
  if (value === undefined) return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

function roleOf(member: MemberStatus): string {
  if (member.reachable) return member.role;
  return member.role === 'learner' ? 'learner (down)' : 'unreachable';
}

function errorsOf(member: MemberStatus): string {
  const errors = [
    ...(member.error === undefined ? [] : [member.error.message]),
    ...(member.reportedErrors ?? []),
    ...member.alarms.map((alarm) => `alarm ${alarm}`),
  ];
  return errors.length === 0 ? '' : errors.join('; ');
}
