/** Reads single values out of etcd's Prometheus text exposition. */

/** The value of the first unlabelled-or-labelled sample of `metric`, or undefined. */
export function sampleValue(exposition: string, metric: string): number | undefined {
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const rest = line.slice(metric.length);
    // Exact family match: the name must end here (not etcd_x_total vs etcd_x_total_foo).
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const valueText = rest
      .replace(/^\{[^}]*\}/, '')
      .trim()
      .split(/\s+/)[0];
    if (valueText === undefined) continue;
    const value = Number(valueText);
    return Number.isNaN(value) && !/^nan$/i.test(valueText) ? undefined : value;
  }
  return undefined;
}
