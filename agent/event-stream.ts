/**
 * Server-sent events for `/events`: every subscriber gets each cluster event as it is
 * published; a reconnecting client sends Last-Event-ID and gets what it missed from a short
 * replay buffer.
 */
import type { ServerResponse } from 'node:http';
import type { ClusterEvent } from '../core/metrics/events.js';

export interface NumberedEvent {
  id: number;
  event: ClusterEvent;
}

/** One SSE frame; JSON never contains a raw newline, so `data:` stays one line. */
export function formatSseFrame({ id, event }: NumberedEvent): string {
  return `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify({ id, ...event })}\n\n`;
}

export class EventStream {
  private nextId = 1;
  private readonly recent: NumberedEvent[] = [];
  private readonly clients = new Set<ServerResponse>();
  private readonly listeners = new Set<(event: NumberedEvent) => void>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly replaySize = 256,
    private readonly heartbeatMs = 15_000,
  ) {}

  get subscriberCount(): number {
    return this.clients.size;
  }

  /** Events kept for replay, oldest first. */
  get history(): readonly NumberedEvent[] {
    return this.recent;
  }

  publish(event: ClusterEvent): NumberedEvent {
    const numbered = { id: this.nextId, event };
    this.nextId += 1;
    this.recent.push(numbered);
    if (this.recent.length > this.replaySize) this.recent.shift();
    const frame = formatSseFrame(numbered);
    for (const client of this.clients) client.write(frame);
    for (const listener of this.listeners) listener(numbered);
    return numbered;
  }

  /** In-process subscribers (embedding): returns the unsubscribe function. */
  onEvent(listener: (event: NumberedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Takes over an HTTP response as an event stream until the client goes away. */
  subscribe(response: ServerResponse, lastEventId: string | undefined): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      // Reverse proxies (nginx) would otherwise hold events back in their buffers.
      'x-accel-buffering': 'no',
    });
    response.write(': quorumctl agent events\n\n');
    const after = lastEventId === undefined ? undefined : Number(lastEventId);
    if (after !== undefined && Number.isInteger(after)) {
      for (const numbered of this.recent)
        if (numbered.id > after) response.write(formatSseFrame(numbered));
    }
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
    this.heartbeat ??= setInterval(() => {
      for (const client of this.clients) client.write(': keep-alive\n\n');
    }, this.heartbeatMs).unref();
  }

  close(): void {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const client of this.clients) client.end();
    this.clients.clear();
    this.listeners.clear();
  }
}
