/**
 * A ClusterStatus and metric sample rebuilt from an agent's `/metrics` (its `quorum_*`
 * series), so the dashboard reads a cluster through its agent the way it reads one
 * directly (pure). What the series do not carry stays absent: member IDs are the member
 * labels (names), alarm names and the worst groups' names are not exported.
 */
import { assembleClusterStatus } from '../cluster-status.js';
import type { Histogram } from '../histogram.js';
import type { CatalogMetricName } from '../metrics/catalog.js';
import {
  emptyMemberSample,
  type MemberMetricSample,
  type MetricSample,
} from '../metrics/sample.js';
import type { MemberStatus, RaftGroupSummary, SystemKind } from '../model.js';
import { UnreachableError } from '../errors.js';

/** One line of the exposition format, parsed. */
export interface ExpositionSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const PASSED_VALUES: CatalogMetricName[] = [
  'quorum_proposals_committed_total',
  'quorum_proposals_applied_total',
  'quorum_proposals_failed_total',
  'quorum_proposals_pending',
];
const PASSED_HISTOGRAMS: CatalogMetricName[] = [
  'quorum_wal_fsync_duration_seconds',
  'quorum_backend_commit_duration_seconds',
];

/**
 * The reading of `cluster` in the agent's exposition. Throws UnreachableError when the agent
 * says it cannot reach the cluster (`quorum_up 0`) or exports nothing for it.
 */
export function readingFromAgentSeries(
  samples: readonly ExpositionSample[],
  cluster: string,
  kind: SystemKind,
  observedAt: Date,
  agentUrl: string,
): { status: ReturnType<typeof assembleClusterStatus>; sample: MetricSample } {
  // An agent watches one cluster; started with --endpoints it labels it by the endpoints.
  const labelled = new Set(
    samples.filter((sample) => sample.name === 'quorum_up').map((sample) => sample.labels.cluster),
  );
  const label = labelled.has(cluster) || labelled.size !== 1 ? cluster : [...labelled][0];
  const ours = samples.filter((sample) => sample.labels.cluster === label);
  const up = ours.find((sample) => sample.name === 'quorum_up')?.value;
  if (up === undefined || up === 0) {
    throw new UnreachableError(
      up === undefined ? 'AGENT_NO_DATA' : 'AGENT_REPORTS_DOWN',
      up === undefined
        ? `agent ${agentUrl} exports no series for cluster "${cluster}" (yet)`
        : `agent ${agentUrl} cannot reach cluster "${cluster}"`,
      { actions: [`curl ${agentUrl}/healthz`, `quorumctl status -c ${cluster}`] },
    );
  }
  const byMember = new Map<string, Map<string, number>>();
  for (const sample of ours) {
    const member = sample.labels.member;
    if (member === undefined || sample.labels.quantile !== undefined) continue;
    if (sample.labels.le !== undefined) continue;
    let values = byMember.get(member);
    if (values === undefined) byMember.set(member, (values = new Map<string, number>()));
    values.set(sample.name, sample.value);
  }
  const members: MemberStatus[] = [];
  const sampleMembers: MemberMetricSample[] = [];
  for (const [name, values] of byMember) {
    if (!values.has('quorum_member_up')) continue;
    const reachable = values.get('quorum_member_up') === 1;
    const voter = values.get('quorum_is_voter') !== 0;
    const member: MemberStatus = {
      id: name,
      name,
      endpoint: '',
      role: !reachable
        ? 'unknown'
        : values.get('quorum_is_leader') === 1
          ? 'leader'
          : voter
            ? 'follower'
            : 'learner',
      voter,
      reachable,
      alarms: [],
    };
    const set = (field: keyof MemberStatus, metric: string) => {
      const value = values.get(metric);
      if (value !== undefined) (member as unknown as Record<string, number>)[field] = value;
    };
    set('term', 'quorum_term');
    set('commitIndex', 'quorum_commit_index');
    set('appliedIndex', 'quorum_applied_index');
    set('lagSeconds', 'quorum_follower_lag_seconds');
    set('dbSizeBytes', 'quorum_db_size_bytes');
    set('dbSizeInUseBytes', 'quorum_db_size_in_use_bytes');
    set('quotaBytes', 'quorum_quota_bytes');
    if (!reachable)
      member.error = { code: 'AGENT_MEMBER_DOWN', message: 'the agent reports it down' };
    members.push(member);

    const memberSample = emptyMemberSample(name);
    for (const metric of PASSED_VALUES) {
      const value = values.get(metric);
      if (value !== undefined) memberSample.values[metric] = value;
    }
    for (const metric of PASSED_HISTOGRAMS) {
      const histogram = histogramOf(ours, metric, name);
      if (histogram !== undefined) memberSample.histograms[metric] = histogram;
    }
    sampleMembers.push(memberSample);
  }
  const groups = groupsOf(ours);
  const status = assembleClusterStatus({
    cluster,
    kind,
    members,
    observedAt,
    ...(groups !== undefined && { groups }),
  });
  return { status, sample: { members: sampleMembers, errors: [] } };
}

function histogramOf(
  samples: readonly ExpositionSample[],
  metric: string,
  member: string,
): Histogram | undefined {
  const mine = samples.filter((sample) => sample.labels.member === member);
  const buckets = mine
    .filter((sample) => sample.name === `${metric}_bucket` && sample.labels.le !== undefined)
    .map((sample) => ({
      le: sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le),
      count: sample.value,
    }))
    .filter((bucket) => !Number.isNaN(bucket.le))
    .sort((a, b) => a.le - b.le);
  if (buckets.length === 0) return undefined;
  const sum = mine.find((sample) => sample.name === `${metric}_sum`)?.value ?? 0;
  const count =
    mine.find((sample) => sample.name === `${metric}_count`)?.value ?? buckets.at(-1)?.count ?? 0;
  return { buckets, sum, count };
}

function groupsOf(samples: readonly ExpositionSample[]): RaftGroupSummary | undefined {
  const byType = samples
    .filter(
      (sample) => sample.name === 'quorum_raft_groups' && sample.labels.group_type !== undefined,
    )
    .map((sample) => {
      const type = sample.labels.group_type as string;
      const count = (name: string) =>
        samples.find((other) => other.name === name && other.labels.group_type === type)?.value ??
        0;
      return {
        type,
        total: sample.value,
        leaderless: count('quorum_raft_groups_leaderless'),
        underReplicated: count('quorum_raft_groups_under_replicated'),
      };
    });
  if (byType.length === 0) return undefined;
  const sum = (field: 'total' | 'leaderless' | 'underReplicated') =>
    byType.reduce((total, counts) => total + counts[field], 0);
  return {
    total: sum('total'),
    leaderless: sum('leaderless'),
    underReplicated: sum('underReplicated'),
    byType,
    worst: [],
  };
}
