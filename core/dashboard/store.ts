/**
 * The dashboard's sample store (k9s habit): pollers record each poll's outcome here, the
 * store keeps ring buffers per series and the event log, and pure panel functions read it.
 * No I/O and no clock: every outcome carries the time it was taken.
 */
import type { Finding } from '../findings.js';
import { assessHealth, type HealthReport } from '../health.js';
import {
  nextObservedState,
  pollFailureEvents,
  statusEvents,
  type ClusterEvent,
  type ObservedState,
} from '../metrics/events.js';
import type { MetricSample } from '../metrics/sample.js';
import type { ClusterStatus, SystemKind } from '../model.js';
import { RingBuffer } from './ring-buffer.js';
import { commitsPerSecond, latencyP99Seconds, proposalsPerSecond } from './series.js';

export interface PollFailure {
  /** Stable code: `POLL_TIMEOUT`, `ECONNREFUSED`, `UNREACHABLE`, ... */
  code: string;
  message: string;
}

interface PollOutcomeBase {
  cluster: string;
  kind: SystemKind;
  /** Epoch milliseconds when the poll started. */
  atMs: number;
  durationMs: number;
}

export type PollOutcome =
  | (PollOutcomeBase & { ok: true; status: ClusterStatus; sample?: MetricSample })
  | (PollOutcomeBase & { ok: false; error: PollFailure });

/** One value of a series; `undefined` is a gap (nothing measured in that interval). */
export interface SeriesPoint {
  atMs: number;
  value: number | undefined;
}

/** What one poll saw of leadership; `reached: false` polls got no status. */
export interface LeaderMark {
  atMs: number;
  reached: boolean;
  leaderId?: string;
  leaderName?: string;
  term?: number;
}

export interface MemberTrack {
  id: string;
  name: string;
  /** Backend commit (etcd) or commit latency (KRaft) p99 per poll interval. */
  commitP99Seconds: RingBuffer<SeriesPoint>;
  /** WAL fsync p99 per poll interval. */
  fsyncP99Seconds: RingBuffer<SeriesPoint>;
}

export type LogSeverity = 'info' | 'warn' | 'critical';

export interface LogEntry {
  atMs: number;
  cluster: string;
  severity: LogSeverity;
  /** `leader-change`, `check`, a health reason code, ... */
  source: string;
  message: string;
}

/** Quick check results for one cluster (`c`). */
export interface CheckSnapshot {
  atMs: number;
  findings: Finding[];
  notes: string[];
}

export interface ClusterTrack {
  name: string;
  kind: SystemKind;
  /** Where the numbers come from: the adapters directly, or the cluster's agent. */
  source: 'direct' | 'agent';
  lastOutcome?: PollOutcome;
  /** The last status a poll got, kept while the cluster is unreachable. */
  lastStatus?: ClusterStatus;
  /** The status before `lastStatus` (a window for the quick check). */
  previousStatus?: ClusterStatus;
  lastSample?: MetricSample;
  previousSample?: MetricSample;
  /** Health of the last poll: critical with CLUSTER_UNREACHABLE when it got no status. */
  health?: HealthReport;
  observed: ObservedState;
  leaders: RingBuffer<LeaderMark>;
  members: Map<string, MemberTrack>;
  proposalsPerSecond: RingBuffer<SeriesPoint>;
  commitsPerSecond: RingBuffer<SeriesPoint>;
  check?: CheckSnapshot;
  /** Polls that got no status in a row. */
  consecutiveFailures: number;
  /** An agent's /events stream is connected: events come from there, not from polls. */
  streamingEvents: boolean;
}

export interface StoreOptions {
  /** Points kept per series (default 300: 5 minutes at 1 s). */
  seriesCapacity?: number;
  /** Log entries kept (default 500). */
  logCapacity?: number;
}

export class DashboardStore {
  readonly log: RingBuffer<LogEntry>;
  private readonly tracks = new Map<string, ClusterTrack>();
  private readonly seriesCapacity: number;
  /** Bumped on every change, so a view can skip rendering when nothing moved. */
  private revisionCount = 0;

  constructor(options: StoreOptions = {}) {
    this.seriesCapacity = options.seriesCapacity ?? 300;
    this.log = new RingBuffer<LogEntry>(options.logCapacity ?? 500);
  }

  get revision(): number {
    return this.revisionCount;
  }

  /** Clusters in the order they were added. */
  clusters(): ClusterTrack[] {
    return [...this.tracks.values()];
  }

  cluster(name: string): ClusterTrack | undefined {
    return this.tracks.get(name);
  }

  /** Registers a cluster before its first poll, so it is listed as "waiting" at once. */
  addCluster(name: string, kind: SystemKind, source: ClusterTrack['source'] = 'direct'): void {
    if (this.tracks.has(name)) return;
    this.tracks.set(name, {
      name,
      kind,
      source,
      observed: {},
      leaders: new RingBuffer(this.seriesCapacity),
      members: new Map(),
      proposalsPerSecond: new RingBuffer(this.seriesCapacity),
      commitsPerSecond: new RingBuffer(this.seriesCapacity),
      consecutiveFailures: 0,
      streamingEvents: false,
    });
    this.revisionCount += 1;
  }

  /** Records one poll: series, health, and the events it implies (returned and logged). */
  record(outcome: PollOutcome): ClusterEvent[] {
    this.addCluster(outcome.cluster, outcome.kind);
    const track = this.tracks.get(outcome.cluster) as ClusterTrack;
    track.lastOutcome = outcome;
    this.revisionCount += 1;
    return outcome.ok ? this.recordStatus(track, outcome) : this.recordFailure(track, outcome);
  }

