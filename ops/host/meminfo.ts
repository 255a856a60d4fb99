/** Memory and swap totals from /proc/meminfo. */
import { readFile } from 'node:fs/promises';

/** Every `Key: value [kB]` line, in bytes for kB values and as counts otherwise. */
export function parseMeminfo(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([^:\s]+):\s+(\d+)(?:\s+(kB))?\s*$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    values.set(match[1], Number(match[2]) * (match[3] === 'kB' ? 1024 : 1));
  }
  return values;
}

export interface MemoryFacts {
  memoryTotalBytes?: number;
  swapTotalBytes?: number;
}

export function memoryFactsOf(meminfo: ReadonlyMap<string, number>): MemoryFacts {
  const memoryTotalBytes = meminfo.get('MemTotal');
  const swapTotalBytes = meminfo.get('SwapTotal');
  return {
    ...(memoryTotalBytes === undefined ? {} : { memoryTotalBytes }),
    ...(swapTotalBytes === undefined ? {} : { swapTotalBytes }),
  };
}

/** Reads the host's totals; {} where /proc is missing (not Linux). */
export async function readMemoryFacts(path = '/proc/meminfo'): Promise<MemoryFacts> {
  return readFile(path, 'utf8').then(
    (text) => memoryFactsOf(parseMeminfo(text)),
    () => ({}),
  );
}
