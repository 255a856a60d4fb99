/** Generates the Grafana dashboards (one overview across clusters, one per kind) from the metric catalog. */
import type { SystemKind } from '../model.js';
import type { MetricDefinition } from './catalog-types.js';
import { unknownMetricsInPromQL } from './prometheus-rules.js';

/**
 * Grafana's classic dashboard JSON model as Grafana 12 saves it. Newer Grafana (13) imports it
 * and migrates forward on load; 41 needs no migration step in 12.x.
 */
export const GRAFANA_SCHEMA_VERSION = 41;
export const GRAFANA_OVERVIEW_FILE_NAME = 'quorumctl-overview.json';

export interface GrafanaTarget {
  refId: string;
  expr: string;
  legendFormat: string;
  datasource: GrafanaDatasourceRef;
}

export interface GrafanaDatasourceRef {
  type: 'prometheus';
  uid: string;
}

export interface GrafanaPanel {
  id: number;
  type: 'row' | 'timeseries' | 'stat';
  title: string;
  description?: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: GrafanaDatasourceRef;
  collapsed?: boolean;
  panels?: GrafanaPanel[];
  fieldConfig?: { defaults: Record<string, unknown>; overrides: unknown[] };
  options?: Record<string, unknown>;
  targets?: GrafanaTarget[];
}

export interface GrafanaDashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  schemaVersion: number;
  version: number;
  editable: boolean;
  graphTooltip: number;
  refresh: string;
  time: { from: string; to: string };
  timepicker: Record<string, never>;
  timezone: string;
  annotations: { list: unknown[] };
  links: unknown[];
  templating: { list: Record<string, unknown>[] };
  panels: GrafanaPanel[];
}

export interface GrafanaDashboardFile {
  /** Name under dashboards/grafana/. */
  fileName: string;
  dashboard: GrafanaDashboard;
}

const DATASOURCE: GrafanaDatasourceRef = { type: 'prometheus', uid: '${datasource}' };
const CLUSTER_MATCHER = 'cluster=~"$cluster"';

const PROPOSALS_ROW = 'Raft proposals';

/**
 * Rows of a per-kind dashboard: a metric goes into the first row whose pattern its name
 * matches (Multi-Raft first: `…_groups_leaderless` is about groups, not the cluster leader).
 */
const ROWS: readonly { title: string; pattern: RegExp }[] = [
  { title: 'Multi-Raft groups', pattern: /_raft_groups/ },
  { title: 'Availability and leadership', pattern: /_(up|leader|term|epoch|election|alarm)/ },
  { title: 'Quorum and replication', pattern: /_(margin|voters?|lag|index|learner|catch)/ },
  { title: PROPOSALS_ROW, pattern: /_proposals?_/ },
  { title: 'Disk latency', pattern: /_(fsync|commit|wal|disk)/ },
  { title: 'The node', pattern: /_node_(filesystem|resident|memory)/ },
  { title: 'Storage and quota', pattern: /_(db|quota|size|fragment|bytes|backup|filesystem)/ },
  { title: 'The agent', pattern: /_poll_/ },
];
/** The order rows appear in: what an operator reads first, the agent's own health last. */
const ROW_ORDER = [
  'Availability and leadership',
  'Quorum and replication',
  PROPOSALS_ROW,
  'Disk latency',
  'Storage and quota',
  'The node',
  'Multi-Raft groups',
  'The agent',
];
const OTHER_ROW = 'Other';

/** Every dashboard: the overview first, then one per kind the catalog has a source for. */
export function generateGrafanaDashboards(
  catalog: readonly MetricDefinition[],
): GrafanaDashboardFile[] {
  const kinds = kindsInCatalog(catalog);
  const files: GrafanaDashboardFile[] = [
    { fileName: GRAFANA_OVERVIEW_FILE_NAME, dashboard: overviewDashboard(catalog) },
    ...kinds.map((kind) => ({
      fileName: `quorumctl-${kind}.json`,
      dashboard: kindDashboard(catalog, kind),
    })),
  ];
  for (const file of files) assertCatalogQueries(file, catalog);
  return files;
}

