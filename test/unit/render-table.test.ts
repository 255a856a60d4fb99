// formatTable, formatBytes, formatPercent and formatOptional.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { formatBytes, formatOptional, formatPercent, formatTable } from '../../cli/render/table.js';

describe('formatBytes', () => {
  test('bytes below 1 KiB are exact', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1), '1 B');
    assert.equal(formatBytes(1023), '1023 B');
  });

  test('one decimal below 10 units, none from 10 on', () => {
    assert.equal(formatBytes(1024), '1.0 KiB');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(10 * 1024), '10 KiB');
    assert.equal(formatBytes(16384), '16 KiB');
    assert.equal(formatBytes(20480), '20 KiB');
    assert.equal(formatBytes(2147483648), '2.0 GiB');
    assert.equal(formatBytes(8 * 1024 ** 3 + 512 * 1024 ** 2), '8.5 GiB');
  });

  test('TiB is the largest unit', () => {
    assert.equal(formatBytes(1024 ** 4), '1.0 TiB');
    assert.equal(formatBytes(1024 ** 5), '1024 TiB');
  });

  test('undefined is a dash', () => {
    assert.equal(formatBytes(undefined), '-');
  });

  test('rounding never shows 1024 of a unit', () => {
    assert.equal(formatBytes(1024 * 1024 - 1), '1.0 MiB');
    assert.equal(formatBytes(10 * 1024 - 1), '10 KiB');
  });
});

describe('formatPercent and formatOptional', () => {
  test('one decimal', () => {
    assert.equal(formatPercent(80, 100), '80.0%');
    assert.equal(formatPercent(1, 3), '33.3%');
    assert.equal(formatPercent(20480, 2147483648), '0.0%');
    assert.equal(formatPercent(150, 100), '150.0%');
  });

  test('unknown part or whole, or a zero whole, is a dash', () => {
    assert.equal(formatPercent(undefined, 100), '-');
    assert.equal(formatPercent(1, undefined), '-');
    assert.equal(formatPercent(1, 0), '-');
  });

  test('formatOptional', () => {
    assert.equal(formatOptional(undefined), '-');
    assert.equal(formatOptional(0), '0');
    assert.equal(formatOptional('3.4.23'), '3.4.23');
  });
});

describe('formatTable', () => {
  test('columns are padded to the widest cell, two spaces apart', () => {
    assert.equal(
      formatTable(
        ['NAME', 'ROLE', 'TERM'],
        [
          ['n1', 'leader', '2'],
          ['node-two', 'follower', '12'],
        ],
      ),
      'NAME      ROLE      TERM\n' + 'n1        leader    2\n' + 'node-two  follower  12\n',
    );
  });

  test('no trailing blanks when the last cells are empty', () => {
    const table = formatTable(
      ['A', 'ERRORS'],
      [
        ['x', ''],
        ['y', 'boom'],
      ],
    );
    assert.equal(table, 'A  ERRORS\nx\ny  boom\n');
    for (const line of table.split('\n')) assert.equal(line, line.trimEnd());
  });

  test('no rows: just the header line', () => {
    assert.equal(formatTable(['NAME', 'ROLE'], []), 'NAME  ROLE\n');
  });

  test('property: every column starts at the same offset on every line', () => {
    const cell = fc.stringMatching(/^[a-z0-9]{1,10}$/);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((columns) =>
          fc.tuple(
            fc.array(cell, { minLength: columns, maxLength: columns }),
            fc.array(fc.array(cell, { minLength: columns, maxLength: columns }), {
              maxLength: 6,
            }),
          ),
        ),
        ([headers, rows]) => {
          const lines = formatTable(headers, rows).split('\n');
          assert.equal(lines.pop(), '', 'ends with a newline');
          assert.equal(lines.length, rows.length + 1);
          const all = [headers, ...rows];
          let offset = 0;
          headers.forEach((_, column) => {
            const width = Math.max(...all.map((row) => row[column]!.length));
            all.forEach((row, index) => {
              const line = lines[index]!;
              assert.equal(line.slice(offset, offset + row[column]!.length), row[column]);
              if (offset > 0) assert.equal(line.slice(offset - 2, offset), '  ');
            });
            offset += width + 2;
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
