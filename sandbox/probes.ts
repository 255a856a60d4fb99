/** Readiness probes with their own short timeouts: HTTP GET and ZooKeeper four-letter words over TCP. */
import { connect } from 'node:net';

export interface HttpProbeResult {
  status: number;
  body: string;
}

export async function httpGet(
  url: string,
  timeoutMs: number,
): Promise<HttpProbeResult | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, body: await response.text() };
  } catch {
    return undefined;
  }
}

/** Sends a four-letter word and returns everything the server writes before closing. */
export function fourLetterWord(
  host: string,
  port: number,
  word: string,
  timeoutMs: number,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let reply = '';
    const finish = (value: string | undefined) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => {
      finish(undefined);
    });
    socket.on('connect', () => socket.write(word));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
    });
    socket.on('end', () => {
      finish(reply);
    });
    socket.on('error', () => {
      finish(undefined);
    });
  });
}
