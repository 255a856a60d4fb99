/**
 * A dashboard session: the sample store fed by the poller (and by agents' event streams),
 * with change notifications for whichever face draws it (the TUI, or plain lines when
 * stdout is not a terminal). The quick check runs here, off the render path.
 */
import { quickCheck } from '../../core/dashboard/quick-check.js';
import { DashboardStore, type PollOutcome } from '../../core/dashboard/store.js';
import {
  subscribeAgentEvents,
  type AgentSourceOptions,
  type EventSubscription,
} from './agent-source.js';
import { DashboardPoller, type ClusterSource } from './poller.js';

export interface SessionOptions {
  intervalMs: number;
  timeoutMs: number;
  /** Agents whose /events to follow, by cluster name. */
  agentEvents?: readonly AgentSourceOptions[];
  seriesCapacity?: number;
  now?: () => number;
}

export class DashboardSession {
  readonly store: DashboardStore;
  private readonly poller: DashboardPoller;
  private readonly listeners = new Set<(outcome?: PollOutcome) => void>();
  private readonly subscriptions: EventSubscription[] = [];
  private readonly now: () => number;

  constructor(
    private readonly sources: readonly ClusterSource[],
    private readonly options: SessionOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.store = new DashboardStore(
      options.seriesCapacity === undefined ? {} : { seriesCapacity: options.seriesCapacity },
    );
    for (const source of sources) this.store.addCluster(source.name, source.kind, source.via);
    this.poller = new DashboardPoller(sources, {
      intervalMs: options.intervalMs,
      timeoutMs: options.timeoutMs,
      now: this.now,
      onOutcome: (outcome) => {
        this.store.record(outcome);
        this.notify(outcome);
      },
    });
  }

  get clusterNames(): string[] {
    return this.sources.map((source) => source.name);
  }

  /** Called after every recorded poll, event or check (the UI schedules a render). */
  onChange(listener: (outcome?: PollOutcome) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    const agents = this.sources.filter((source) => source.via === 'agent').length;
    this.store.note({
      atMs: this.now(),
      cluster: 'dashboard',
      severity: 'info',
      source: 'start',
      message: `watching ${this.sources.length} cluster${this.sources.length === 1 ? '' : 's'} every ${this.options.intervalMs} ms (deadline ${this.options.timeoutMs} ms each)${agents > 0 ? `, ${agents} through agents` : ''}`,
    });
    this.poller.start();
    for (const agent of this.options.agentEvents ?? []) {
      this.subscriptions.push(
        subscribeAgentEvents(agent, {
          onEvents: (events) => {
            this.store.recordEvents(events);
            this.notify();
          },
          onConnected: (connected, reason) => {
            this.store.setStreamingEvents(agent.cluster, connected);
            if (!connected && reason !== undefined) {
              this.store.note({
                atMs: this.now(),
                cluster: agent.cluster,
                severity: 'info',
                source: 'agent',
                message: `event stream down (${reason}); events are derived from polls meanwhile`,
              });
              this.notify();
            }
          },
        }),
      );
    }
  }

  /** A poll of every idle cluster now (after `c`, so the check sees fresh data). */
  pollNow(): void {
    this.poller.pollNow();
  }

  async settled(): Promise<void> {
    await this.poller.settled();
  }

  /**
   * Runs the quick check of `cluster` on the next tick, so the key press returns at once,
   * and logs its result.
   */
  runQuickCheck(cluster: string): void {
    setImmediate(() => {
      const track = this.store.cluster(cluster);
      if (track === undefined) return;
      const snapshot = quickCheck(track, this.now());
      this.store.setCheck(cluster, snapshot);
      const worst = snapshot.findings[0];
      this.store.note({
        atMs: snapshot.atMs,
        cluster,
        severity: worst === undefined ? 'info' : worst.severity,
        source: 'check',
        message:
          worst === undefined
            ? `no findings (${snapshot.notes.join('; ')})`
            : `${snapshot.findings.length} finding(s), worst ${worst.ruleId}: ${worst.message}`,
      });
      this.notify();
    });
  }

  async stop(): Promise<void> {
    for (const subscription of this.subscriptions) subscription.close();
    await this.poller.stop();
    this.listeners.clear();
  }

  private notify(outcome?: PollOutcome): void {
    for (const listener of this.listeners) listener(outcome);
  }
}
