/** What Node's socket and TLS error codes mean to an operator, shared by every transport. */

const BAD_CLIENT_CERTIFICATE =
  'the server rejected the client certificate (none given, or not from a CA it trusts): pass --cert and --key';

const SOCKET_ERROR_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused (is the server running and listening on this port?)',
  ECONNRESET: 'connection reset by the server',
  ENOTFOUND: 'host name not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed server certificate: pass --cacert',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'server certificate not trusted: pass --cacert',
  SELF_SIGNED_CERT_IN_CHAIN: 'server certificate signed by an untrusted CA: pass --cacert',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'server certificate signed by an untrusted CA: pass --cacert',
  ERR_TLS_CERT_ALTNAME_INVALID: 'server certificate does not name this host',
  CERT_HAS_EXPIRED: 'server certificate has expired',
  // The server's verdict on our client certificate arrives as a TLS alert.
  // OpenSSL 3 names it "SSL/TLS alert bad certificate"; older builds "SSLV3 alert".
  'ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE': BAD_CLIENT_CERTIFICATE,
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: BAD_CLIENT_CERTIFICATE,
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED:
    'the server requires a client certificate: pass --cert and --key',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA:
    'the server does not trust the CA of the client certificate: pass --cert and --key from its CA',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'the server says the client certificate has expired',
  EPROTO: 'TLS handshake failed (is this a TLS endpoint, and does it need a client certificate?)',
};

/** The operator's explanation of a socket or TLS error code, when there is one. */
export function socketErrorReason(code: string): string | undefined {
  return SOCKET_ERROR_REASONS[code];
}
