/** A single etcd member with extra flags (TLS, small quota, auth), for tests the sandbox does not cover. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { allocatePorts } from '../../sandbox/ports.js';
import { connect } from '../../systems/etcd/adapter.js';
import type { TlsOptions } from '../../core/ports.js';

export interface StandaloneEtcd {
  clientUrl: string;
  dir: string;
  stop(): Promise<void>;
}

export interface StandaloneOptions {
  tlsFiles?: TlsFiles;
  /** Serve this certificate instead of tlsFiles.serverCert (e.g. an expired one). */
  serverCert?: string;
  extraArgs?: string[];
  readinessTls?: TlsOptions;
  /**
   * `leader` (default) waits until the member elects itself, through our adapter;
   * `listening` only until the client port accepts connections, for certificates the
   * adapter must refuse.
   */
  readiness?: 'leader' | 'listening';
}

export async function startStandaloneEtcd(
  options: StandaloneOptions = {},
): Promise<StandaloneEtcd> {
  const dir = await mkdtemp(join(tmpdir(), 'quorumctl-etcd-'));
  const [clientPort, peerPort] = await allocatePorts(2);
  const scheme = options.tlsFiles === undefined ? 'http' : 'https';
  const clientUrl = `${scheme}://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const tlsArgs =
    options.tlsFiles === undefined
      ? []
      : [
          '--cert-file',
          options.serverCert ?? options.tlsFiles.serverCert,
          '--key-file',
          options.tlsFiles.serverKey,
          '--client-cert-auth',
          '--trusted-ca-file',
          options.tlsFiles.ca,
        ];
  const child: ChildProcess = spawn(
    'etcd',
    [
      '--name',
      's1',
      '--data-dir',
      join(dir, 'data'),
      '--listen-client-urls',
      clientUrl,
      '--advertise-client-urls',
      clientUrl,
      '--listen-peer-urls',
      peerUrl,
      '--initial-advertise-peer-urls',
      peerUrl,
      '--initial-cluster',
      `s1=${peerUrl}`,
      ...tlsArgs,
      ...(options.extraArgs ?? []),
    ],
    { stdio: 'ignore' },
  );
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    if (options.readiness === 'listening') {
      await waitUntilListening(clientPort ?? 0, 20_000);
      return { clientUrl, dir, stop };
    }
    const adapter = connect(
      { name: 'standalone', kind: 'etcd', endpoints: [clientUrl] },
      { timeoutMs: 500, ...(options.readinessTls !== undefined && { tls: options.readinessTls }) },
    );
    const deadline = Date.now() + 20_000;
    for (;;) {
      const status = await adapter.status().catch(() => undefined);
      if (status?.leaderId !== undefined) break;
      if (Date.now() > deadline)
        throw new Error(`standalone etcd on ${clientUrl} did not elect itself within 20 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { clientUrl, dir, stop };
}

async function waitUntilListening(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => {
        resolve(false);
      });
    });
    if (open) return;
    if (Date.now() > deadline)
      throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface TlsFiles {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** The server key's certificate, valid only in January 2020. */
  expiredServerCert: string;
  /** A client certificate from a CA the server does not trust. */
  strangerClientCert: string;
  strangerClientKey: string;
}

/**
 * A throwaway CA with a server certificate for 127.0.0.1 (and an expired twin) and a client
 * certificate, plus a client certificate from a second, untrusted CA (openssl).
 */
export async function createTlsFiles(): Promise<TlsFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'quorumctl-tls-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=quorumctl-test-ca',
  );
  // etcd 3.4's JSON gateway dials the member's own gRPC port with the server certificate as
  // its client certificate: with --client-cert-auth it needs clientAuth usage as well.
  for (const [name, usage] of [
    ['server', 'serverAuth,clientAuth'],
    ['client', 'clientAuth'],
  ] as const) {
    await writeFile(
      file(`${name}.ext`),
      `subjectAltName=IP:127.0.0.1\nextendedKeyUsage=${usage}\n`,
    );
    openssl(
      'req',
      ...ecKey,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
      '-subj',
      `/CN=${name === 'server' ? '127.0.0.1' : 'root'}`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file(`${name}.pem`),
      '-days',
      '1',
      '-extfile',
      file(`${name}.ext`),
    );
  }
  // `openssl x509` cannot back-date a certificate; `openssl ca` can, given a tiny config.
  await writeFile(file('index.txt'), '');
  await writeFile(file('serial'), '1000\n');
  await writeFile(
    file('ca.cnf'),
    [
      '[ ca ]',
      'default_ca = throwaway',
      '[ throwaway ]',
      `database = ${file('index.txt')}`,
      `new_certs_dir = ${dir}`,
      `serial = ${file('serial')}`,
      'default_md = sha256',
      'policy = any_name',
      '[ any_name ]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );
  openssl(
    'ca',
    '-batch',
    '-notext',
    '-config',
    file('ca.cnf'),
    '-cert',
    file('ca.pem'),
    '-keyfile',
    file('ca.key'),
    '-in',
    file('server.csr'),
    '-out',
    file('server-expired.pem'),
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200102000000Z',
    '-extfile',
    file('server.ext'),
  );
  openssl(
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    file('stranger.key'),
    '-out',
    file('stranger.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=stranger',
    '-addext',
    'extendedKeyUsage=clientAuth',
  );
  return {
    dir,
    ca: file('ca.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server.key'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
    expiredServerCert: file('server-expired.pem'),
    strangerClientCert: file('stranger.pem'),
    strangerClientKey: file('stranger.key'),
  };
}
