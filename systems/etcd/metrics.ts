/** Reads single values out of etcd's Prometheus text exposition, line by line (it may be cut short). */
import { parseSampleValue } from '../transport/prometheus-text.js';

/** The value of the first unlabelled-or-labelled sample of `metric`, or undefined. */
export function sampleValue(exposition: string, metric: string): number | undefined {
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const rest = line.slice(metric.length);
    // Exact family match: the name must end here (not etcd_x_total vs etcd_x_total_foo).
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const valueText = withoutLabels(rest).trim().split(/\s+/)[0];
    if (valueText === undefined) continue;
    return parseSampleValue(valueText);
  }
  return undefined;
}

/** Skips a `{...}` label set; label values are quoted and may contain `}` or escaped quotes. */
function withoutLabels(rest: string): string {
  if (rest[0] !== '{') return rest;
  let inQuotes = false;
  for (let index = 1; index < rest.length; index += 1) {
    const char = rest[index];
    if (char === '\\' && inQuotes) index += 1;
    else if (char === '"') inQuotes = !inQuotes;
    else if (char === '}' && !inQuotes) return rest.slice(index + 1);
  }
  return '';
}
