/** Parses the Prometheus text exposition format (0.0.4) into samples and histograms. */
import type { Histogram } from '../../core/histogram.js';

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Every sample line; comments, blank lines and lines that do not parse are skipped. */
export function parsePromText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const sample = parseSampleLine(line);
    if (sample !== undefined) samples.push(sample);
  }
  return samples;
}

function parseSampleLine(line: string): PromSample | undefined {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (nameMatch === null) return undefined;
  const name = nameMatch[0];
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    const parsed = parseLabels(rest);
    if (parsed === undefined) return undefined;
    Object.assign(labels, parsed.labels);
    rest = rest.slice(parsed.length);
  }
  const valueText = rest.trim().split(/\s+/)[0];
  if (valueText === undefined || valueText === '') return undefined;
  const value = parseSampleValue(valueText);
  return value === undefined ? undefined : { name, labels, value };
}

/** `{a="x",b="y\"z"}` -> labels and the number of characters consumed. */
function parseLabels(text: string): { labels: Record<string, string>; length: number } | undefined {
  const labels: Record<string, string> = {};
  let index = 1;
  for (;;) {
    while (text[index] === ' ' || text[index] === ',') index += 1;
    if (text[index] === '}') return { labels, length: index + 1 };
    const keyMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(index));
    if (keyMatch === null) return undefined;
    index += keyMatch[0].length;
    if (text[index] !== '=' || text[index + 1] !== '"') return undefined;
    index += 2;
    let value = '';
    for (;;) {
      const char = text[index];
      if (char === undefined) return undefined;
      index += 1;
      if (char === '"') break;
      if (char === '\\') {
        const escaped = text[index];
        index += 1;
        value += escaped === 'n' ? '\n' : (escaped ?? '');
      } else {
        value += char;
      }
    }
    labels[keyMatch[0]] = value;
  }
}

/** Prometheus spells the special values NaN, +Inf and -Inf. */
export function parseSampleValue(text: string): number | undefined {
  if (/^[+]?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  const value = Number(text);
  return Number.isNaN(value) ? undefined : value;
}

const matches = (sample: PromSample, labels: Record<string, string>): boolean =>
  Object.entries(labels).every(([key, value]) => sample.labels[key] === value);

/** The first sample of `name` whose labels include `labels`. */
export function findSample(
  samples: readonly PromSample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return samples.find((sample) => sample.name === name && matches(sample, labels))?.value;
}

/** The histogram family `name` (its _bucket, _sum and _count series), or undefined. */
export function findHistogram(
  samples: readonly PromSample[],
  name: string,
  labels: Record<string, string> = {},
): Histogram | undefined {
  const buckets = samples
    .filter((sample) => sample.name === `${name}_bucket` && matches(sample, labels))
    .flatMap((sample) => {
      const le = sample.labels.le === undefined ? undefined : parseSampleValue(sample.labels.le);
      return le === undefined ? [] : [{ le, count: sample.value }];
    })
    .sort((a, b) => a.le - b.le);
  if (buckets.length === 0) return undefined;
  return {
    buckets,
    sum: findSample(samples, `${name}_sum`, labels) ?? 0,
    count: findSample(samples, `${name}_count`, labels) ?? buckets.at(-1)?.count ?? 0,
  };
}
