/**
 * Fits a table into a panel's inner size (pure): columns as wide as their widest cell plus
 * a gap, the `flexible` column cut to what is left, rows windowed around the selection.
 * Output lines are exactly `width` characters, so panels never spill into each other.
 */
import { fit } from '../../core/dashboard/format.js';

export interface FittedTable {
  header: string;
  rows: { line: string; index: number }[];
}

export function fitTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  size: { width: number; height: number },
  options: { flexible?: number; selected?: number } = {},
): FittedTable {
  const columnCount = headers.length;
  const flexible = options.flexible ?? columnCount - 1;
  const natural = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const gaps = columnCount - 1;
  const widths = [...natural];
  let excess = natural.reduce((sum, width) => sum + width, 0) + gaps - size.width;
  // Cut the flexible column first, then the widest others, down to 3 characters each.
  const order = [flexible, ...natural.map((_, column) => column).filter((c) => c !== flexible)];
  for (const column of order) {
    if (excess <= 0) break;
    const cut = Math.min(excess, Math.max(0, (widths[column] ?? 0) - 3));
    widths[column] = (widths[column] ?? 0) - cut;
    excess -= cut;
  }
  const line = (cells: readonly string[]) =>
    fit(
      cells
        .map((cell, column) => fit(cell, widths[column] ?? 0).padEnd(widths[column] ?? 0))
        .join(' '),
      size.width,
    ).padEnd(size.width);
  const room = Math.max(0, size.height - 1);
  const selected = options.selected ?? 0;
  // Keep the selected row visible: scroll so it is the last shown when it would fall off.
  const first = Math.max(0, Math.min(selected - room + 1, rows.length - room));
  return {
    header: line(headers),
    rows: rows
      .slice(Math.max(0, first), Math.max(0, first) + room)
      .map((cells, offset) => ({ line: line(cells), index: Math.max(0, first) + offset })),
  };
}
