/**
 * Turns panel data into widget content: colours by health and tone, tables fitted to their
 * panels, charts fed their lines. Thin: every number and phrase comes from core/dashboard.
 */
import {
  latencyChart,
  leaderTimelineLines,
  rateChart,
  termChurn,
  type ChartData,
  type TimelineLine,
} from '../../core/dashboard/charts.js';
import { clockTime, fit } from '../../core/dashboard/format.js';
import type { DashboardLayout, PanelId } from '../../core/dashboard/layout.js';
import type { ClusterTrack, DashboardStore } from '../../core/dashboard/store.js';
import { clusterListRows, memberTableRows, type RowHealth } from '../../core/dashboard/tables.js';
import { groupSummaryLines, logLines, type TextLine } from '../../core/dashboard/text-panels.js';
import { fitTable } from './text-table.js';
import type { ViewState } from './view-state.js';
import { escapeTags, type Box, type LineChart } from './widgets.js';

export interface PanelWidgets {
  clusters?: Box;
  members?: Box;
  timeline?: Box;
  churn?: Box;
  groups?: Box;
  commitChart?: LineChart;
  fsyncChart?: LineChart;
  rateChart?: LineChart;
  log?: Box;
  keys?: Box;
}

export interface RenderContext {
  store: DashboardStore;
  view: ViewState;
  layout: DashboardLayout;
  widgets: PanelWidgets;
  nowMs: number;
  intervalMs: number;
  /** `gray` where the terminal has 16 colours or more; on 8 it would come out black. */
  mutedColour: string;
}

const HEALTH_COLOUR: Record<RowHealth, string> = {
  ok: 'green',
  degraded: 'yellow',
  critical: 'red',
  waiting: 'gray',
};

const TONE_COLOUR: Record<TextLine['tone'] | TimelineLine['tone'], string> = {
  ok: 'green',
  info: 'white',
  warn: 'yellow',
  critical: 'red',
  muted: 'gray',
  change: 'yellow',
  bad: 'red',
};

/** Member line colours, in member order, so a member keeps its colour in every chart. */
const SERIES_COLOURS = ['yellow', 'cyan', 'magenta', 'green', 'blue', 'red', 'white'];

function colouredWith(muted: string) {
  return (text: string, colour: string, extra = ''): string =>
    `{${colour === 'gray' ? muted : colour}-fg}${extra}${escapeTags(text)}{/}`;
}

/** Inner size of a bordered panel. */
function inner(layout: DashboardLayout, panel: PanelId): { width: number; height: number } {
  const rect = layout.panels[panel];
  return rect === undefined
    ? { width: 0, height: 0 }
    : { width: Math.max(0, rect.width - 2), height: Math.max(0, rect.height - 2) };
}

export function selectedTrack(store: DashboardStore, view: ViewState): ClusterTrack | undefined {
  return store.clusters()[view.clusterIndex];
}

