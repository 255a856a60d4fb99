/**
 * The node agent: polls one cluster through its adapter, keeps the derived signals, turns
 * each poll into catalog series and events, and serves them over HTTP. `createAgent` is the
 * embedding entry point; `quorumctl agent start` is a thin shell around it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Registry } from 'prom-client';
import { describeCause, isQuorumctlError } from '../core/errors.js';
import {
  appendSizeSample,
  backupAgeSeconds,
  lastElectionGapSeconds,
  leaderChangeRate,
  leaderlessSeconds,
  pruneLeaderHistory,
  quotaExhaustionEtaSeconds,
  type LeaderObservation,
  type SizeSample,
} from '../core/metrics/derived.js';
import {
  nextObservedState,
  pollFailureEvents,
  statusEvents,
  type ClusterEvent,
  type ObservedState,
} from '../core/metrics/events.js';
import { observationSeries, type AgentObservation } from '../core/metrics/mapping.js';
import type { MetricSample } from '../core/metrics/sample.js';
import type { ClusterStatus, MemberStatus } from '../core/model.js';
import type { ClusterAdapter, ClusterTarget, ConnectOptions } from '../core/ports.js';
import { connectAdapter } from '../systems/registry.js';
import { EventStream, type NumberedEvent } from './event-stream.js';
import {
  DEFAULT_LISTEN,
  formatListenAddress,
  isLoopbackHost,
  type ListenAddress,
} from './listen.js';
import {
  probeFilesystem,
  probeFsyncLatency,
  processResidentBytes,
  type FsyncLatencySeconds,
} from './node-probes.js';
import { createCatalogRegistry, indexSeries, type IndexedSeries } from './prom-registry.js';
import { PollLoop } from './schedule.js';

export interface AgentOptions {
  /** The cluster to watch; its name and kind label every series. */
  target: ClusterTarget;
  /** TLS, auth and the budget of each network call (default 3 s, capped by the poll timeout). */
  connect?: Omit<ConnectOptions, 'signal' | 'timeoutMs'> & { timeoutMs?: number };
  /** An adapter to use instead of the registry's (embedding, tests). The agent closes it. */
  adapter?: ClusterAdapter;
  /** Default 5 s. */
  intervalMs?: number;
  /** Spread of the interval, ±ratio (default 0.1). */
  jitterRatio?: number;
  /**
   * A poll that takes longer counts as failed (default: twice the interval, at least 2 s).
   * Each network call gets at most 40% of it, so one member that does not answer (a call
   * timing out) fails that member, not the whole poll.
   */
  pollTimeoutMs?: number;
  /** Where to serve; `false` serves nothing (read metricsText() in-process). Default 127.0.0.1:9464. */
  listen?: ListenAddress | false;
  /** Bearer token that /events (and any control endpoint) requires. */
  token?: string;
  /** Data directory of the node: fsync probe and filesystem space. Off when absent. */
  probeFsyncDirectory?: string;
  /** Default 60 s. */
  probeFsyncIntervalMs?: number;
  /** PID of the consensus server beside the agent: its resident memory is exported. */
  nodePid?: number;
  /** prom-client's process metrics (default on). */
  processMetrics?: boolean;
  /** Leader-change rate window (default 15 min). */
  rateWindowMs?: number;
  /** Window of db size samples the quota ETA is fitted over (default 1 h). */
  growthWindowMs?: number;
  /** Log lines for people (state changes only, never one per poll). */
  log?: (line: string) => void;
  now?: () => number;
  random?: () => number;
}

export interface AgentHealth {
  agent: 'ok';
  cluster: string;
  kind: string;
  /** Whether the last poll got a status; null before the first poll ended. */
  up: boolean | null;
  lastPollAt?: string;
  lastPollDurationMs?: number;
  lastError?: { code: string; message: string };
  polls: number;
  pollFailures: number;
  leaderChanges: number;
  eventSubscribers: number;
}

