/** Readiness probes with their own short timeouts: HTTP GET, ZooKeeper four-letter words over TCP, a command's output. */
import { execFile } from 'node:child_process';
import { connect } from 'node:net';

export interface HttpProbeResult {
  status: number;
  body: string;
}

/** undefined when nothing answered within the timeout: a server still starting is not an error. */
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

/** GET a JSON document; undefined if unreachable, not 200 or not JSON (e.g. cut off mid-start). */
export async function httpGetJson(url: string, timeoutMs: number): Promise<unknown> {
  const answer = await httpGet(url, timeoutMs);
  if (answer?.status !== 200) return undefined;
  try {
    return JSON.parse(answer.body) as unknown;
  } catch {
    return undefined;
  }
}

/** POST a JSON body and parse the JSON answer; undefined on any failure. */
export async function httpPostJson(
  url: string,
  body: unknown,
  timeoutMs: number,
): Promise<unknown> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return response.ok ? await response.json() : undefined;
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

/** stdout plus stderr of a short command (version banners go to either), undefined if it fails. */
export function commandOutput(
  command: string,
  args: readonly string[],
  timeoutMs = 5000,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve(error === null ? `${stdout}${stderr}` : undefined);
    });
  });
}
