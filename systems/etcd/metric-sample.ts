/**
 * etcd's metrics beyond status: WAL fsync and backend commit histograms (with etcd's own
 * buckets) and proposal counters, read from each reachable member's `/metrics`.
 */
import type { CatalogMetricName } from '../../core/metrics/catalog.js';
import {
  emptyMemberSample,
  type MemberMetricSample,
  type MetricSample,
} from '../../core/metrics/sample.js';
import type { ClusterStatus } from '../../core/model.js';
import type { ConnectOptions } from '../../core/ports.js';
import { httpCall, HttpTransportError } from '../transport/http.js';
import { findHistogram, findSample, parsePromText } from '../transport/prometheus-text.js';

const HISTOGRAMS: readonly [CatalogMetricName, string][] = [
  ['quorum_wal_fsync_duration_seconds', 'etcd_disk_wal_fsync_duration_seconds'],
  ['quorum_backend_commit_duration_seconds', 'etcd_disk_backend_commit_duration_seconds'],
];

const VALUES: readonly [CatalogMetricName, string][] = [
  ['quorum_proposals_committed_total', 'etcd_server_proposals_committed_total'],
  ['quorum_proposals_applied_total', 'etcd_server_proposals_applied_total'],
  ['quorum_proposals_failed_total', 'etcd_server_proposals_failed_total'],
  ['quorum_proposals_pending', 'etcd_server_proposals_pending'],
];

/**
 * The last family read. etcd (client_golang) prints families sorted by name, so once a line
 * sorts after it the rest of the page (go_*, grpc_*, process_*: most of its 150 kB) is
 * not needed.
 */
const LAST_FAMILY = 'etcd_server_proposals_pending';

/** Only these lines are parsed: the page has a thousand others (an agent reads it every second). */
const WANTED_PREFIXES = [
  'etcd_disk_wal_fsync_',
  'etcd_disk_backend_commit_',
  'etcd_server_proposals_',
];

/** The catalog's view of one member's exposition (pure). */
export function etcdMemberSample(memberId: string, exposition: string): MemberMetricSample {
  const wanted = exposition
    .split('\n')
    .filter((line) => WANTED_PREFIXES.some((prefix) => line.startsWith(prefix)));
  const samples = parsePromText(wanted.join('\n'));
  const sample = emptyMemberSample(memberId);
  for (const [name, source] of HISTOGRAMS) {
    const histogram = findHistogram(samples, source);
    if (histogram !== undefined) sample.histograms[name] = histogram;
  }
  for (const [name, source] of VALUES) {
    const value = findSample(samples, source);
    if (value !== undefined) sample.values[name] = value;
  }
  return sample;
}

/** Whether the complete lines of `bodySoFar` already reach past every family we read. */
export function pastLastFamily(bodySoFar: string): boolean {
  const complete = bodySoFar.slice(0, bodySoFar.lastIndexOf('\n'));
  const lastLine = complete.slice(complete.lastIndexOf('\n') + 1);
  if (lastLine === '' || lastLine.startsWith('#')) return false;
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(lastLine)?.[0] ?? '';
  return name > LAST_FAMILY && !name.startsWith(LAST_FAMILY);
}

/** Reads every reachable member's /metrics at once; a member that fails is listed in `errors`. */
export async function readEtcdMetricSample(
  status: ClusterStatus,
  options: ConnectOptions,
): Promise<MetricSample> {
  const reachable = status.members.filter((member) => member.reachable && member.endpoint !== '');
  type Outcome = { sample: MemberMetricSample } | { error: MetricSample['errors'][number] };
  const results = await Promise.all(
    reachable.map(async (member): Promise<Outcome> => {
      const url = `${member.endpoint.replace(/\/+$/, '')}/metrics`;
      try {
        const response = await httpCall(url, {
          timeoutMs: options.timeoutMs,
          ...(options.tls !== undefined && { tls: options.tls }),
          ...(options.signal !== undefined && { signal: options.signal }),
          enoughBody: pastLastFamily,
        });
        if (response.statusCode !== 200)
          throw new HttpTransportError(
            `HTTP_${response.statusCode}`,
            url,
            `GET /metrics answered HTTP ${response.statusCode}`,
          );
        return { sample: etcdMemberSample(member.id, response.body) };
      } catch (cause) {
        return {
          error: {
            memberId: member.id,
            code: cause instanceof HttpTransportError ? cause.code : 'UNKNOWN',
            message: cause instanceof Error ? cause.message : String(cause),
          },
        };
      }
    }),
  );
  return {
    members: results.flatMap((result) => ('sample' in result ? [result.sample] : [])),
    errors: results.flatMap((result) => ('error' in result ? [result.error] : [])),
  };
}
