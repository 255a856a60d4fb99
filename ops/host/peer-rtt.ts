/**
 * TCP-connect round trip to peers: a connect is one SYN/SYN-ACK exchange, so its time is
 * the network RTT plus the kernels' work. Errors are recorded per peer, never thrown.
 */
import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';
import type { PeerRtt } from '../../core/preflight/facts.js';
import { median } from './percentiles.js';

export interface PeerAddress {
  host: string;
  port: number;
}

const PEER_PATTERN =
  /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]*@)?(\[[0-9a-f:.%a-z]+\]|[^:/[\]@]+):(\d{1,5})(?:\/.*)?$/i;

/**
 * Accepts `host:port`, `[v6]:port` and URLs with an explicit port (`https://10.0.0.2:2380`).
 * Parsed by hand: WHATWG URL drops a port equal to the scheme's default.
 */
export function parsePeer(peer: string): PeerAddress | undefined {
  const match = PEER_PATTERN.exec(peer.trim());
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1].replace(/^\[(.*)\]$/, '$1'), port };
}

export interface PeerRttOptions {
  /** Connects per peer; the median is reported (default 3). */
  attempts?: number;
  /** Per connect (default 1000 ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

function connectOnce(
  address: PeerAddress,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const socket = connect({ host: address.host, port: address.port, noDelay: true });
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error) reject(error);
      else resolve(Number(process.hrtime.bigint() - started) / 1e6);
    };
    const onAbort = (): void => {
      finish(new Error('aborted'));
    };
    const timer = setTimeout(() => {
      finish(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      finish();
    });
    socket.on('error', (error) => {
      finish(error);
    });
  });
}

/** Median connect time to one peer; the name is resolved once, outside the timing. */
export async function measurePeerRtt(peer: string, options: PeerRttOptions = {}): Promise<PeerRtt> {
  const attempts = Math.max(1, options.attempts ?? 3);
  const timeoutMs = options.timeoutMs ?? 1000;
  const address = parsePeer(peer);
  if (address === undefined) return { peer, error: 'not host:port or a URL with a port' };
  let resolved: PeerAddress;
  try {
    resolved = { host: (await lookup(address.host)).address, port: address.port };
  } catch (error) {
    return { peer, error: `cannot resolve ${address.host}: ${(error as Error).message}` };
  }
  const rttsMs: number[] = [];
  const failures: string[] = [];
  for (let attempt = 0; attempt < attempts && !options.signal?.aborted; attempt += 1) {
    try {
      rttsMs.push(await connectOnce(resolved, timeoutMs, options.signal));
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  if (options.signal?.aborted && rttsMs.length + failures.length === 0) failures.push('aborted');
  const rttMs = median(rttsMs);
  const error =
    failures.length === 0
      ? undefined
      : `${failures.length} of ${rttsMs.length + failures.length} connects failed: ${[...new Set(failures)].join('; ')}`;
  return {
    peer,
    ...(rttMs === undefined ? {} : { rttMs }),
    ...(error === undefined ? {} : { error }),
  };
}

/** Every peer at once: each is a few short connects, and peers do not share a bottleneck. */
export async function measurePeerRtts(
  peers: readonly string[],
  options: PeerRttOptions = {},
): Promise<PeerRtt[]> {
  return Promise.all(peers.map((peer) => measurePeerRtt(peer, options)));
}
