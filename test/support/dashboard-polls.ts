/** Builders of poll outcomes for the dashboard's unit tests: statuses and metric samples over time. */
import { assembleClusterStatus } from '../../core/cluster-status.js';
import type { PollOutcome } from '../../core/dashboard/store.js';
import type { Histogram } from '../../core/histogram.js';
import type { MetricSample } from '../../core/metrics/sample.js';
import type {
  ClusterStatus,
  MemberStatus,
  RaftGroupSummary,
  SystemKind,
} from '../../core/model.js';

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

export interface MemberSpec {
  leader?: boolean;
  down?: boolean;
  term?: number;
  commitIndex?: number;
  dbSizeBytes?: number;
  quotaBytes?: number;
}

export function clusterStatus(
  second: number,
  members: Record<string, MemberSpec>,
  options: { cluster?: string; kind?: SystemKind; groups?: RaftGroupSummary } = {},
): ClusterStatus {
  return assembleClusterStatus({
    cluster: options.cluster ?? 'prod',
    kind: options.kind ?? 'etcd',
    members: Object.entries(members).map(([name, spec]): MemberStatus => {
      const member: MemberStatus = {
        id: `id-${name}`,
        name,
        endpoint: `http://${name}:2379`,
        role: spec.down === true ? 'unknown' : spec.leader === true ? 'leader' : 'follower',
        voter: true,
        reachable: spec.down !== true,
        alarms: [],
      };
      if (spec.down === true) {
        member.error = { code: 'ECONNREFUSED', message: 'connection refused' };
        return member;
      }
      member.term = spec.term ?? 2;
      member.commitIndex = spec.commitIndex ?? 100;
      if (spec.dbSizeBytes !== undefined) member.dbSizeBytes = spec.dbSizeBytes;
      if (spec.quotaBytes !== undefined) member.quotaBytes = spec.quotaBytes;
      return member;
    }),
    ...(options.groups !== undefined && { groups: options.groups }),
    observedAt: new Date(T0 + second * 1000),
  });
}

export function okOutcome(status: ClusterStatus, sample?: MetricSample): PollOutcome {
  return {
    cluster: status.cluster,
    kind: status.kind,
    atMs: Date.parse(status.observedAt),
    durationMs: 5,
    ok: true,
    status,
    ...(sample !== undefined && { sample }),
  };
}

export function failedOutcome(
  second: number,
  cluster = 'prod',
  kind: SystemKind = 'etcd',
): PollOutcome {
  return {
    cluster,
    kind,
    atMs: T0 + second * 1000,
    durationMs: 800,
    ok: false,
    error: { code: 'POLL_TIMEOUT', message: 'no answer within 800 ms' },
  };
}

/** A cumulative histogram with `fast` observations at 1 ms and `slow` at 50 ms. */
export function latencyHistogram(fast: number, slow: number): Histogram {
  return {
    buckets: [
      { le: 0.001, count: fast },
      { le: 0.064, count: fast + slow },
      { le: Infinity, count: fast + slow },
    ],
    sum: fast * 0.001 + slow * 0.05,
    count: fast + slow,
  };
}

/** etcd-like sample: per member WAL fsync and backend commit histograms, committed proposals. */
export function etcdSample(
  members: Record<string, { fast: number; slow: number; proposals: number }>,
): MetricSample {
  return {
    members: Object.entries(members).map(([name, values]) => ({
      memberId: `id-${name}`,
      values: { quorum_proposals_committed_total: values.proposals },
      quantiles: {},
      histograms: {
        quorum_wal_fsync_duration_seconds: latencyHistogram(values.fast, values.slow),
        quorum_backend_commit_duration_seconds: latencyHistogram(values.fast, values.slow),
      },
    })),
    errors: [],
  };
}
