/**
 * KRaft's `raft-metrics` read from a Prometheus JMX exporter page, under either naming: the
 * exporter's own example rules (`kafka_server_raft_metrics_*`) or Strimzi's
 * (`kafka_server_raftmetrics_*`). Pure.
 */

export interface RaftMetrics {
  naming: 'jmx-exporter' | 'strimzi';
  /** leader, follower, candidate, prospective, voted, unattached, resigned or observer. */
  state?: string;
  /** -1 when this node knows no leader. */
  currentLeader?: number;
  currentEpoch?: number;
  /** -1 until known. */
  highWatermark?: number;
  logEndOffset?: number;
  numberUnknownVoterConnections?: number;
  /** Kafka 4.0+: voters in the current voter set. */
  numberOfVoters?: number;
}

const PREFIXES: readonly [string, RaftMetrics['naming']][] = [
  ['kafka_server_raft_metrics_', 'jmx-exporter'],
  ['kafka_server_raftmetrics_', 'strimzi'],
];

const GAUGES: Readonly<Record<string, keyof RaftMetrics>> = {
  current_leader: 'currentLeader',
  current_epoch: 'currentEpoch',
  high_watermark: 'highWatermark',
  log_end_offset: 'logEndOffset',
  number_unknown_voter_connections: 'numberUnknownVoterConnections',
  number_of_voters: 'numberOfVoters',
};

/** Undefined when the page has no raft-metrics at all (the exporter's rules lack them). */
export function parseRaftMetrics(exposition: string): RaftMetrics | undefined {
  let metrics: RaftMetrics | undefined;
  for (const line of exposition.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sample = parseSample(line);
    if (sample === undefined) continue;
    const family = PREFIXES.find(([prefix]) => sample.name.startsWith(prefix));
    if (family === undefined) continue;
    const [prefix, naming] = family;
    metrics ??= { naming };
    const suffix = sample.name.slice(prefix.length);
    // `current-state` is a string attribute: the exporters turn it into a label on a 1.
    if (suffix === 'current_state_info' || suffix === 'current_state') {
      const state = sample.labels.state ?? sample.labels.current_state;
      if (state !== undefined && sample.value === 1) metrics.state = state;
      continue;
    }
    const field = GAUGES[suffix];
    if (field !== undefined && Number.isFinite(sample.value)) {
      (metrics as unknown as Record<string, number>)[field] = sample.value;
    }
  }
  return metrics;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** `name{a="x",b="y"} 1.0 [timestamp]` in the Prometheus text format. */
function parseSample(line: string): Sample | undefined {
  const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)/.exec(line.trim());
  if (match === null) return undefined;
  const [, name = '', labelText, valueText = ''] = match;
  const value = /^[+-]?inf$/i.test(valueText)
    ? valueText.startsWith('-')
      ? -Infinity
      : Infinity
    : Number(valueText);
  if (Number.isNaN(value)) return undefined;
  const labels: Record<string, string> = {};
  const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const [, key = '', raw = ''] of (labelText ?? '').matchAll(labelPattern)) {
    labels[key] = raw.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));
  }
  return { name, labels, value };
}
