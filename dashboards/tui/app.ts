/**
 * The live terminal dashboard: builds the panels for the terminal's size, redraws when the
 * session records something, maps keys to view actions, rebuilds on resize, and always gives
 * the terminal back (quit, Ctrl-C, SIGTERM, SIGHUP, or a crash).
 */
import { dashboardLayout, type DashboardLayout } from '../../core/dashboard/layout.js';
import { fit } from '../../core/dashboard/format.js';
import { memberDetailLines } from '../../core/dashboard/text-panels.js';
import { memberTableRows } from '../../core/dashboard/tables.js';
import { logLines } from '../../core/dashboard/text-panels.js';
import type { DashboardSession } from '../../ops/dashboard/session.js';
import { renderPanels, selectedTrack, type PanelWidgets } from './render.js';
import { INITIAL_VIEW, KEY_ACTIONS, reduceView, clamp, type ViewState } from './view-state.js';
import {
  createBareBox,
  createLineChart,
  createOverlay,
  createPanelBox,
  createScreen,
  escapeTags,
  mutedColour,
  type Box,
  type Screen,
} from './widgets.js';

export interface TuiOptions {
  session: DashboardSession;
  intervalMs: number;
  now?: () => number;
}

export const HELP_LINES = [
  'quorumctl dashboard keys',
  '',
  '  up / down, k / j    select a cluster or member; scroll the log',
  '  tab, left / right   move between cluster list, member table and log',
  '  enter               cluster list: go to its members',
  '                      member table: focus the member (charts show only it)',
  '  esc                 close this box; leave member focus',
  '  c                   run the quick check on the selected cluster now',
  '  ?                   this help',
  '  q, Ctrl-C           quit (the terminal is restored)',
  '',
  'Colours: green ok, yellow degraded, red critical or unreachable, gray waiting.',
  'Numbers refresh every interval; a cluster that does not answer within',
  '--timeout is shown unreachable without holding up the others.',
  '',
  'Press any key to close.',
];

