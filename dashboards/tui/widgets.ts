/**
 * The typed facade over blessed and blessed-contrib: the few widgets the dashboard uses,
 * with types for what blessed-contrib (CommonJS, no types) offers. Nothing untyped leaks out,
 * and swapping blessed for a maintained fork touches only this file.
 */
import { createRequire } from 'node:module';
import blessed from 'blessed';

export type Screen = blessed.Widgets.Screen;
export type Box = blessed.Widgets.BoxElement;
export type Colour = string;

export interface Placement {
  top: number;
  left: number;
  width: number;
  height: number;
}

export interface LineSeries {
  title: string;
  x: string[];
  y: number[];
  style?: { line?: Colour };
}

/** blessed-contrib's line chart: a braille canvas sized when it is attached to the screen. */
export interface LineChart extends Box {
  setData(series: LineSeries[]): void;
  options: { maxY?: number };
}

type WidgetFactory<T> = (options: Record<string, unknown>) => T;

// Only the line chart module, not blessed-contrib's index: that loads maps, markdown and
// image renderers too and costs start-up time the dashboard does not need.
const require = createRequire(import.meta.url);
let lineFactory: WidgetFactory<LineChart> | undefined;

/**
 * A full-screen blessed screen on the alternate buffer. No mouse: it must work the same over
 * SSH and in tmux, where mouse reporting is often off or captured by the multiplexer.
 */
export function createScreen(title: string): Screen {
  const screen = blessed.screen({
    smartCSR: true,
    title,
    autoPadding: true,
    warnings: false,
    // Box drawing in UTF-8 rather than the terminal's alternate character set: the charts
    // draw braille anyway, and tmux captures (screenshots, tests) then read as drawn.
    forceUnicode: true,
    // Ctrl-C is a key the dashboard handles, not a signal blessed would swallow.
    ignoreLocked: ['C-c'],
  });
  // blessed draws borders in the alternate character set whenever terminfo offers it; tmux
  // captures those as the letters `lqqk`. Marking ACS unusable makes it write UTF-8 lines.
  (screen as unknown as { tput: { brokenACS: boolean } }).tput.brokenACS = true;
  return screen;
}

const BORDER = { type: 'line' as const };

function panelOptions(placement: Placement, label: string) {
  return {
    ...placement,
    label: ` ${label} `,
    border: BORDER,
    tags: true,
    style: { border: { fg: 'cyan' }, label: { fg: 'white', bold: true } },
  };
}

export function createPanelBox(screen: Screen, placement: Placement, label: string): Box {
  const box = blessed.box({
    ...panelOptions(placement, label),
    parent: screen,
    scrollable: false,
    wrap: false,
  });
  return box;
}

/** A plain box without border (the key bar, the too-small message). */
export function createBareBox(screen: Screen, placement: Placement): Box {
  return blessed.box({ ...placement, parent: screen, tags: true, wrap: false });
}

export function createLineChart(screen: Screen, placement: Placement, label: string): LineChart {
  lineFactory ??= require('blessed-contrib/lib/widget/charts/line.js') as WidgetFactory<LineChart>;
  const chart = lineFactory({
    ...panelOptions(placement, label),
    showLegend: false,
    xLabelPadding: 3,
    xPadding: 5,
    numYLabels: 4,
    style: { line: 'yellow', text: 'green', baseline: 'white' },
  });
  // Canvas widgets size their drawing surface on attach: append after positioning.
  screen.append(chart);
  return chart;
}

export function createOverlay(screen: Screen, width: number, height: number, label: string): Box {
  return blessed.box({
    parent: screen,
    top: 'center',
    left: 'center',
    width,
    height,
    label: ` ${label} `,
    border: BORDER,
    tags: true,
    wrap: false,
    style: { border: { fg: 'yellow' }, bg: 'black', fg: 'white' },
  });
}

/** Gray where the terminal has 16 colours or more; 8-colour terminals (TERM=screen) would map it to black. */
export function mutedColour(screen: Screen): string {
  const colours = (screen as unknown as { tput: { colors: number } }).tput.colors;
  return colours >= 16 ? 'gray' : 'white';
}

/** blessed's tag syntax, escaped: text from the cluster must not become markup. */
export function escapeTags(text: string): string {
  return blessed.escape(text);
}