/**
 * Stable text for a committed file, formatted exactly as Prettier formats JSON (printWidth
 * 100), so `prettier --check .` and the drift test agree: objects one key per line, arrays of
 * plain values on one line when they fit.
 */
export function serializeDashboard(dashboard: GrafanaDashboard): string {
  return `${formatJson(dashboard, 0, '', true)}\n`;
}

const PRINT_WIDTH = 100;

function formatJson(value: unknown, indent: number, prefix: string, last: boolean): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const plain = value.every((item) => item === null || typeof item !== 'object');
    if (plain) {
      const oneLine = `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
      if (indent + prefix.length + oneLine.length + (last ? 0 : 1) <= PRINT_WIDTH) return oneLine;
    }
    const inner = value.map(
      (item, index) =>
        `${pad}  ${formatJson(item, indent + 2, '', index === value.length - 1)}${index === value.length - 1 ? '' : ','}`,
    );
    return `[\n${inner.join('\n')}\n${pad}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    if (entries.length === 0) return '{}';
    const inner = entries.map(([key, item], index) => {
      const keyText = `${JSON.stringify(key)}: `;
      const isLast = index === entries.length - 1;
      return `${pad}  ${keyText}${formatJson(item, indent + 2, keyText, isLast)}${isLast ? '' : ','}`;
    });
    return `{\n${inner.join('\n')}\n${pad}}`;
  }
  return JSON.stringify(value);
}

/** Kinds some metric has a source for, in the catalog's order of first mention. */
export function kindsInCatalog(catalog: readonly MetricDefinition[]): SystemKind[] {
  const kinds: SystemKind[] = [];
  for (const metric of catalog) {
    for (const kind of Object.keys(metric.sources) as SystemKind[]) {
      if (!kinds.includes(kind)) kinds.push(kind);
    }
  }
  return kinds;
}

/** Every panel and its queries, flattened out of rows. */
export function dashboardPanels(dashboard: GrafanaDashboard): GrafanaPanel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** A metric shows on a kind's dashboard when that kind provides it (or, derived, when any does). */
export function metricAppliesToKind(metric: MetricDefinition, kind: SystemKind): boolean {
  const kinds = Object.keys(metric.sources);
  return kinds.includes(kind) || (metric.derived === true && kinds.length === 0);
}

/** Guidance drawn on a metric's panel, the same the alerts use (docs/alerts.md). */
const GUIDELINES: Readonly<Record<string, number>> = {
  quorum_wal_fsync_duration_seconds: 0.01,
  quorum_node_fsync_latency_seconds: 0.01,
  quorum_backend_commit_duration_seconds: 0.25,
  quorum_commit_latency_seconds: 0.1,
};

export const PROPOSALS_PANEL_TITLE = 'Raft proposals';

function kindDashboard(catalog: readonly MetricDefinition[], kind: SystemKind): GrafanaDashboard {
  const metrics = catalog.filter((metric) => metricAppliesToKind(metric, kind));
  const selector = `{kind="${kind}", ${CLUSTER_MATCHER}}`;
  const rowTitles = [...ROW_ORDER, OTHER_ROW];
  const sections = rowTitles
    .map((title) => {
      const inRow = metrics.filter((metric) => rowOf(metric) === title);
      return {
        title,
        panels:
          title === PROPOSALS_ROW && inRow.length > 0
            ? [proposalsPanel(inRow, selector)]
            : inRow.flatMap((metric) => metricPanels(metric, selector)),
      };
    })
    .filter((section) => section.panels.length > 0);
  const upMetric = availabilityMetric(catalog);
  return baseDashboard({
    uid: `quorumctl-${kind}`,
    title: `quorumctl / ${kind}`,
    description: `Every catalog metric ${kind} provides, per member. Generated by \`quorumctl dashboards export grafana\` from the metric catalog (docs/metrics.md): do not edit by hand.`,
    tags: ['quorumctl', kind],
    clusterQuery: `label_values(${upMetric.name}{kind="${kind}"}, cluster)`,
    panels: layout(sections),
  });
}