  /** Events that arrived from elsewhere (an agent's /events stream). */
  recordEvents(events: readonly ClusterEvent[]): void {
    for (const event of events) this.logEvent(event);
    if (events.length > 0) this.revisionCount += 1;
  }

  /** Appends a line to the log (check results, notes of the dashboard itself). */
  note(entry: LogEntry): void {
    this.log.push(entry);
    this.revisionCount += 1;
  }

  setStreamingEvents(cluster: string, streaming: boolean): void {
    const track = this.tracks.get(cluster);
    if (track !== undefined) track.streamingEvents = streaming;
  }

  setCheck(cluster: string, snapshot: CheckSnapshot): void {
    const track = this.tracks.get(cluster);
    if (track === undefined) return;
    track.check = snapshot;
    this.revisionCount += 1;
  }

  private recordStatus(
    track: ClusterTrack,
    outcome: Extract<PollOutcome, { ok: true }>,
  ): ClusterEvent[] {
    const { status, sample, atMs } = outcome;
    // While an agent's /events stream delivers them, deriving them again would log each twice.
    const events = track.streamingEvents ? [] : statusEvents(track.observed, status);
    track.observed = nextObservedState(track.observed, status);
    track.consecutiveFailures = 0;

    const previous = track.lastStatus;
    const previousSample = track.lastSample;
    track.previousStatus = previous;
    track.lastStatus = status;
    track.previousSample = previousSample;
    track.lastSample = sample;
    track.health = assessHealth(status);

    const leader = status.members.find((member) => member.id === status.leaderId);
    track.leaders.push({
      atMs,
      reached: true,
      ...(status.leaderId !== undefined && { leaderId: status.leaderId }),
      ...(leader !== undefined && { leaderName: leader.name }),
      ...(status.term !== undefined && { term: status.term }),
    });
    const previousAtMs = previous === undefined ? undefined : Date.parse(previous.observedAt);
    const intervalSeconds =
      previousAtMs === undefined
        ? undefined
        : (Date.parse(status.observedAt) - previousAtMs) / 1000;
    track.commitsPerSecond.push({
      atMs,
      value: commitsPerSecond(previous, status, intervalSeconds),
    });
    track.proposalsPerSecond.push({
      atMs,
      value: proposalsPerSecond(previousSample, sample, intervalSeconds),
    });
    for (const member of status.members) {
      let memberTrack = track.members.get(member.id);
      if (memberTrack === undefined) {
        memberTrack = {
          id: member.id,
          name: member.name,
          commitP99Seconds: new RingBuffer(this.seriesCapacity),
          fsyncP99Seconds: new RingBuffer(this.seriesCapacity),
        };
        track.members.set(member.id, memberTrack);
      }
      memberTrack.name = member.name;
      memberTrack.commitP99Seconds.push({
        atMs,
        value: latencyP99Seconds(previousSample, sample, member.id, 'commit'),
      });
      memberTrack.fsyncP99Seconds.push({
        atMs,
        value: latencyP99Seconds(previousSample, sample, member.id, 'fsync'),
      });
    }
    for (const event of events) this.logEvent(event);
    return events;
  }

  private recordFailure(
    track: ClusterTrack,
    outcome: Extract<PollOutcome, { ok: false }>,
  ): ClusterEvent[] {
    const at = new Date(outcome.atMs).toISOString();
    const events = pollFailureEvents(track.observed, {
      cluster: track.name,
      kind: track.kind,
      at,
      ...outcome.error,
    });
    track.observed = { ...track.observed, up: false };
    track.consecutiveFailures += 1;
    // The series get gaps: a chart that stops is honest, one that holds its last value lies.
    track.leaders.push({ atMs: outcome.atMs, reached: false });
    track.commitsPerSecond.push({ atMs: outcome.atMs, value: undefined });
    track.proposalsPerSecond.push({ atMs: outcome.atMs, value: undefined });
    for (const member of track.members.values()) {
      member.commitP99Seconds.push({ atMs: outcome.atMs, value: undefined });
      member.fsyncP99Seconds.push({ atMs: outcome.atMs, value: undefined });
    }
    track.lastSample = undefined;
    track.previousSample = undefined;
    track.health = {
      cluster: track.name,
      kind: track.kind,
      verdict: 'critical',
      reasons: [
        {
          severity: 'critical',
          code: 'CLUSTER_UNREACHABLE',
          message: `cannot reach ${track.name}: ${outcome.error.message}`,
        },
      ],
      quorum: track.lastStatus?.quorum ?? {
        voters: 0,
        healthyVoters: 0,
        majority: 0,
        faultTolerance: 0,
        quorumMargin: -1,
        hasQuorum: false,
      },
      observedAt: at,
    };
    for (const event of events) this.logEvent(event);
    return events;
  }

  private logEvent(event: ClusterEvent): void {
    this.log.push({
      atMs: Date.parse(event.at),
      cluster: event.cluster,
      severity: EVENT_SEVERITY[event.type],
      source: event.type,
      message: dashboardWording(event),
    });
  }
}

const EVENT_SEVERITY: Record<ClusterEvent['type'], LogSeverity> = {
  'leader-change': 'warn',
  'leader-lost': 'critical',
  'term-change': 'info',
  'member-unreachable': 'warn',
  'member-back': 'info',
  'alarm-raised': 'critical',
  'alarm-cleared': 'info',
  'cluster-unreachable': 'critical',
  'cluster-back': 'info',
};

/** The shared event messages speak as the agent; on the dashboard it is the dashboard polling. */
function dashboardWording(event: ClusterEvent): string {
  if (event.type === 'cluster-unreachable')
    return `cannot reach the cluster: ${String(event.details.error ?? event.message)}`;
  if (event.type === 'cluster-back') return 'the cluster answers again';
  return event.message;
}
