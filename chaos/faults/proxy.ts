/**
 * A small userspace TCP proxy (node:net) that delays and "loses" traffic, for kernels without
 * netem. Within one TCP stream bytes cannot be dropped without corrupting it, so loss is
 * modelled as what it costs a TCP connection: a lost chunk arrives one retransmission
 * timeout late, and everything behind it waits (order is kept), like Toxiproxy's latency
 * toxic plus a probabilistic stall.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface ProxyToxics {
  /** Added to every chunk, in each direction. */
  latencyMs: number;
  /** Share of chunks (0-100) held back one retransmission timeout. */
  lossPercent: number;
  /** What a lost chunk costs: Linux's minimum RTO is 200 ms. */
  retransmitMs: number;
}

export const NO_TOXICS: ProxyToxics = { latencyMs: 0, lossPercent: 0, retransmitMs: 200 };

export interface ProxyOptions {
  listenHost: string;
  /** 0 (default): any free port. */
  listenPort?: number;
  targetHost: string;
  targetPort: number;
  toxics?: Partial<ProxyToxics>;
  /** Injected for tests: uniform in [0, 1). */
  random?: () => number;
}

export interface ProxyStats {
  connections: number;
  chunks: number;
  lostChunks: number;
}

/**
 * When a chunk may leave, given when the previous one of the stream leaves: never before it
 * (TCP keeps order), never before arrival plus latency, plus a retransmission if it was lost.
 */
export function releaseTime(
  arrivedAtMs: number,
  previousReleaseMs: number,
  toxics: ProxyToxics,
  lost: boolean,
): number {
  const own = arrivedAtMs + toxics.latencyMs + (lost ? toxics.retransmitMs : 0);
  return Math.max(own, previousReleaseMs);
}

export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Each pipe's "send everything queued now, then end": a graceful close loses no chunk. */
  private readonly drains = new Set<() => void>();
  private toxics: ProxyToxics;
  private readonly random: () => number;
  readonly stats: ProxyStats = { connections: 0, chunks: 0, lostChunks: 0 };

  constructor(private readonly options: ProxyOptions) {
    this.toxics = { ...NO_TOXICS, ...options.toxics };
    this.random = options.random ?? Math.random;
  }

  /** Listens; resolves with the address it got. */
  start(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      // Half-open allowed: an end is passed on only after the queued chunks (see pipe).
      const server = createServer({ allowHalfOpen: true }, (client) => {
        this.accept(client);
      });
      server.once('error', reject);
      server.listen({ host: this.options.listenHost, port: this.options.listenPort ?? 0 }, () => {
        server.off('error', reject);
        this.server = server;
        const address = server.address() as AddressInfo;
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  /** Applies to chunks arriving from now on; chunks already queued keep their time. */
  setToxics(toxics: Partial<ProxyToxics>): void {
    this.toxics = { ...this.toxics, ...toxics };
  }

  /**
   * Stops listening and closes every proxied connection: queued chunks are sent first and
   * the connections ended (the peers see a clean close and reconnect, nothing acknowledged
   * by TCP is lost); whatever is still open after graceMs is destroyed.
   */
  async close(graceMs = 500): Promise<void> {
    for (const drain of [...this.drains]) drain();
    if (this.sockets.size > 0 && graceMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        const check = setInterval(() => {
          if (this.sockets.size === 0) {
            clearTimeout(timer);
            clearInterval(check);
            resolve();
          }
        }, 10);
        timer.unref();
        setTimeout(() => {
          clearInterval(check);
        }, graceMs).unref();
      });
    }
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }

  private accept(client: Socket): void {
    this.stats.connections += 1;
    const upstream = connect({
      host: this.options.targetHost,
      port: this.options.targetPort,
      allowHalfOpen: true,
    });
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => {
        this.sockets.delete(socket);
      });
    }
    // One side failing or closing takes the other with it, as a broken link would.
    const destroyBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', destroyBoth);
    upstream.on('error', destroyBoth);
    // Closing starts at the accepting member, so replies it still sends reach the dialler.
    this.pipe(client, upstream, true);
    this.pipe(upstream, client, false);
  }

  /**
   * Forwards `from` to `to` through a queue released in order at each chunk's time. On
   * close the queue goes out at once and later chunks pass without toxics; `endOnClose`
   * also ends `to`, the other direction ends when its source does.
   */
  private pipe(from: Socket, to: Socket, endOnClose: boolean): void {
    const queue: { at: number; chunk: Buffer }[] = [];
    let lastRelease = 0;
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    let draining = false;
    const flush = () => {
      timer = undefined;
      const now = Date.now();
      while (queue.length > 0 && (queue[0]?.at ?? Infinity) <= now) {
        const next = queue.shift();
        if (next !== undefined && !to.destroyed && !to.write(next.chunk)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      }
      if (queue.length > 0) schedule();
      else if (ended && !to.destroyed) to.end();
    };
    const schedule = () => {
      if (timer !== undefined || queue.length === 0) return;
      timer = setTimeout(flush, Math.max(0, (queue[0]?.at ?? 0) - Date.now()));
    };
    from.on('data', (chunk: Buffer) => {
      this.stats.chunks += 1;
      if (draining) {
        if (!to.destroyed && !to.writableEnded) to.write(chunk);
        return;
      }
      const lost = this.toxics.lossPercent > 0 && this.random() * 100 < this.toxics.lossPercent;
      if (lost) this.stats.lostChunks += 1;
      lastRelease = releaseTime(Date.now(), lastRelease, this.toxics, lost);
      queue.push({ at: lastRelease, chunk });
      schedule();
    });
    from.on('end', () => {
      ended = true;
      if (queue.length === 0 && !to.destroyed) to.end();
    });
    const drain = () => {
      draining = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      for (const next of queue.splice(0)) if (!to.destroyed) to.write(next.chunk);
      if ((endOnClose || ended) && !to.destroyed) to.end();
    };
    this.drains.add(drain);
    from.on('close', () => {
      this.drains.delete(drain);
      if (timer !== undefined && to.destroyed) clearTimeout(timer);
    });
  }
}
