/** Short cell formats for the dashboard's narrow panels (pure). */

const BYTE_UNITS = ['B', 'K', 'M', 'G', 'T'];

/** `1536` -> `1.5K`, `104857600` -> `100M`: four characters or so, for table cells. */
export function compactBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '-';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toFixed(digits)}${BYTE_UNITS[unit]}`;
}

/** `[###-------]`: how full, in `width` cells; `[?]` without a quota. */
export function gauge(ratio: number | undefined, width = 10): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return `[${'?'.padEnd(width)}]`;
  const filled = Math.min(width, Math.max(0, Math.round(ratio * width)));
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** `HH:MM:SS` in UTC: the same clock as `observedAt` everywhere else. */
export function clockTime(atMs: number): string {
  return new Date(atMs).toISOString().slice(11, 19);
}

/** `850ms`, `4.2s`, `3m10s`, `2h05m`. */
export function shortDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${Math.max(0, Math.round(milliseconds))}ms`;
  const seconds = milliseconds / 1000;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** Cuts `text` to `width` characters, marking the cut with `~`. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}~`;
}
