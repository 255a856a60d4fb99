/** A ClusterStatus from each controller's JMX exporter page, when the protocol cannot be used (pure). */
import { assembleClusterStatus } from '../../core/cluster-status.js';
import type {
  Attributes,
  ClusterStatus,
  MemberError,
  MemberRole,
  MemberStatus,
} from '../../core/model.js';
import type { RaftMetrics } from './raft-metrics.js';

export type MetricsScrape =
  { url: string; metrics: RaftMetrics } | { url: string; error: MemberError };

export interface MetricsView {
  cluster: string;
  scrapes: readonly MetricsScrape[];
  /** Why the protocol was not used (e.g. `SASL_NOT_SUPPORTED`), shown as a cluster attribute. */
  protocolError?: string;
  now: Date;
}

const ROLES: Readonly<Record<string, MemberRole>> = {
  leader: 'leader',
  follower: 'follower',
  candidate: 'candidate',
  prospective: 'candidate',
  observer: 'observer',
};

/**
 * raft-metrics do not carry the node's own ID: the leader is known by `current-leader`, the
 * others are named after their exporter address. Voters the pages do not cover are added as
 * unmonitored when the leader reports `number-of-voters` (Kafka 4.0+), so quorum is not
 * counted over the monitored ones alone.
 */
export function statusFromMetrics(view: MetricsView): ClusterStatus {
  const members: MemberStatus[] = view.scrapes.map((scrape) => memberOf(scrape));
  const leader = members.find((member) => member.role === 'leader' && member.reachable);
  const leaderMetrics = view.scrapes.find(
    (scrape): scrape is { url: string; metrics: RaftMetrics } =>
      'metrics' in scrape && scrape.metrics.state === 'leader',
  )?.metrics;

  const monitoredVoters = members.filter((member) => member.voter).length;
  const unmonitored = Math.max(0, (leaderMetrics?.numberOfVoters ?? 0) - monitoredVoters);
  for (let index = 1; index <= unmonitored; index += 1) {
    members.push({
      id: `unmonitored-${index}`,
      name: `unmonitored-${index}`,
      endpoint: '',
      role: 'unknown',
      voter: true,
      reachable: false,
      alarms: [],
      error: {
        code: 'NOT_MONITORED',
        message: 'the leader counts this voter, but no monitor URL covers it',
      },
    });
  }

  const attributes: Attributes = { source: 'jmx-exporter' };
  if (leaderMetrics?.highWatermark !== undefined && leaderMetrics.highWatermark >= 0) {
    attributes.highWatermark = leaderMetrics.highWatermark;
  }
  const voterOffsets = members
    .filter((member) => member.voter && member.reachable && member.commitIndex !== undefined)
    .map((member) => member.commitIndex ?? 0);
  if (leader?.commitIndex !== undefined && voterOffsets.length > 0) {
    attributes.maxFollowerLag = Math.max(0, leader.commitIndex - Math.min(...voterOffsets));
  }
  if (view.protocolError !== undefined) attributes.protocolError = view.protocolError;

  return assembleClusterStatus({
    cluster: view.cluster,
    kind: 'kraft',
    members,
    attributes,
    observedAt: view.now,
  });
}

function memberOf(scrape: MetricsScrape): MemberStatus {
  const address = addressOf(scrape.url);
  const base: MemberStatus = {
    id: address,
    name: address,
    endpoint: scrape.url,
    role: 'unknown',
    voter: true,
    reachable: false,
    alarms: [],
  };
  if ('error' in scrape) return { ...base, error: scrape.error };
  const { metrics } = scrape;
  const state = metrics.state;
  const member: MemberStatus = {
    ...base,
    reachable: true,
    role: state === undefined ? 'unknown' : (ROLES[state] ?? 'unknown'),
    voter: state !== 'observer',
  };
  const leaderId = metrics.currentLeader;
  if (leaderId !== undefined && leaderId >= 0) {
    member.leaderId = String(leaderId);
    if (state === 'leader') {
      member.id = String(leaderId);
      member.name = `${String(leaderId)} (${address})`;
    }
  }
  if (metrics.currentEpoch !== undefined) member.term = metrics.currentEpoch;
  if (metrics.logEndOffset !== undefined && metrics.logEndOffset >= 0) {
    member.commitIndex = metrics.logEndOffset;
  }
  const attributes: Attributes = {};
  if (state !== undefined) attributes.raftState = state;
  if (metrics.numberUnknownVoterConnections !== undefined && state === 'leader') {
    attributes.unknownVoterConnections = metrics.numberUnknownVoterConnections;
  }
  if (Object.keys(attributes).length > 0) member.attributes = attributes;
  if (state === undefined) {
    member.reportedErrors = ['the page has raft-metrics but no current-state'];
  }
  return member;
}

function addressOf(url: string): string {
  const parsed = URL.parse(url);
  return parsed === null ? url : parsed.host;
}