/**
 * All proposal metrics in one panel. The etcd mixin's "Raft Proposals" panel plots leader
 * changes by mistake; this one plots only proposals (committed, applied, failed, pending).
 */
function proposalsPanel(metrics: readonly MetricDefinition[], selector: string): PanelDraft {
  return {
    title: PROPOSALS_PANEL_TITLE,
    description: `Consensus proposals per member: counters as their increase over 5m, pending as it is (${metrics.map((metric) => metric.name).join(', ')}).`,
    unit: 'short',
    targets: metrics.map((metric) => {
      const by = groupingLabels(metric).join(', ');
      const what = metric.name.replace(/^quorum_proposals_/, '').replace(/_total$/, '');
      const legend = `${what} ${legendOf(metric)}`;
      return metric.type === 'counter'
        ? { expr: `max by (${by}) (increase(${metric.name}${selector}[5m]))`, legendFormat: legend }
        : { expr: `max by (${by}) (${metric.name}${selector})`, legendFormat: legend };
    }),
  };
}

/** The labels a per-kind panel keeps apart (kind is fixed by the dashboard). */
function groupingLabels(metric: MetricDefinition): string[] {
  return metric.labels.filter((label) => label !== 'kind');
}

function legendOf(metric: MetricDefinition): string {
  return groupingLabels(metric)
    .map((label) => `{{${label}}}`)
    .join(' ');
}

/**
 * One panel per metric: gauges as they are, counters as their increase over 5 minutes,
 * histograms as p99 and p50. `max by` the model's labels: agents on several nodes export the
 * same series, and the panel must show each once.
 */
function metricPanels(metric: MetricDefinition, selector: string): PanelDraft[] {
  const by = groupingLabels(metric).join(', ');
  const legend = legendOf(metric);
  const guideline = GUIDELINES[metric.name];
  const description = `${metric.help} (${metric.name}${metric.derived === true ? ', derived by the agent' : ''})`;
  const base = {
    description,
    unit: grafanaUnit(metric),
    ...(guideline !== undefined && { guideline }),
  };
  switch (metric.type) {
    case 'gauge':
      return [
        {
          ...base,
          title: titleOf(metric),
          targets: [{ expr: `max by (${by}) (${metric.name}${selector})`, legendFormat: legend }],
        },
      ];
    case 'counter':
      return [
        {
          ...base,
          title: `${titleOf(metric)} (increase over 5m)`,
          targets: [
            {
              expr: `max by (${by}) (increase(${metric.name}${selector}[5m]))`,
              legendFormat: legend,
            },
          ],
        },
      ];
    case 'histogram': {
      const byLe = [...groupingLabels(metric).filter((label) => label !== 'quantile'), 'le'];
      const quantile = (q: number) =>
        `histogram_quantile(${q}, sum by (${byLe.join(', ')}) (rate(${metric.name}_bucket${selector}[$__rate_interval])))`;
      return [
        {
          ...base,
          title: `${titleOf(metric)} p99 and p50`,
          targets: [
            { expr: quantile(0.99), legendFormat: `p99 ${legend}` },
            { expr: quantile(0.5), legendFormat: `p50 ${legend}` },
          ],
        },
      ];
    }
  }
}

function rowOf(metric: MetricDefinition): string {
  return ROWS.find((row) => row.pattern.test(metric.name))?.title ?? OTHER_ROW;
}

const ACRONYMS: Readonly<Record<string, string>> = { wal: 'WAL', db: 'DB', eta: 'ETA' };

