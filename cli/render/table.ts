/** Aligned plain-text tables and the unit formatting they use. */

export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '-';
  let value = bytes;
  let unit = 0;
  // Decide the unit on the rounded figure, so 1048575 B reads "1.0 MiB", not "1024 KiB".
  while (unit < BYTE_UNITS.length - 1 && Number(roundForDisplay(value)) >= 1024) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${roundForDisplay(value)} ${BYTE_UNITS[unit]}`;
}

/** One decimal below 10, none above (9.96 rounds to "10", not "10.0"). */
function roundForDisplay(value: number): string {
  return value >= 9.95 ? value.toFixed(0) : value.toFixed(1);
}

export function formatOptional(value: number | string | undefined): string {
  return value === undefined ? '-' : String(value);
}

export function formatPercent(part: number | undefined, whole: number | undefined): string {
  if (part === undefined || whole === undefined || whole <= 0) return '-';
  return `${((part / whole) * 100).toFixed(1)}%`;
}
