/** Picks free loopback ports below the kernel's ephemeral range (32768+), so they never clash with outgoing connections. */
import { createServer } from 'node:net';

const LOWEST_PORT = 20000;
const HIGHEST_PORT = 32000;

export async function allocatePorts(
  count: number,
  taken: ReadonlySet<number> = new Set(),
  random: () => number = Math.random,
): Promise<number[]> {
  const chosen: number[] = [];
  for (let attempt = 0; chosen.length < count; attempt += 1) {
    if (attempt > count * 200)
      throw new Error(`no ${count} free ports found in [${LOWEST_PORT}, ${HIGHEST_PORT})`);
    const port = LOWEST_PORT + Math.floor(random() * (HIGHEST_PORT - LOWEST_PORT));
    if (taken.has(port) || chosen.includes(port)) continue;
    if (await isBindable(port)) chosen.push(port);
  }
  return chosen;
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