/** Runs until the operator quits; rejects (terminal already restored) if the dashboard crashes. */
export function runTui(options: TuiOptions): Promise<void> {
  const now = options.now ?? Date.now;
  const { session } = options;
  const screen: Screen = createScreen('quorumctl dashboard');
  const muted = mutedColour(screen);
  let view: ViewState = INITIAL_VIEW;
  let layout: DashboardLayout | undefined;
  let widgets: PanelWidgets = {};
  let overlay: Box | undefined;
  let tooSmall: Box | undefined;
  let renderTimer: NodeJS.Timeout | undefined;
  let resizeTimer: NodeJS.Timeout | undefined;
  let finished = false;

  return new Promise<void>((resolve, reject) => {
    const restore = () => {
      if (renderTimer !== undefined) clearTimeout(renderTimer);
      if (resizeTimer !== undefined) clearTimeout(resizeTimer);
      process.off('uncaughtException', crash);
      process.off('unhandledRejection', crash);
      for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.off(signal, quit);
      // destroy() leaves the alternate screen, shows the cursor and ends raw mode.
      screen.destroy();
      process.stdin.pause();
    };
    const finish = (error?: Error) => {
      if (finished) return;
      finished = true;
      restore();
      void session.stop().finally(() => {
        if (error === undefined) resolve();
        else reject(error);
      });
    };
    const quit = () => {
      finish();
    };
    const crash = (error: unknown) => {
      finish(error instanceof Error ? error : new Error(String(error)));
    };
    process.on('uncaughtException', crash);
    process.on('unhandledRejection', crash);
    for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(signal, quit);

    const counts = () => ({
      clusterCount: session.store.clusters().length,
      memberCount: memberTableRows(selectedTrack(session.store, view)).rows.length,
    });

    const build = () => {
      for (const widget of Object.values(widgets)) (widget as Box).destroy();
      tooSmall?.destroy();
      tooSmall = undefined;
      widgets = {};
      layout = dashboardLayout(screen.width as number, screen.height as number, counts());
      const panels = layout.panels;
      if (layout.mode === 'too-small') {
        tooSmall = createBareBox(screen, {
          top: 0,
          left: 0,
          width: layout.columns,
          height: layout.rows - 1,
        });
        tooSmall.setContent(
          escapeTags(
            fit(`terminal too small: ${layout.columns}x${layout.rows}, need 60x15`, layout.columns),
          ),
        );
      }
      if (panels.clusters) widgets.clusters = createPanelBox(screen, panels.clusters, 'clusters');
      if (panels.members) widgets.members = createPanelBox(screen, panels.members, 'members');
      if (panels.timeline)
        widgets.timeline = createPanelBox(screen, panels.timeline, 'leader timeline');
      if (panels.churn) widgets.churn = createPanelBox(screen, panels.churn, 'term churn');
      if (panels.groups) widgets.groups = createPanelBox(screen, panels.groups, 'Raft groups');
      if (panels.commitChart)
        widgets.commitChart = createLineChart(screen, panels.commitChart, 'commit p99');
      if (panels.fsyncChart)
        widgets.fsyncChart = createLineChart(screen, panels.fsyncChart, 'fsync p99');
      if (panels.rateChart) widgets.rateChart = createLineChart(screen, panels.rateChart, 'rates');
      if (panels.log) widgets.log = createPanelBox(screen, panels.log, 'findings and events');
      if (panels.keys) widgets.keys = createBareBox(screen, panels.keys);
      // Overlays stay on top of freshly built panels.
      overlay?.setFront();
    };

    const draw = () => {
      renderTimer = undefined;
      if (finished) return;
      const wanted = dashboardLayout(screen.width as number, screen.height as number, counts());
      if (layout === undefined || JSON.stringify(wanted) !== JSON.stringify(layout)) build();
      if (layout === undefined) return;
      renderPanels({
        store: session.store,
        view,
        layout,
        widgets,
        nowMs: now(),
        intervalMs: options.intervalMs,
        mutedColour: muted,
      });
      drawOverlay();
      screen.render();
    };

    /**
     * Coalesces the outcomes of one poll round into one draw: they arrive up to a few hundred
     * milliseconds apart, and a draw per cluster would triple the dashboard's CPU.
     */
    const scheduleDraw = () => {
      renderTimer ??= setTimeout(draw, Math.min(200, options.intervalMs / 4));
    };

    const drawOverlay = () => {
      overlay?.destroy();
      overlay = undefined;
      if (view.overlay === 'none') return;
      const width = Math.min((screen.width as number) - 2, 78);
      if (view.overlay === 'help') {
        overlay = createOverlay(
          screen,
          width,
          Math.min((screen.height as number) - 2, HELP_LINES.length + 2),
          'help',
        );
        overlay.setContent(HELP_LINES.map((line) => escapeTags(fit(line, width - 2))).join('\n'));
        return;
      }
      const track = selectedTrack(session.store, view);
      const lines =
        view.focusedMemberId === undefined
          ? undefined
          : memberDetailLines(track, view.focusedMemberId);
      if (lines === undefined) {
        view = { ...view, overlay: 'none' };
        return;
      }
      overlay = createOverlay(
        screen,
        width,
        Math.min((screen.height as number) - 2, lines.length + 3),
        'member (esc: back to all members)',
      );
      overlay.setContent(
        lines
          .map(
            (line) =>
              `{${line.tone === 'critical' ? 'red' : 'white'}-fg}${escapeTags(fit(line.text, width - 2))}{/}`,
          )
          .join('\n'),
      );
    };

    screen.on('keypress', (_character: string | undefined, key: { full?: string } | undefined) => {
      try {
        const name = key?.full ?? '';
        if (name === 'q' || name === 'C-c') {
          quit();
          return;
        }
        if (name === 'c' && view.overlay === 'none') {
          const track = selectedTrack(session.store, view);
          if (track !== undefined) session.runQuickCheck(track.name);
          return;
        }
        // `return` is the echo of `enter` (see KEY_ACTIONS): it must not close what enter opened.
        if (name === 'return') return;
        const action = KEY_ACTIONS[name] ?? (view.overlay === 'none' ? undefined : 'escape');
        if (action === undefined) return;
        const track = selectedTrack(session.store, view);
        view = reduceView(view, action, {
          clusterCount: session.store.clusters().length,
          memberIds: memberTableRows(track).rows.map((row) => row.id),
          logLength: logLines(session.store, track, Number.MAX_SAFE_INTEGER).length,
        });
        view = { ...view, clusterIndex: clamp(view.clusterIndex, session.store.clusters().length) };
        draw();
      } catch (error) {
        crash(error);
      }
    });

    screen.on('resize', () => {
      // Terminals send a burst of resize events while a window is dragged: rebuild once.
      if (resizeTimer !== undefined) clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        resizeTimer = undefined;
        layout = undefined;
        try {
          draw();
        } catch (error) {
          crash(error);
        }
      }, 60);
    });

    session.onChange(() => {
      try {
        scheduleDraw();
      } catch (error) {
        crash(error);
      }
    });
    try {
      draw();
      session.start();
    } catch (error) {
      crash(error);
    }
  });
}