export function renderPanels(context: RenderContext): void {
  const { store, view, widgets, layout } = context;
  const track = selectedTrack(store, view);
  const coloured = colouredWith(context.mutedColour);
  const focusLabel = (panel: 'clusters' | 'members' | 'log', label: string) =>
    view.focus === panel ? `[${label}]` : label;

  if (widgets.clusters !== undefined) {
    const data = clusterListRows(store);
    const size = inner(layout, 'clusters');
    const table = fitTable(
      data.headers,
      data.rows.map((row) => row.cells),
      size,
      { selected: view.clusterIndex },
    );
    widgets.clusters.setLabel(` ${focusLabel('clusters', `clusters (${data.rows.length})`)} `);
    widgets.clusters.setContent(
      [
        `{bold}${escapeTags(table.header)}{/bold}`,
        ...table.rows.map(({ line, index }) => {
          const health = data.rows[index]?.health ?? 'waiting';
          return coloured(
            line,
            HEALTH_COLOUR[health],
            index === view.clusterIndex ? '{inverse}' : '',
          );
        }),
      ].join('\n'),
    );
  }

  if (widgets.members !== undefined) {
    const data = memberTableRows(track);
    const size = inner(layout, 'members');
    const table = fitTable(
      data.headers,
      data.rows.map((row) => row.cells),
      size,
      { selected: view.memberIndex, flexible: 5 },
    );
    const title = track === undefined ? 'members' : `members of ${track.name}`;
    widgets.members.setLabel(` ${focusLabel('members', title)} `);
    const rows = table.rows.map(({ line, index }) => {
      const row = data.rows[index];
      const colour = row === undefined || !row.reachable ? 'red' : row.isLeader ? 'cyan' : 'white';
      const selected = view.focus === 'members' && index === view.memberIndex;
      return coloured(line, colour, selected ? '{inverse}' : '');
    });
    const waiting =
      track?.lastStatus === undefined
        ? [
            coloured(
              track?.lastOutcome === undefined
                ? 'waiting for the first poll...'
                : 'no member list: the cluster never answered',
              'gray',
            ),
          ]
        : [];
    widgets.members.setContent(
      [`{bold}${escapeTags(table.header)}{/bold}`, ...rows, ...waiting].join('\n'),
    );
  }

  if (widgets.timeline !== undefined) {
    const size = inner(layout, 'timeline');
    const lines = leaderTimelineLines(track, size.height);
    widgets.timeline.setLabel(` leader timeline${track === undefined ? '' : ` of ${track.name}`} `);
    widgets.timeline.setContent(
      lines.map((line) => coloured(fit(line.text, size.width), TONE_COLOUR[line.tone])).join('\n'),
    );
  }

  if (widgets.churn !== undefined) {
    const size = inner(layout, 'churn');
    const churn = termChurn(track, context.nowMs, Math.max(10, Math.min(60, size.width)), 10_000);
    widgets.churn.setContent(
      [
        coloured(churn.bars, churn.total > 0 ? 'yellow' : 'green'),
        coloured(fit(churn.caption, size.width), 'gray'),
      ].join('\n'),
    );
  }

  if (widgets.groups !== undefined) {
    const size = inner(layout, 'groups');
    const lines = groupSummaryLines(track, size.height);
    widgets.groups.setContent(
      lines.map((line) => coloured(fit(line.text, size.width), TONE_COLOUR[line.tone])).join('\n'),
    );
  }

  const chartOptions = (panel: PanelId) => ({
    points: Math.max(10, Math.min(120, (layout.panels[panel]?.width ?? 40) - 10)),
    ...(view.focusedMemberId !== undefined && { memberId: view.focusedMemberId }),
  });
  const memberColour = memberColours(track);
  // Charts are the costly part of a frame: redrawn only when their cluster was polled again
  // or what they show changed (another cluster or member, a new size).
  const chartsKey = [
    track?.name,
    track?.lastOutcome?.atMs,
    view.focusedMemberId,
    layout.columns,
    layout.rows,
  ].join('|');
  const drawChart = (
    chart: LineChart,
    data: ChartData,
    colourOf: (title: string) => string | undefined,
  ) => {
    if (drawnCharts.get(chart) === chartsKey) return;
    drawnCharts.set(chart, chartsKey);
    drawChartNow(chart, data, colourOf);
  };
  if (widgets.commitChart !== undefined)
    drawChart(
      widgets.commitChart,
      latencyChart(track, 'commit', chartOptions('commitChart')),
      memberColour,
    );
  if (widgets.fsyncChart !== undefined)
    drawChart(
      widgets.fsyncChart,
      latencyChart(track, 'fsync', chartOptions('fsyncChart')),
      memberColour,
    );
  if (widgets.rateChart !== undefined)
    drawChart(widgets.rateChart, rateChart(track, chartOptions('rateChart')), () => undefined);

  if (widgets.log !== undefined) {
    const size = inner(layout, 'log');
    const all = logLines(store, track, Number.MAX_SAFE_INTEGER);
    const end = Math.max(0, all.length - view.logScroll);
    const shown = all.slice(Math.max(0, end - size.height), end);
    widgets.log.setLabel(
      ` ${focusLabel('log', `findings and events${view.logScroll > 0 ? ` (scrolled back ${view.logScroll})` : ''}`)} `,
    );
    widgets.log.setContent(
      shown.map((line) => coloured(fit(line.text, size.width), TONE_COLOUR[line.tone])).join('\n'),
    );
  }

  if (widgets.keys !== undefined) widgets.keys.setContent(keyBar(context));
}

function memberColours(track: ClusterTrack | undefined): (title: string) => string | undefined {
  const names = [...(track?.members.values() ?? [])].map((member) => member.name);
  return (title) => {
    const index = names.indexOf(title);
    return index < 0 ? undefined : SERIES_COLOURS[index % SERIES_COLOURS.length];
  };
}

/** What each chart last drew, so an unchanged chart is not redrawn. */
const drawnCharts = new WeakMap<LineChart, string>();

function drawChartNow(
  chart: LineChart,
  data: ChartData,
  colourOf: (title: string) => string | undefined,
) {
  const lines = data.lines.length === 0 ? [{ title: '-', x: ['0', '1'], y: [0, 0] }] : data.lines;
  // A flat zero line would divide by zero in the chart's scale: give it a unit of height.
  const maxY = Math.max(0, ...lines.flatMap((line) => line.y));
  chart.options.maxY = maxY > 0 ? undefined : 1;
  const colours = lines.map(
    (line, index) =>
      colourOf(line.title) ?? SERIES_COLOURS[index % SERIES_COLOURS.length] ?? 'yellow',
  );
  // The legend goes into the label: blessed-contrib's legend box would cover the newest points.
  const room = Math.max(4, (chart.width as number) - 6);
  const title = fit(`${data.title}${data.note === undefined ? '' : ` (${data.note})`}`, room);
  let label = escapeTags(title);
  let used = title.length;
  data.lines.forEach((line, index) => {
    if (used + line.title.length + 1 > room) return;
    label += ` {${colours[index] ?? 'yellow'}-fg}${escapeTags(line.title)}{/}`;
    used += line.title.length + 1;
  });
  chart.setLabel(` ${label} `);
  chart.setData(
    lines.map((line, index) => ({
      title: line.title,
      x: line.x.length > 1 ? line.x : ['', ...line.x],
      y: line.y.length > 1 ? line.y : [0, ...line.y],
      style: { line: colours[index] ?? 'yellow' },
    })),
  );
}

function keyBar(context: RenderContext): string {
  const { layout, store } = context;
  const latest = Math.max(0, ...store.clusters().map((track) => track.lastOutcome?.atMs ?? 0));
  const keys = 'q quit  ? help  tab panel  \u2191\u2193 select  enter member  c check';
  const updated = latest === 0 ? 'polling...' : `updated ${clockTime(latest)}`;
  const status =
    layout.mode === 'compact'
      ? updated
      : `${layout.mode} ${layout.columns}x${layout.rows}  every ${context.intervalMs / 1000}s  ${updated}`;
  const gap = Math.max(2, layout.columns - keys.length - status.length - 2);
  const plain = fit(` ${keys}${' '.repeat(gap)}${status}`, layout.columns).padEnd(layout.columns);
  return `{black-fg}{cyan-bg}${escapeTags(plain)}{/}`;
}
