// /proc/meminfo parsing and the memory/swap totals taken from it (ops/host/meminfo).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { memoryFactsOf, parseMeminfo } from '../../ops/host/meminfo.js';

const MEMINFO = `MemTotal:       24683652 kB
MemFree:        23128472 kB
Active(anon):       1592 kB
SwapTotal:       2097148 kB
SwapFree:        2097148 kB
HugePages_Total:       0
Hugepagesize:       2048 kB
garbage line
`;

describe('parseMeminfo', () => {
  test('turns kB into bytes, keeps counts, skips what it cannot read', () => {
    const values = parseMeminfo(MEMINFO);
    assert.equal(values.get('MemTotal'), 24683652 * 1024);
    assert.equal(values.get('Active(anon)'), 1592 * 1024);
    assert.equal(values.get('HugePages_Total'), 0);
    assert.equal(values.get('Hugepagesize'), 2048 * 1024);
    assert.equal(values.size, 7);
  });
});

describe('memoryFactsOf', () => {
  test('gives memory and swap totals', () => {
    assert.deepEqual(memoryFactsOf(parseMeminfo(MEMINFO)), {
      memoryTotalBytes: 24683652 * 1024,
      swapTotalBytes: 2097148 * 1024,
    });
  });

  test('a host without swap reports 0, not unknown', () => {
    assert.deepEqual(memoryFactsOf(parseMeminfo('MemTotal: 1024 kB\nSwapTotal: 0 kB\n')), {
      memoryTotalBytes: 1024 * 1024,
      swapTotalBytes: 0,
    });
  });

  test('leaves out what is missing', () => {
    assert.deepEqual(memoryFactsOf(parseMeminfo('')), {});
  });
});
