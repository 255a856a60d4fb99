/** Writes docs/metrics.md from the metric catalog and docs/alerts.md (the runbooks) from the alert rules. */
import { SYSTEM_KINDS, type SystemKind } from '../model.js';
import type { AlertDefinition, MetricDefinition } from './catalog-types.js';
import { GRAFANA_SCHEMA_VERSION } from './grafana.js';
import {
  ALERT_RULES_FILE_NAME,
  alertGroupName,
  catalogMetricFor,
  metricNamesInPromQL,
} from './prometheus-rules.js';

const GENERATED_NOTE = (source: string, how: string): string =>
  `<!-- Generated from ${source} by ${how}: do not edit by hand. -->`;

/** docs/metrics.md: every catalog metric with its type, labels, help and per-system source. */
export function renderMetricsDoc(catalog: readonly MetricDefinition[]): string {
  const lines: string[] = [
    '# Metric catalog',
    '',
    GENERATED_NOTE('core/metrics/catalog.ts', 'the drift test (`UPDATE_GENERATED=1`)'),
    '',
    'Every metric the agent exports, normalized across systems: one name, one unit and one meaning whatever the cluster runs. The same catalog generates the Grafana dashboards (`dashboards/grafana/`), the alert rules (`dashboards/prometheus/`, explained in [alerts.md](alerts.md)) and this page.',
    '',
    'Conventions: the `quorum_` prefix, base units in the name (`_seconds`, `_bytes`), `_total` on counters. Labels:',
    '',
    ...table(
      ['label', 'meaning'],
      [
        ['`cluster`', 'the cluster name from the inventory (or the sandbox)'],
        ['`member`', 'the member name as the system reports it'],
        ['`kind`', `the system: ${SYSTEM_KINDS.map((kind) => `\`${kind}\``).join(', ')}`],
        ['`group_type`', 'Multi-Raft group type (stream, consumer, region, range): bounded'],
        ['`quantile`', 'for gauges that carry a summary: `0.5`, `0.99`, `1` (max) or `avg`'],
      ],
    ),
    '',
    'A metric marked _derived_ is computed by the agent from what it observed; no exporter has it.',
    '',
    '## Summary',
    '',
    ...table(
      ['metric', 'type', 'labels', 'kinds'],
      catalog.map((metric) => [
        `[\`${metric.name}\`](#${slug(metric.name)})`,
        metric.derived === true ? `${metric.type}, derived` : metric.type,
        metric.labels.join(', '),
        kindList(Object.keys(metric.sources) as SystemKind[]),
      ]),
    ),
    '',
  ];
  for (const metric of catalog) {
    lines.push(`## ${metric.name}`, '');
    lines.push(
      `${capitalize(metric.type)}${metric.derived === true ? ', derived by the agent' : ''}. Labels: ${metric.labels.map((label) => `\`${label}\``).join(', ')}.`,
      '',
      escapeMarkdown(metric.help),
      '',
    );
    if (metric.buckets !== undefined) {
      lines.push(
        `Bucket upper bounds, in the metric's unit: ${metric.buckets.map((bound) => roundBound(bound)).join(', ')}.`,
        '',
      );
    }
    const sources = Object.entries(metric.sources);
    if (sources.length > 0) {
      lines.push(
        ...table(
          ['kind', 'source'],
          sources.map(([kind, source]) => [kind, escapeMarkdown(source)]),
        ),
        '',
      );
    }
  }
  return finish(lines);
}

/** The kinds an alert can fire for: those that provide every metric its expression uses. */
export function alertKinds(
  alert: AlertDefinition,
  catalog: readonly MetricDefinition[],
): SystemKind[] {
  const onlyKind = /^quorumctl-(.+)$/.exec(alertGroupName(alert))?.[1];
  return SYSTEM_KINDS.filter(
    (kind) =>
      (onlyKind === undefined || onlyKind === 'common' || onlyKind === kind) &&
      metricNamesInPromQL(alert.expr).every((name) => {
        const metric = catalogMetricFor(name, catalog);
        return metric !== undefined && kind in metric.sources;
      }),
  );
}

