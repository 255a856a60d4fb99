/**
 * Reads the certificate a TLS endpoint presents (any kind: only host and port matter). It
 * reads, it does not trust: the chain is not verified and no client certificate is offered.
 * With TLS 1.3 the server's certificate arrives before the server asks for the client's,
 * so endpoints that require client certificates are read too (verified against etcd 3.4
 * with --client-cert-auth); a TLS 1.2-only server that requires one refuses the handshake,
 * and that refusal is the result.
 */
import { isIP } from 'node:net';
import type { EndpointCertificate } from '../../core/check/observations.js';
import { socketErrorReason } from './socket-errors.js';

export interface CertificateReadOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** `https://h:p`, `tls://h:p` (ZooKeeper's secure client port) or any URL with host and port. */
export async function readCertificate(
  endpoint: string,
  options: CertificateReadOptions,
): Promise<EndpointCertificate> {
  const url = URL.parse(endpoint);
  const port = Number(url?.port ?? '');
  if (url === null || url.hostname === '' || !(port >= 1 && port <= 65535)) {
    return {
      endpoint,
      error: { code: 'BAD_ENDPOINT', message: `"${endpoint}" has no host and port` },
    };
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const { connect } = await import('node:tls');
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal =
    options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
  return new Promise<EndpointCertificate>((resolve) => {
    const socket = connect({
      host,
      port,
      ...(isIP(host) === 0 && { servername: host }),
      rejectUnauthorized: false,
    });
    const finish = (result: EndpointCertificate) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = () => {
      finish({
        endpoint,
        error: timeout.aborted
          ? { code: 'TIMEOUT', message: `no TLS handshake within ${options.timeoutMs} ms` }
          : { code: 'ABORTED', message: 'aborted' },
      });
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      const certificate = socket.getPeerX509Certificate();
      if (certificate === undefined) {
        finish({
          endpoint,
          error: { code: 'NO_CERTIFICATE', message: 'the server sent no certificate' },
        });
        return;
      }
      finish({
        endpoint,
        notAfter: new Date(certificate.validTo).toISOString(),
        notBefore: new Date(certificate.validFrom).toISOString(),
        subject: certificate.subject.split('\n').join(', '),
        issuer: certificate.issuer.split('\n').join(', '),
      });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'TLS_ERROR';
      // This probe offers no client certificate, so "pass --cert" advice does not apply.
      const reason = code.includes('_ALERT_')
        ? 'the server ended the handshake before its certificate could be read (it wants a client certificate over TLS 1.2?)'
        : socketErrorReason(code);
      finish({
        endpoint,
        error: {
          code,
          message: reason === undefined ? error.message : `${reason} (${error.message})`,
        },
      });
    });
  });
}