/** "quorum_wal_fsync_duration_seconds" -> "WAL fsync duration". */
function titleOf(metric: MetricDefinition): string {
  const words = metric.name
    .replace(/^quorum_/, '')
    .replace(/_(total|seconds|bytes|ratio|percent|entries)$/, '')
    .split('_')
    .map((word) => ACRONYMS[word] ?? word);
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function grafanaUnit(metric: MetricDefinition): string {
  if (metric.type === 'counter') return 'short';
  if (/_seconds$/.test(metric.name)) return 's';
  if (/_bytes$/.test(metric.name)) return 'bytes';
  if (/_ratio$/.test(metric.name)) return 'percentunit';
  if (/_percent$/.test(metric.name)) return 'percent';
  return 'short';
}

/** The metric whose label values list the clusters: the availability gauge (`…_up`). */
function availabilityMetric(catalog: readonly MetricDefinition[]): MetricDefinition {
  const up = catalog.find((metric) => /_up$/.test(metric.name)) ?? catalog[0];
  if (up === undefined) throw new Error('the metric catalog is empty');
  return up;
}

// ---------------------------------------------------------------------------------------------
// Overview across clusters

interface OverviewPanelSpec {
  title: string;
  description: string;
  /** Catalog metrics the queries use; the panel is left out when the catalog lacks one. */
  metrics: readonly string[];
  unit: string;
  type: 'stat' | 'timeseries';
  targets: readonly { expr: string; legendFormat: string }[];
  /** Stat panels: colour steps (the first step's value is null: everything below the next). */
  thresholds?: readonly { color: string; value: number | null }[];
  /** Time series: a red dashed line at this value (the guidance the alerts use). */
  guideline?: number;
}

const SEL = `{${CLUSTER_MATCHER}}`;

const stat = (
  title: string,
  description: string,
  metrics: readonly string[],
  expr: string,
  unit: string,
  thresholds: OverviewPanelSpec['thresholds'],
): OverviewPanelSpec => ({
  title,
  description,
  metrics,
  unit,
  type: 'stat',
  targets: [{ expr, legendFormat: '{{cluster}} ({{kind}})' }],
  thresholds,
});
const series = (
  title: string,
  description: string,
  metrics: readonly string[],
  expr: string,
  unit: string,
  guideline?: number,
): OverviewPanelSpec => ({
  title,
  description,
  metrics,
  unit,
  type: 'timeseries',
  targets: [{ expr, legendFormat: '{{cluster}} ({{kind}})' }],
  ...(guideline !== undefined && { guideline }),
});
const RED_BELOW_ONE = [
  { color: 'red', value: null },
  { color: 'green', value: 1 },
];

/** The panels of the overview: the questions an operator asks first, per cluster. */
export const OVERVIEW_PANELS: readonly OverviewPanelSpec[] = [
  stat(
    'Cluster answers',
    'Whether any agent got a status from the cluster in its last poll (quorum_up).',
    ['quorum_up'],
    `max by (cluster, kind) (quorum_up${SEL})`,
    'none',
    RED_BELOW_ONE,
  ),
  stat(
    'Has a leader',
    'Whether any agent sees a leader (quorum_has_leader). Alert: QuorumNoLeader.',
    ['quorum_has_leader'],
    `max by (cluster, kind) (quorum_has_leader${SEL})`,
    'none',
    RED_BELOW_ONE,
  ),
  stat(
    'Quorum margin',
    'How many more voters may fail before quorum is lost (quorum_margin): 0 = the next failure stops the cluster. Alerts: QuorumMarginZero, QuorumLost.',
    ['quorum_margin'],
    `max by (cluster, kind) (quorum_margin${SEL})`,
    'none',
    [
      { color: 'red', value: null },
      { color: 'orange', value: 0 },
      { color: 'green', value: 1 },
    ],
  ),
  stat(
    'Members down',
    'Members no agent could reach in its last poll (quorum_member_up). Alert: QuorumMemberDown.',
    ['quorum_member_up'],
    `sum by (cluster, kind) (1 - max by (cluster, kind, member) (quorum_member_up${SEL}))`,
    'none',
    [
      { color: 'green', value: null },
      { color: 'orange', value: 1 },
    ],
  ),
  stat(
    'Leader changes (15m)',
    'Leader changes the agents saw in the last 15 minutes (quorum_leader_changes_total). Alert at 4: QuorumHighLeaderChanges.',
    ['quorum_leader_changes_total'],
    `max by (cluster, kind) (increase(quorum_leader_changes_total${SEL}[15m]))`,
    'none',
    [
      { color: 'green', value: null },
      { color: 'orange', value: 1 },
      { color: 'red', value: 4 },
    ],
  ),
  stat(
    'Active alarms',
    'Alarms raised on the cluster (quorum_alarms_active, etcd NOSPACE/CORRUPT). Alert: QuorumAlarmActive.',
    ['quorum_alarms_active'],
    `max by (cluster, kind) (quorum_alarms_active${SEL})`,
    'none',
    [
      { color: 'green', value: null },
      { color: 'red', value: 1 },
    ],
  ),
  stat(
    'Quota used',
    'Largest database size against its quota over the members (quorum_db_size_bytes / quorum_quota_bytes). Alert at 95%: QuorumDatabaseQuotaLowSpace.',
    ['quorum_db_size_bytes', 'quorum_quota_bytes'],
    `max by (cluster, kind) (quorum_db_size_bytes${SEL} / (quorum_quota_bytes${SEL} > 0))`,
    'percentunit',
    [
      { color: 'green', value: null },
      { color: 'orange', value: 0.8 },
      { color: 'red', value: 0.95 },
    ],
  ),
  stat(
    'Quota reached in',
    'Shortest time until a member reaches its quota at the current growth (quorum_quota_exhaustion_eta_seconds). Alert under 4 h: QuorumQuotaExhaustionSoon.',
    ['quorum_quota_exhaustion_eta_seconds'],
    `min by (cluster, kind) (quorum_quota_exhaustion_eta_seconds${SEL})`,
    's',
    [
      { color: 'red', value: null },
      { color: 'orange', value: 14400 },
      { color: 'green', value: 86400 },
    ],
  ),
  stat(
    'Leaderless Raft groups',
    'Multi-Raft groups without a leader, all group types (quorum_raft_groups_leaderless). Alert: QuorumRaftGroupsLeaderless.',
    ['quorum_raft_groups_leaderless'],
    `sum by (cluster, kind) (max by (cluster, kind, group_type) (quorum_raft_groups_leaderless${SEL}))`,
    'none',
    [
      { color: 'green', value: null },
      { color: 'red', value: 1 },
    ],
  ),
  stat(
    'Under-replicated Raft groups',
    'Multi-Raft groups with fewer healthy replicas than configured (quorum_raft_groups_under_replicated). Alert: QuorumRaftGroupsUnderReplicated.',
    ['quorum_raft_groups_under_replicated'],
    `sum by (cluster, kind) (max by (cluster, kind, group_type) (quorum_raft_groups_under_replicated${SEL}))`,
    'none',
    [
      { color: 'green', value: null },
      { color: 'orange', value: 1 },
    ],
  ),
  stat(
    'Newest backup age',
    'Time since the newest verified backup finished (quorum_backup_age_seconds). Alert over 25 h: QuorumBackupTooOld.',
    ['quorum_backup_age_seconds'],
    `max by (cluster, kind) (quorum_backup_age_seconds${SEL})`,
    's',
    [
      { color: 'green', value: null },
      { color: 'red', value: 90000 },
    ],
  ),
  stat(
    'Healthy voters',
    'Voting members that answered the last poll (quorum_healthy_voters), out of quorum_voters.',
    ['quorum_healthy_voters'],
    `max by (cluster, kind) (quorum_healthy_voters${SEL})`,
    'none',
    [{ color: 'blue', value: null }],
  ),
  series(
    'Quorum margin',
    'quorum_margin over time: dips show members lost and regained.',
    ['quorum_margin'],
    `max by (cluster, kind) (quorum_margin${SEL})`,
    'none',
  ),
  series(
    'Leader changes per second',
    "The agent's leader-change rate over its window (quorum_leader_changes_per_second).",
    ['quorum_leader_changes_per_second'],
    `max by (cluster, kind) (quorum_leader_changes_per_second${SEL})`,
    'short',
  ),
  series(
    'Election gap',
    'Length of the last leader change as the agents saw it (quorum_election_gap_seconds, one poll interval resolution).',
    ['quorum_election_gap_seconds'],
    `max by (cluster, kind) (quorum_election_gap_seconds${SEL})`,
    's',
  ),
  series(
    'Worst follower lag (entries)',
    "Entries the furthest member is behind the leader's commit index (quorum_follower_lag_entries).",
    ['quorum_follower_lag_entries'],
    `max by (cluster, kind) (quorum_follower_lag_entries${SEL})`,
    'short',
  ),
  series(
    'WAL fsync p99 (worst member)',
    'p99 of write-ahead-log fsyncs of the slowest member (quorum_wal_fsync_duration_seconds); the line is the 10 ms guidance. Alerts: QuorumWalFsyncSlow, QuorumWalFsyncVerySlow.',
    ['quorum_wal_fsync_duration_seconds'],
    `max by (cluster, kind) (histogram_quantile(0.99, sum by (cluster, kind, member, le) (rate(quorum_wal_fsync_duration_seconds_bucket${SEL}[$__rate_interval]))))`,
    's',
    0.01,
  ),
  series(
    'Fsync probe p99',
    "p99 of the agent's own fdatasync probe on the data directory (quorum_node_fsync_latency_seconds); the line is the 10 ms guidance. Alert: QuorumNodeFsyncSlow.",
    ['quorum_node_fsync_latency_seconds'],
    `max by (cluster, kind) (quorum_node_fsync_latency_seconds{quantile="0.99", ${CLUSTER_MATCHER}})`,
    's',
    0.01,
  ),
  series(
    'Average commit latency (worst member)',
    'Average commit or request latency where the source only averages (quorum_commit_latency_seconds, quantile "avg"). Alert over 100 ms: QuorumCommitLatencyHigh.',
    ['quorum_commit_latency_seconds'],
    `max by (cluster, kind) (quorum_commit_latency_seconds{quantile="avg", ${CLUSTER_MATCHER}})`,
    's',
    0.1,
  ),
  series(
    'Database size (largest member)',
    'Size of the largest member database (quorum_db_size_bytes).',
    ['quorum_db_size_bytes'],
    `max by (cluster, kind) (quorum_db_size_bytes${SEL})`,
    'bytes',
  ),
];

function overviewDashboard(catalog: readonly MetricDefinition[]): GrafanaDashboard {
  const names = new Set(catalog.map((metric) => metric.name));
  const specs = OVERVIEW_PANELS.filter((spec) => spec.metrics.every((name) => names.has(name)));
  const drafts: PanelDraft[] = specs.map((spec) => ({
    title: spec.title,
    description: spec.description,
    unit: spec.unit,
    type: spec.type,
    targets: spec.targets,
    ...(spec.thresholds !== undefined && { thresholds: spec.thresholds }),
    ...(spec.guideline !== undefined && { guideline: spec.guideline }),
  }));
  const stats = drafts.filter((draft) => draft.type === 'stat');
  const series = drafts.filter((draft) => draft.type !== 'stat');
  const upMetric = availabilityMetric(catalog);
  return baseDashboard({
    uid: 'quorumctl-overview',
    title: 'quorumctl / overview',
    description:
      'Every cluster at a glance: availability, leadership, quorum margin, churn, disk latency, quota and backups, by cluster and kind. Generated by `quorumctl dashboards export grafana` from the metric catalog (docs/metrics.md): do not edit by hand.',
    tags: ['quorumctl', 'overview'],
    clusterQuery: `label_values(${upMetric.name}, cluster)`,
    panels: layout(
      [
        { title: 'Now, per cluster', panels: stats },
        { title: 'Over time', panels: series },
      ].filter((section) => section.panels.length > 0),
    ),
  });
}

// ---------------------------------------------------------------------------------------------
// Layout and the dashboard shell

interface PanelDraft {
  title: string;
  description: string;
  unit: string;
  type?: 'stat' | 'timeseries';
  targets: readonly { expr: string; legendFormat: string }[];
  thresholds?: readonly { color: string; value: number | null }[];
  guideline?: number;
}

/** Rows of panels, two time series (or four stats) per line, ids in reading order. */
function layout(
  sections: readonly { title: string; panels: readonly PanelDraft[] }[],
): GrafanaPanel[] {
  const panels: GrafanaPanel[] = [];
  let id = 1;
  let y = 0;
  for (const section of sections) {
    panels.push({
      id: id++,
      type: 'row',
      title: section.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
      panels: [],
    });
    y += 1;
    let x = 0;
    for (const draft of section.panels) {
      const type = draft.type ?? 'timeseries';
      const width = type === 'stat' ? 6 : 12;
      const height = type === 'stat' ? 5 : 8;
      if (x + width > 24) {
        x = 0;
        y += height;
      }
      panels.push(toPanel(draft, id++, { h: height, w: width, x, y }));
      x += width;
    }
    const lastHeight = section.panels.some((draft) => (draft.type ?? 'timeseries') !== 'stat')
      ? 8
      : 5;
    y += lastHeight;
  }
  return panels;
}

function toPanel(draft: PanelDraft, id: number, gridPos: GrafanaPanel['gridPos']): GrafanaPanel {
  const type = draft.type ?? 'timeseries';
  const targets = draft.targets.map((target, index) => ({
    refId: String.fromCharCode(65 + index),
    expr: target.expr,
    legendFormat: target.legendFormat,
    datasource: DATASOURCE,
  }));
  const thresholds = {
    mode: 'absolute',
    steps: draft.thresholds ?? [{ color: 'green', value: null }],
  };
  if (type === 'stat') {
    return {
      id,
      type,
      title: draft.title,
      description: draft.description,
      datasource: DATASOURCE,
      gridPos,
      fieldConfig: { defaults: { unit: draft.unit, thresholds }, overrides: [] },
      options: {
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        textMode: 'value_and_name',
      },
      targets,
    };
  }
  return {
    id,
    type,
    title: draft.title,
    description: draft.description,
    datasource: DATASOURCE,
    gridPos,
    fieldConfig: {
      defaults: {
        unit: draft.unit,
        custom: {
          drawStyle: 'line',
          lineWidth: 1,
          fillOpacity: 0,
          thresholdsStyle: { mode: draft.guideline === undefined ? 'off' : 'dashed' },
        },
        thresholds: {
          mode: 'absolute',
          steps: [
            { color: 'green', value: null },
            ...(draft.guideline === undefined ? [] : [{ color: 'red', value: draft.guideline }]),
          ],
        },
      },
      overrides: [],
    },
    options: {
      legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
    targets,
  };
}

function baseDashboard(input: {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  clusterQuery: string;
  panels: GrafanaPanel[];
}): GrafanaDashboard {
  return {
    uid: input.uid,
    title: input.title,
    description: input.description,
    tags: input.tags,
    schemaVersion: GRAFANA_SCHEMA_VERSION,
    version: 1,
    editable: true,
    graphTooltip: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    timepicker: {},
    timezone: '',
    annotations: { list: [] },
    links: [],
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Data source',
          type: 'datasource',
          query: 'prometheus',
          current: {},
          hide: 0,
          refresh: 1,
        },
        {
          name: 'cluster',
          label: 'Cluster',
          type: 'query',
          datasource: DATASOURCE,
          definition: input.clusterQuery,
          query: { query: input.clusterQuery, refId: 'cluster' },
          refresh: 2,
          multi: true,
          includeAll: true,
          allValue: '.*',
          current: {},
          sort: 1,
          hide: 0,
        },
      ],
    },
    panels: input.panels,
  };
}

/** A generated query that names a metric outside the catalog is a bug in this module. */
function assertCatalogQueries(file: GrafanaDashboardFile, catalog: readonly MetricDefinition[]) {
  const queries = [
    ...dashboardPanels(file.dashboard)
      .flatMap((panel) => panel.targets ?? [])
      .map((t) => t.expr),
    // label_values(SELECTOR, LABEL) is Grafana's, not PromQL: check the selector only.
    ...file.dashboard.templating.list.flatMap((variable) =>
      typeof variable.definition === 'string'
        ? [variable.definition.replace(/^label_values\((.*),\s*\w+\)$/, '$1')]
        : [],
    ),
  ];
  for (const query of queries) {
    const unknown = unknownMetricsInPromQL(query, catalog);
    if (unknown.length > 0) {
      throw new Error(`${file.fileName}: query uses metrics outside the catalog: ${query}`);
    }
  }
}
