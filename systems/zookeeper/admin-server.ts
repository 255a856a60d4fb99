/** Reads ZooKeeper AdminServer commands (`http://host:8080/commands/<name>`, JSON) for servers whose four-letter words are off. */
import type { TlsOptions } from '../../core/ports.js';
import { httpCall, HttpTransportError } from '../transport/http.js';
import { adminCommandError } from './parsers.js';

/** The commands status uses; all exist in 3.5 to 3.9. */
export type AdminCommand =
  'configuration' | 'monitor' | 'server_stats' | 'voting_view' | 'zabstate';

export interface AdminServerOptions {
  tls?: TlsOptions;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * `monitorUrl` is the command root, e.g. `http://127.0.0.1:8080/commands`. A command that
 * cannot run answers HTTP 200 with an `error` text (or HTTP 500 for `monitor` without
 * quorum): both are thrown as HttpTransportError.
 */
export async function adminCommand(
  monitorUrl: string,
  command: AdminCommand,
  options: AdminServerOptions,
): Promise<unknown> {
  const url = `${monitorUrl.replace(/\/+$/, '')}/${command}`;
  const response = await httpCall(url, {
    timeoutMs: options.timeoutMs,
    ...(options.tls !== undefined && { tls: options.tls }),
    ...(options.signal !== undefined && { signal: options.signal }),
  });
  if (response.statusCode !== 200) {
    throw new HttpTransportError(
      `HTTP_${response.statusCode}`,
      url,
      `${command} answered HTTP ${response.statusCode}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch (cause) {
    throw new HttpTransportError(
      'BAD_RESPONSE',
      url,
      `${command} answered something other than JSON (is ${monitorUrl} the AdminServer's /commands URL?)`,
      { cause },
    );
  }
  const error = adminCommandError(json);
  if (error !== undefined)
    throw new HttpTransportError('COMMAND_FAILED', url, `${command}: ${error}`);
  return json;
}
