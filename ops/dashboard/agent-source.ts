/**
 * A cluster read through its agents (the inventory's `agents:` URLs): `/metrics` every poll,
 * rebuilt into a status by core, and `/events` as a server-sent event stream. The first
 * agent that answers is used; the next poll tries them in order again.
 */
import {
  readingFromAgentSeries,
  type ExpositionSample,
} from '../../core/dashboard/agent-reading.js';
import { UnreachableError } from '../../core/errors.js';
import { CLUSTER_EVENT_TYPES, type ClusterEvent } from '../../core/metrics/events.js';
import type { SystemKind } from '../../core/model.js';
import type { ClusterReading, ClusterSource } from './poller.js';

export interface AgentSourceOptions {
  cluster: string;
  kind: SystemKind;
  /** Agent base URLs, e.g. `http://10.0.0.1:9464`. */
  agents: readonly string[];
  /** The exposition format parser (systems/transport's), passed in by the face. */
  parseExposition: (text: string) => ExpositionSample[];
  /** Bearer token for `/events`, when the agents require one. */
  token?: string;
  now?: () => Date;
}

export function agentSource(options: AgentSourceOptions): ClusterSource {
  const now = options.now ?? (() => new Date());
  return {
    name: options.cluster,
    kind: options.kind,
    via: 'agent',
    read: async (signal): Promise<ClusterReading> => {
      const failures: string[] = [];
      for (const agent of options.agents) {
        let text: string;
        try {
          const response = await fetch(new URL('/metrics', agent), { signal });
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          text = await response.text();
        } catch (error) {
          if (signal.aborted) throw error;
          failures.push(`${agent}: ${(error as Error).message}`);
          continue;
        }
        return readingFromAgentSeries(
          options.parseExposition(text),
          options.cluster,
          options.kind,
          now(),
          agent,
        );
      }
      throw new UnreachableError('AGENT_UNREACHABLE', `no agent answers: ${failures.join('; ')}`, {
        actions: options.agents.map((agent) => `curl ${new URL('/healthz', agent).href}`),
      });
    },
    close: () => Promise.resolve(),
  };
}

export interface EventSubscription {
  close(): void;
}

export interface EventStreamHandlers {
  onEvents(events: ClusterEvent[]): void;
  /** Connected or not: while not, the dashboard derives events from its own polls. */
  onConnected(connected: boolean, reason?: string): void;
}

/**
 * Follows the agents' `/events` streams, reconnecting with Last-Event-ID (the agent replays
 * what was missed) after a pause that grows to 30 s while no agent answers.
 */
export function subscribeAgentEvents(
  options: AgentSourceOptions,
  handlers: EventStreamHandlers,
): EventSubscription {
  const stop = new AbortController();
  let lastEventId: string | undefined;
  const run = async () => {
    let pauseMs = 1000;
    let next = 0;
    while (!stop.signal.aborted) {
      const agent = options.agents[next % options.agents.length] as string;
      next += 1;
      try {
        const headers: Record<string, string> = { accept: 'text/event-stream' };
        if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
        if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
        const response = await fetch(new URL('/events', agent), { headers, signal: stop.signal });
        if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status}`);
        handlers.onConnected(true);
        pauseMs = 1000;
        const parser = new SseParser((frame) => {
          if (frame.id !== undefined) lastEventId = frame.id;
          const event = clusterEventOf(frame.data, options.cluster);
          if (event !== undefined) handlers.onEvents([event]);
        });
        const decoder = new TextDecoder();
        for await (const chunk of response.body as AsyncIterable<Uint8Array>)
          parser.push(decoder.decode(chunk, { stream: true }));
        handlers.onConnected(false, `${agent} ended the event stream`);
      } catch (error) {
        if (stop.signal.aborted) return;
        handlers.onConnected(false, `${agent}/events: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs).unref());
      pauseMs = Math.min(30_000, pauseMs * 2);
    }
  };
  void run();
  return {
    close: () => {
      stop.abort();
    },
  };
}

export interface SseFrame {
  id?: string;
  event?: string;
  data: string;
}

/** Incremental parser of `text/event-stream`: frames end with a blank line. */
export class SseParser {
  private buffer = '';

  constructor(private readonly onFrame: (frame: SseFrame) => void) {}

  push(text: string): void {
    this.buffer += text.replace(/\r\n?/g, '\n');
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end < 0) return;
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const frame: SseFrame = { data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line === '' || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') data.push(value);
        else if (field === 'id') frame.id = value;
        else if (field === 'event') frame.event = value;
      }
      if (data.length === 0) continue;
      frame.data = data.join('\n');
      this.onFrame(frame);
    }
  }
}

/**
 * The agent's frame data is `{id, ...ClusterEvent}`; anything else is ignored. An agent
 * watches one cluster, so its events are filed under the dashboard's name for it.
 */
export function clusterEventOf(data: string, cluster: string): ClusterEvent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const candidate = parsed as Partial<ClusterEvent>;
  if (
    typeof candidate.type !== 'string' ||
    !(CLUSTER_EVENT_TYPES as readonly string[]).includes(candidate.type) ||
    typeof candidate.message !== 'string' ||
    typeof candidate.at !== 'string'
  )
    return undefined;
  return {
    type: candidate.type,
    cluster,
    kind: candidate.kind as ClusterEvent['kind'],
    at: candidate.at,
    message: candidate.message,
    details: candidate.details ?? {},
  };
}