/** docs/alerts.md: one section per alert (its runbook anchor), with the rule, why, and what to do. */
export function renderAlertsDoc(
  alerts: readonly AlertDefinition[],
  steps: ReadonlyMap<string, readonly string[]>,
  catalog: readonly MetricDefinition[],
): string {
  const lines: string[] = [
    '# Alert rules and runbooks',
    '',
    GENERATED_NOTE(
      'core/metrics/alerts.ts and the metric catalog',
      'the drift test (`UPDATE_GENERATED=1`)',
    ),
    '',
    `quorumctl ships Prometheus alert rules over its [metric catalog](metrics.md) in \`dashboards/prometheus/${ALERT_RULES_FILE_NAME}\`, and Grafana dashboards (schemaVersion ${GRAFANA_SCHEMA_VERSION}, the classic JSON model of Grafana 12) in \`dashboards/grafana/\`. Both are generated from the catalog and this list; regenerate them anywhere with:`,
    '',
    '```sh',
    'quorumctl dashboards export alerts --out DIR    # DIR/prometheus/*.yaml',
    'quorumctl dashboards export grafana --out DIR   # DIR/grafana/*.json',
    '```',
    '',
    "Each rule's `runbook_url` points at its section below (`--runbook-base-url` makes it absolute). Every rule has promtool unit tests with synthetic series that show it firing when it should and staying silent when it should not (`dashboards/prometheus/tests/`, run by `make test`; by hand: `promtool test rules dashboards/prometheus/tests/*.yaml`).",
    '',
    'The rules cover the etcd mixin (contrib/mixin in etcd-io/etcd) with its known defects fixed: the fsync warning at the 10 ms guidance instead of 500 ms, failed proposals counted over 30 minutes as its description says instead of a per-second rate, and the Raft proposals dashboard panel plots proposals instead of leader elections. The same signals apply to every kind whose agent provides the metric (the _kinds_ column).',
    '',
    ...table(
      ['alert', 'severity', 'for', 'kinds'],
      alerts.map((alert) => [
        `[${alert.name}](#${slug(alert.name)})`,
        alert.severity,
        alert.for,
        kindList(alertKinds(alert, catalog)),
      ]),
    ),
    '',
  ];
  for (const alert of alerts) {
    lines.push(
      `## ${alert.name}`,
      '',
      `**${capitalize(alert.severity)}** after ${alert.for === '0m' ? 'the first evaluation' : alert.for}; kinds: ${kindList(alertKinds(alert, catalog))}.`,
      '',
      escapeMarkdown(untemplated(alert.description)),
      '',
      '```promql',
      alert.expr,
      '```',
      '',
      `**Why this rule and threshold.** ${escapeMarkdown(alert.rationale)}`,
      '',
      '**What to do:**',
      '',
      ...(steps.get(alert.name) ?? []).map(
        (step, index) => `${index + 1}. ${escapeMarkdown(step)}`,
      ),
      '',
    );
  }
  return finish(lines);
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to dashes. */
export function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');
}

function kindList(kinds: readonly SystemKind[]): string {
  if (kinds.length === SYSTEM_KINDS.length) return 'every kind';
  return kinds.length === 0 ? 'none yet' : kinds.join(', ');
}

/** `{{ $labels.cluster }}` reads as CLUSTER in the docs. */
function untemplated(text: string): string {
  return text.replace(/\{\{\s*\$labels\.(\w+)\s*\}\}/g, (_, label: string) => label.toUpperCase());
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function roundBound(bound: number): string {
  return String(Number(bound.toPrecision(6)));
}

/** Characters Markdown would read as markup outside code spans (Prettier escapes them too). */
function escapeMarkdown(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, index) =>
      // An underscore inside a word (quorum_up) is no emphasis: left as it reads.
      index % 2 === 1 ? part : part.replace(/([*<>[\]])|(?<!\w)_|_(?!\w)/g, (m) => `\\${m}`),
    )
    .join('');
}

/** A Markdown table padded as Prettier pads it (every cell to its column's width). */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const cells = [header, ...rows].map((row) => row.map((cell) => cell.replace(/\|/g, '\\|')));
  const widths = header.map((_, column) =>
    Math.max(3, ...cells.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: readonly string[]) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const [head = [], ...body] = cells;
  return [
    line(head),
    `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`,
    ...body.map(line),
  ];
}

function finish(lines: readonly string[]): string {
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
