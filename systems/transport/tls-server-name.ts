/**
 * The certificate name to verify a TLS endpoint against, when it is not the host dialled:
 * a port-forward to 127.0.0.1:40123 reaches a pod whose certificate names its DNS name.
 * Node verifies against `servername` (and sends it as SNI), so that is what this sets.
 */
import type { TlsOptions } from '../../core/ports.js';

/** `{ servername }` for tls.connect/https.request options, or nothing. */
export function serverNameOption(
  tls: TlsOptions | undefined,
  host: string,
  port: number | string,
): { servername?: string } {
  const name = tls?.serverNames?.[`${host}:${String(port)}`];
  return name === undefined ? {} : { servername: name };
}

/** The same for a URL (default ports filled in, as URL drops them). */
export function serverNameForUrl(tls: TlsOptions | undefined, url: URL): { servername?: string } {
  const port = url.port === '' ? (url.protocol === 'https:' ? '443' : '80') : url.port;
  return serverNameOption(tls, url.hostname, port);
}
