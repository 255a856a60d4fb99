/** Picks free loopback ports below the kernel's ephemeral range (32768+), so they never clash with outgoing connections. */
import { createServer } from 'node:net';

const LOWEST_PORT = 20000;
const HIGHEST_PORT = 32000;

/**
 * How long a port handed out stays off-limits to this process's later picks. A bind check
 * alone cannot see a port whose server has not started listening yet, so two sandboxes
 * started at once (tests do) could both take it. Past the slowest start (the 60 s readiness
 * wait) the server listens, or the sandbox record that lists the port is written.
 */
const HANDED_OUT_FOR_MS = 5 * 60_000;
const handedOutUntil = new Map<number, number>();

export async function allocatePorts(
  count: number,
  taken: ReadonlySet<number> = new Set(),
  random: () => number = Math.random,
  now: () => number = Date.now,
): Promise<number[]> {
  const chosen: number[] = [];
  for (let attempt = 0; chosen.length < count; attempt += 1) {
    if (attempt > count * 200)
      throw new Error(`no ${count} free ports found in [${LOWEST_PORT}, ${HIGHEST_PORT})`);
    const port = LOWEST_PORT + Math.floor(random() * (HIGHEST_PORT - LOWEST_PORT));
    if (taken.has(port) || chosen.includes(port) || isHandedOut(port, now())) continue;
    // Claimed before the bind check yields: a concurrent call must not pick it meanwhile.
    handedOutUntil.set(port, now() + HANDED_OUT_FOR_MS);
    if (await isBindable(port)) chosen.push(port);
    else handedOutUntil.delete(port);
  }
  return chosen;
}

function isHandedOut(port: number, at: number): boolean {
  const until = handedOutUntil.get(port);
  if (until === undefined) return false;
  if (until > at) return true;
  handedOutUntil.delete(port);
  return false;
}

function isBindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}