export interface Agent {
  /** Starts serving (when listening) and polling; resolves once the HTTP server is bound. */
  start(): Promise<void>;
  /** The bound address (port 0 resolved), undefined before start or without listening. */
  readonly address: ListenAddress | undefined;
  /** Polls once now, after any poll in progress (never two at once). */
  pollNow(): Promise<void>;
  /** The /metrics text. */
  metricsText(): Promise<string>;
  health(): AgentHealth;
  onEvent(listener: (event: NumberedEvent) => void): () => void;
  /**
   * Input hook for the backup age: the backup schedule (a later issue) calls this with the
   * finish time of the newest verified backup it knows from its manifests.
   */
  setLastBackupCompletedAt(completedAt: Date | undefined): void;
  readonly registry: Registry;
  close(): Promise<void>;
}

export function createAgent(options: AgentOptions): Agent {
  return new NodeAgent(options);
}

const DEFAULT_INTERVAL_MS = 5000;
const DEFAULT_CALL_TIMEOUT_MS = 3000;

class NodeAgent implements Agent {
  readonly registry: Registry;
  private readonly events = new EventStream();
  private readonly loop: PollLoop;
  private readonly fsyncLoop: PollLoop | undefined;
  private readonly abort = new AbortController();
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly pollTimeoutMs: number;
  private adapter: ClusterAdapter | undefined;
  private server: Server | undefined;
  private bound: ListenAddress | undefined;
  private closed = false;

  private observed: ObservedState = {};
  private series: IndexedSeries = indexSeries({ values: [], histograms: [] });
  private leaderHistory: LeaderObservation[] = [];
  private readonly sizeHistory = new Map<string, SizeSample[]>();
  private leaderChanges = 0;
  private polls = 0;
  private pollFailures = 0;
  private lastPollAtMs: number | undefined;
  private lastPollDurationMs: number | undefined;
  private lastError: { code: string; message: string } | undefined;
  private lastKnownMembers: Pick<MemberStatus, 'id' | 'name'>[] = [];
  private lastStatus: ClusterStatus | undefined;
  private lastSample: MetricSample | undefined;
  private backupCompletedAtMs: number | undefined;
  private fsync: FsyncLatencySeconds | undefined;
  private filesystem: { freeBytes: number; totalBytes: number } | undefined;
  private residentMemoryBytes: number | undefined;

  constructor(private readonly options: AgentOptions) {
    this.now = options.now ?? Date.now;
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.pollTimeoutMs = options.pollTimeoutMs ?? Math.max(2 * this.intervalMs, 2000);
    this.adapter = options.adapter;
    this.registry = createCatalogRegistry(() => this.series, {
      ...(options.processMetrics !== undefined && { processMetrics: options.processMetrics }),
    });
    this.loop = new PollLoop(() => this.poll(), {
      intervalMs: this.intervalMs,
      jitterRatio: options.jitterRatio ?? 0.1,
      ...(options.random !== undefined && { random: options.random }),
      now: this.now,
    });
    const directory = options.probeFsyncDirectory;
    if (directory !== undefined) {
      this.fsyncLoop = new PollLoop(() => this.probeFsync(directory), {
        intervalMs: options.probeFsyncIntervalMs ?? 60_000,
        jitterRatio: 0.1,
        now: this.now,
      });
    }
    this.publishSeries();
  }

  get address(): ListenAddress | undefined {
    return this.bound;
  }

