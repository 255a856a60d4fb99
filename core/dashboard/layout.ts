/**
 * Where each panel goes for a terminal size (pure). Three breakpoints, so nothing is drawn
 * narrower than it can be read:
 *   full     >= 120 x 36: every panel (tables, timeline, churn, groups, three charts, log)
 *   medium   >= 100 x 30: tables, leader timeline, commit p99 and rate charts, log
 *   compact  >=  60 x 15: cluster list, member table, log
 *   too-small below that: a one-line message asking for a bigger terminal.
 * Every layout ends with a one-line key bar. Rectangles tile the screen without overlap.
 */

export const PANEL_IDS = [
  'clusters',
  'members',
  'timeline',
  'churn',
  'groups',
  'commitChart',
  'fsyncChart',
  'rateChart',
  'log',
  'keys',
] as const;
export type PanelId = (typeof PANEL_IDS)[number];

export interface Rect {
  top: number;
  left: number;
  width: number;
  height: number;
}

export type LayoutMode = 'full' | 'medium' | 'compact' | 'too-small';

export interface DashboardLayout {
  mode: LayoutMode;
  columns: number;
  rows: number;
  /** Panels shown in this mode; the others are hidden. */
  panels: Partial<Record<PanelId, Rect>>;
}

export const BREAKPOINTS = {
  full: { columns: 120, rows: 36 },
  medium: { columns: 100, rows: 30 },
  compact: { columns: 60, rows: 15 },
} as const;

export function layoutMode(columns: number, rows: number): LayoutMode {
  const fits = (size: { columns: number; rows: number }) =>
    columns >= size.columns && rows >= size.rows;
  if (fits(BREAKPOINTS.full)) return 'full';
  if (fits(BREAKPOINTS.medium)) return 'medium';
  if (fits(BREAKPOINTS.compact)) return 'compact';
  return 'too-small';
}

/**
 * The layout for `columns` x `rows`. `clusterCount` and `memberCount` size the two tables in
 * compact mode, where every line counts (a border and a header line each, plus rows).
 */
export function dashboardLayout(
  columns: number,
  rows: number,
  counts: { clusterCount: number; memberCount: number } = { clusterCount: 3, memberCount: 3 },
): DashboardLayout {
  const mode = layoutMode(columns, rows);
  const keys: Rect = { top: rows - 1, left: 0, width: columns, height: 1 };
  const body = rows - 1;
  if (mode === 'too-small') return { mode, columns, rows, panels: { keys } };

  if (mode === 'compact') {
    // Each table: 2 border lines + header + rows; the log keeps at least 5 lines.
    const tableRoom = body - 5;
    const clustersHeight = clamp(counts.clusterCount + 3, 4, Math.floor(tableRoom / 2));
    const membersHeight = clamp(counts.memberCount + 3, 4, tableRoom - clustersHeight);
    return {
      mode,
      columns,
      rows,
      panels: {
        clusters: { top: 0, left: 0, width: columns, height: clustersHeight },
        members: { top: clustersHeight, left: 0, width: columns, height: membersHeight },
        log: {
          top: clustersHeight + membersHeight,
          left: 0,
          width: columns,
          height: body - clustersHeight - membersHeight,
        },
        keys,
      },
    };
  }

  const leftWidth = Math.round(columns * 0.6);
  const rightWidth = columns - leftWidth;
  if (mode === 'medium') {
    const band = Math.floor(body / 4);
    const chartWidth = Math.floor(columns / 2);
    return {
      mode,
      columns,
      rows,
      panels: {
        clusters: { top: 0, left: 0, width: leftWidth, height: band },
        timeline: { top: 0, left: leftWidth, width: rightWidth, height: band },
        members: { top: band, left: 0, width: columns, height: band },
        commitChart: { top: 2 * band, left: 0, width: chartWidth, height: band },
        rateChart: {
          top: 2 * band,
          left: chartWidth,
          width: columns - chartWidth,
          height: band,
        },
        log: { top: 3 * band, left: 0, width: columns, height: body - 3 * band },
        keys,
      },
    };
  }

  // full: four bands; the top right splits into timeline and churn sparkline.
  const top = Math.floor(body * 0.27);
  const middle = Math.floor(body * 0.23);
  const charts = Math.floor(body * 0.25);
  const logHeight = body - top - middle - charts;
  const churnHeight = Math.min(4, Math.floor(top / 2));
  const third = Math.floor(columns / 3);
  return {
    mode,
    columns,
    rows,
    panels: {
      clusters: { top: 0, left: 0, width: leftWidth, height: top },
      timeline: { top: 0, left: leftWidth, width: rightWidth, height: top - churnHeight },
      churn: { top: top - churnHeight, left: leftWidth, width: rightWidth, height: churnHeight },
      members: { top, left: 0, width: leftWidth, height: middle },
      groups: { top, left: leftWidth, width: rightWidth, height: middle },
      commitChart: { top: top + middle, left: 0, width: third, height: charts },
      fsyncChart: { top: top + middle, left: third, width: third, height: charts },
      rateChart: {
        top: top + middle,
        left: 2 * third,
        width: columns - 2 * third,
        height: charts,
      },
      log: { top: top + middle + charts, left: 0, width: columns, height: logHeight },
      keys,
    },
  };
}

function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(high, value));
}