  async start(): Promise<void> {
    if (this.closed) throw new Error('the agent was closed');
    const listen = this.options.listen ?? DEFAULT_LISTEN;
    if (listen !== false && this.server === undefined) {
      if (!isLoopbackHost(listen.host) && this.options.token === undefined) {
        this.log(
          `warning: listening on ${formatListenAddress(listen)} without a token: anyone who can reach it may read /events`,
        );
      }
      this.server = createServer((request, response) => {
        this.handle(request, response).catch((error: unknown) => {
          if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(`internal error: ${describeCause(error)}\n`);
        });
      });
      const server = this.server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(listen.port, listen.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address() as AddressInfo;
      this.bound = { host: listen.host, port: address.port };
    }
    this.loop.start();
    this.fsyncLoop?.start();
  }

  pollNow(): Promise<void> {
    return this.loop.runNow();
  }

  metricsText(): Promise<string> {
    return this.registry.metrics();
  }

  health(): AgentHealth {
    return {
      agent: 'ok',
      cluster: this.options.target.name,
      kind: this.options.target.kind,
      up: this.observed.up ?? null,
      ...(this.lastPollAtMs !== undefined && {
        lastPollAt: new Date(this.lastPollAtMs).toISOString(),
      }),
      ...(this.lastPollDurationMs !== undefined && {
        lastPollDurationMs: Math.round(this.lastPollDurationMs),
      }),
      ...(this.lastError !== undefined && { lastError: this.lastError }),
      polls: this.polls,
      pollFailures: this.pollFailures,
      leaderChanges: this.leaderChanges,
      eventSubscribers: this.events.subscriberCount,
    };
  }

  onEvent(listener: (event: NumberedEvent) => void): () => void {
    return this.events.onEvent(listener);
  }

  setLastBackupCompletedAt(completedAt: Date | undefined): void {
    this.backupCompletedAtMs = completedAt?.getTime();
    this.publishSeries();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort(new Error('the agent is shutting down'));
    await Promise.all([this.loop.stop(), this.fsyncLoop?.stop()]);
    this.events.close();
    const server = this.server;
    if (server !== undefined) {
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
    }
    await this.adapter?.close().catch(() => undefined);
  }

  // --- Polling -----------------------------------------------------------------------

  private async poll(): Promise<void> {
    if (this.closed) return;
    const started = this.now();
    const status = this.withTimeout(this.readStatus(), 'status');
    try {
      const result = await status.result;
      let sample: MetricSample | undefined;
      const adapter = this.adapter;
      if (adapter?.metricSample !== undefined) {
        const remaining = this.pollTimeoutMs - (this.now() - started);
        // Metrics beyond status are extras: without them the poll still succeeded.
        const read = this.withTimeout(adapter.metricSample(result), 'metrics', remaining);
        sample = await read.result.catch(() => undefined);
        await read.settled;
      }
      this.onStatus(result, sample, started);
    } catch (error) {
      this.onFailure(error, started);
    }
    // A timed-out call still runs until its own timeout: the next poll waits for it.
    await status.settled;
    await this.probeNode();
    this.publishSeries();
  }

  private async readStatus(): Promise<ClusterStatus> {
    this.adapter ??= await connectAdapter(this.options.target, {
      ...this.options.connect,
      // Adapters make up to two rounds of calls (probe, then discovered members).
      timeoutMs: Math.max(
        1,
        Math.min(
          this.options.connect?.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
          Math.floor(this.pollTimeoutMs * 0.4),
        ),
      ),
      signal: this.abort.signal,
    });
    return this.adapter.status();
  }

  private withTimeout<T>(
    promise: Promise<T>,
    what: string,
    timeoutMs = this.pollTimeoutMs,
  ): { result: Promise<T>; settled: Promise<unknown> } {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          reject(
            new PollTimeoutError(`the ${what} call took longer than ${Math.round(timeoutMs)} ms`),
          );
        },
        Math.max(1, timeoutMs),
      );
    });
    const result = Promise.race([promise, timeout]).finally(() => {
      clearTimeout(timer);
    });
    return { result, settled: promise.catch(() => undefined) };
  }

  private onStatus(
    status: ClusterStatus,
    sample: MetricSample | undefined,
    startedMs: number,
  ): void {
    const nowMs = this.now();
    this.recordPoll(startedMs, nowMs);
    const events = statusEvents(this.observed, status);
    this.leaderChanges += events.filter((event) => event.type === 'leader-change').length;
    this.observed = nextObservedState(this.observed, status);
    if (this.lastError !== undefined) this.log(`${status.cluster}: reachable again`);
    this.lastError = undefined;
    this.lastStatus = status;
    this.lastSample = sample;
    this.lastKnownMembers = status.members.map(({ id, name }) => ({ id, name }));
    this.leaderHistory.push({
      atMs: nowMs,
      reached: true,
      ...(status.leaderId !== undefined && { leaderId: status.leaderId }),
      ...(status.term !== undefined && { term: status.term }),
    });
    this.recordSizes(status, nowMs);
    this.publishEvents(events);
  }

  private onFailure(error: unknown, startedMs: number): void {
    const nowMs = this.now();
    this.recordPoll(startedMs, nowMs);
    this.pollFailures += 1;
    const failure = {
      code: isQuorumctlError(error)
        ? error.code
        : error instanceof PollTimeoutError
          ? 'POLL_TIMEOUT'
          : 'POLL_FAILED',
      message: describeCause(error),
    };
    if (this.lastError === undefined)
      this.log(`${this.options.target.name}: poll failed (${failure.code}): ${failure.message}`);
    this.lastError = failure;
    const events = pollFailureEvents(this.observed, {
      cluster: this.options.target.name,
      kind: this.options.target.kind,
      at: new Date(nowMs).toISOString(),
      ...failure,
    });
    this.observed = { ...this.observed, up: false };
    this.lastStatus = undefined;
    this.lastSample = undefined;
    this.leaderHistory.push({ atMs: nowMs, reached: false });
    this.publishEvents(events);
  }

  private recordPoll(startedMs: number, nowMs: number): void {
    this.polls += 1;
    this.lastPollAtMs = nowMs;
    this.lastPollDurationMs = nowMs - startedMs;
    this.leaderHistory = pruneLeaderHistory(this.leaderHistory, nowMs, this.rateWindowMs);
  }

  private get rateWindowMs(): number {
    return this.options.rateWindowMs ?? 15 * 60_000;
  }

  private recordSizes(status: ClusterStatus, nowMs: number): void {
    const windowMs = this.options.growthWindowMs ?? 60 * 60_000;
    const present = new Set<string>();
    for (const member of status.members) {
      if (!member.reachable || member.dbSizeBytes === undefined) continue;
      present.add(member.id);
      const samples = this.sizeHistory.get(member.id) ?? [];
      // About 360 samples per window whatever the interval: enough for a stable fit.
      this.sizeHistory.set(
        member.id,
        appendSizeSample(
          samples,
          { atMs: nowMs, bytes: member.dbSizeBytes },
          windowMs,
          windowMs / 360,
        ),
      );
    }
    for (const id of this.sizeHistory.keys())
      if (!status.members.some((member) => member.id === id)) this.sizeHistory.delete(id);
  }

  private publishEvents(events: readonly ClusterEvent[]): void {
    for (const event of events) {
      this.events.publish(event);
      this.log(`event ${event.type}: ${event.message}`);
    }
  }

  private async probeNode(): Promise<void> {
    const directory = this.options.probeFsyncDirectory;
    if (directory !== undefined) {
      this.filesystem = await probeFilesystem(directory).catch(() => undefined);
    }
    if (this.options.nodePid !== undefined) {
      this.residentMemoryBytes = await processResidentBytes(this.options.nodePid);
    }
  }

  private async probeFsync(directory: string): Promise<void> {
    try {
      this.fsync = await probeFsyncLatency(directory, this.abort.signal);
    } catch (error) {
      if (!this.closed) this.log(`fsync probe of ${directory} failed: ${describeCause(error)}`);
      this.fsync = undefined;
    }
    this.publishSeries();
  }

  /** Recomputes every series from the state; scrapes read the result until the next call. */
  private publishSeries(): void {
    const nowMs = this.now();
    const up = this.observed.up === true;
    const observation: AgentObservation = {
      cluster: this.options.target.name,
      kind: this.options.target.kind,
      up,
      lastKnownMembers: this.lastKnownMembers,
      leaderChangesTotal: this.leaderChanges,
      pollFailuresTotal: this.pollFailures,
      leaderChangesPerSecond: leaderChangeRate(this.leaderHistory, nowMs, this.rateWindowMs),
    };
    if (this.lastStatus !== undefined) observation.status = this.lastStatus;
    if (this.lastSample !== undefined) observation.sample = this.lastSample;
    if (this.lastPollDurationMs !== undefined)
      observation.pollDurationSeconds = this.lastPollDurationMs / 1000;
    const gap = lastElectionGapSeconds(this.leaderHistory);
    if (gap !== undefined) observation.electionGapSeconds = gap;
    // Unknown while the cluster cannot be reached: the last answer may be stale.
    const leaderless = up ? leaderlessSeconds(this.leaderHistory, nowMs) : undefined;
    if (leaderless !== undefined) observation.leaderlessSeconds = leaderless;
    const backupAge = backupAgeSeconds(this.backupCompletedAtMs, nowMs);
    if (backupAge !== undefined) observation.backupAgeSeconds = backupAge;
    observation.quotaEtaSeconds = this.quotaEtas();
    const node: NonNullable<AgentObservation['node']> = {};
    if (this.fsync !== undefined) node.fsyncLatencySeconds = this.fsync;
    if (this.filesystem !== undefined) node.filesystem = this.filesystem;
    if (this.residentMemoryBytes !== undefined) node.residentMemoryBytes = this.residentMemoryBytes;
    observation.node = node;
    this.series = indexSeries(observationSeries(observation));
  }

  private quotaEtas(): Map<string, number> {
    const etas = new Map<string, number>();
    for (const member of this.lastStatus?.members ?? []) {
      const samples = this.sizeHistory.get(member.id);
      if (samples === undefined || member.quotaBytes === undefined) continue;
      const eta = quotaExhaustionEtaSeconds(samples, member.quotaBytes);
      if (eta !== undefined) etas.set(member.id, eta);
    }
    return etas;
  }

  // --- HTTP --------------------------------------------------------------------------

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://agent').pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
      response.end('only GET\n');
      return;
    }
    switch (path) {
      case '/metrics': {
        const body = await this.registry.metrics();
        response.writeHead(200, { 'content-type': this.registry.contentType });
        response.end(request.method === 'HEAD' ? undefined : body);
        return;
      }
      case '/healthz':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(`${JSON.stringify(this.health())}\n`);
        return;
      case '/events': {
        if (!this.authorized(request)) {
          response.writeHead(401, {
            'www-authenticate': 'Bearer realm="quorumctl-agent"',
            'content-type': 'text/plain',
          });
          response.end('a bearer token is required: Authorization: Bearer <token>\n');
          return;
        }
        const lastEventId = request.headers['last-event-id'];
        this.events.subscribe(response, typeof lastEventId === 'string' ? lastEventId : undefined);
        return;
      }
      case '/':
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('quorumctl agent: /metrics, /healthz, /events\n');
        return;
      default:
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('not found: /metrics, /healthz, /events\n');
    }
  }

  private authorized(request: IncomingMessage): boolean {
    const token = this.options.token;
    if (token === undefined) return true;
    const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
    if (match?.[1] === undefined) return false;
    // Digests have equal length, so the comparison takes the same time whatever was sent.
    const digest = (text: string) => createHash('sha256').update(text).digest();
    return timingSafeEqual(digest(match[1].trim()), digest(token));
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

class PollTimeoutError extends Error {
  override readonly name = 'PollTimeoutError';
}
