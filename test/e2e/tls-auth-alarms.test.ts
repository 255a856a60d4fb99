// End to end against single real etcd members: TLS with client certificates, password auth, the NOSPACE alarm.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { createCliHome, type CliHome } from '../support/cli.js';
import {
  createTlsFiles,
  startStandaloneEtcd,
  type StandaloneEtcd,
  type TlsFiles,
} from '../support/standalone-etcd.js';

describe('TLS with client certificates', { timeout: 60_000 }, () => {
  let home: CliHome;
  let tls: TlsFiles;
  let etcd: StandaloneEtcd;
  before(async () => {
    home = await createCliHome();
    tls = await createTlsFiles();
    etcd = await startStandaloneEtcd({
      tlsFiles: tls,
      readinessTls: {
        ca: await readFile(tls.ca, 'utf8'),
        cert: await readFile(tls.clientCert, 'utf8'),
        key: await readFile(tls.clientKey, 'utf8'),
      },
    });
  });
  after(async () => {
    await etcd?.stop();
    await rm(tls.dir, { recursive: true, force: true });
    await home.cleanup();
  });

  const target = () => `etcd+https://${etcd.clientUrl.replace('https://', '')}`;

  test('status over TLS with CA and client certificate', async () => {
    const result = await home.run([
      'status',
      '-e',
      target(),
      '--cacert',
      tls.ca,
      '--cert',
      tls.clientCert,
      '--key',
      tls.clientKey,
      '-o',
      'json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const document = JSON.parse(result.stdout) as {
      result: { members: { role: string; endpoint: string }[] };
    };
    assert.equal(document.result.members[0]?.role, 'leader');
    assert.ok(document.result.members[0]?.endpoint.startsWith('https://'));
  });

  test('an untrusted server certificate is refused, with advice (exit 3)', async () => {
    const result = await home.run([
      'status',
      '-e',
      target(),
      '--cert',
      tls.clientCert,
      '--key',
      tls.clientKey,
    ]);
    assert.equal(result.code, 3);
    assert.match(result.stderr, /certificate/i);
    assert.match(result.stderr, /--cacert/);
  });

  test('a certificate that does not name the host is refused, naming the problem (exit 3)', async () => {
    const result = await home.run([
      'status',
      '-e',
      target().replace('127.0.0.1', 'localhost'),
      '--cacert',
      tls.ca,
      '--cert',
      tls.clientCert,
      '--key',
      tls.clientKey,
    ]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /server certificate does not name this host/);
  });

  test('without a client certificate the server refuses, and the error says to pass one (exit 3)', async () => {
    const result = await home.run(['status', '-e', target(), '--cacert', tls.ca]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /client certificate/);
    assert.match(result.stderr, /--cert/);
  });

  test('a client certificate from a CA the server does not trust is refused (exit 3)', async () => {
    const result = await home.run([
      'status',
      '-e',
      target(),
      '--cacert',
      tls.ca,
      '--cert',
      tls.strangerClientCert,
      '--key',
      tls.strangerClientKey,
    ]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /client certificate/);
  });

  test('the inventory carries TLS file references', async () => {
    const add = await home.run([
      'config',
      'add-cluster',
      'secure',
      '-e',
      target(),
      '--cacert',
      tls.ca,
      '--cert',
      tls.clientCert,
      '--key',
      tls.clientKey,
      '--use',
    ]);
    assert.equal(add.code, 0, add.stderr);
    const health = await home.run(['health']);
    assert.equal(health.code, 0, health.stdout + health.stderr);
    assert.match(health.stdout, /^OK: secure \(etcd\)/);
  });

  test('a missing TLS file is a usage error naming it (exit 2)', async () => {
    const result = await home.run(['status', '-e', target(), '--cacert', '/nonexistent/ca.pem']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Error \(TLS_FILE_UNREADABLE\): .*\/nonexistent\/ca\.pem/);
  });
});

describe('an expired server certificate', { timeout: 60_000 }, () => {
  let home: CliHome;
  let tls: TlsFiles;
  let etcd: StandaloneEtcd;
  before(async () => {
    home = await createCliHome();
    tls = await createTlsFiles();
    etcd = await startStandaloneEtcd({
      tlsFiles: tls,
      serverCert: tls.expiredServerCert,
      readiness: 'listening',
    });
  });
  after(async () => {
    await etcd?.stop();
    await rm(tls.dir, { recursive: true, force: true });
    await home.cleanup();
  });

  test('is refused and named as expired (exit 3)', async () => {
    const result = await home.run([
      'status',
      '-e',
      `etcd+https://${etcd.clientUrl.replace('https://', '')}`,
      '--cacert',
      tls.ca,
      '--cert',
      tls.clientCert,
      '--key',
      tls.clientKey,
    ]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /server certificate has expired/);
  });
});

describe('password authentication', { timeout: 60_000 }, () => {
  let home: CliHome;
  let etcd: StandaloneEtcd;
  before(async () => {
    home = await createCliHome();
    etcd = await startStandaloneEtcd();
    const etcdctl = (...args: string[]) =>
      execFileSync('etcdctl', ['--endpoints', etcd.clientUrl, ...args], {
        env: { ...process.env, ETCDCTL_API: '3' },
        stdio: 'pipe',
      });
    etcdctl('user', 'add', 'root:s3cret');
    etcdctl('auth', 'enable');
  });
  after(async () => {
    await etcd?.stop();
    await home.cleanup();
  });

  test('status authenticates with the password from the named variable', async () => {
    const result = await home.run(
      [
        'status',
        '-e',
        `etcd://${etcd.clientUrl.replace('http://', '')}`,
        '--user',
        'root',
        '--password-env',
        'TEST_ETCD_PW',
        '-o',
        'json',
      ],
      { env: { TEST_ETCD_PW: 's3cret' } },
    );
    assert.equal(result.code, 0, result.stderr);
  });

  test('a wrong password is bad input, not an outage (exit 2)', async () => {
    const result = await home.run(
      ['status', '-e', `etcd://${etcd.clientUrl.replace('http://', '')}`, '--user', 'root'],
      { env: { QUORUMCTL_PASSWORD: 'wrong' } },
    );
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Error \(AUTH_FAILED\): .*authentication as "root" failed/);
  });

  test('a password variable that is not set is named (exit 2)', async () => {
    const result = await home.run([
      'status',
      '-e',
      `etcd://${etcd.clientUrl.replace('http://', '')}`,
      '--user',
      'root',
      '--password-env',
      'UNSET_VARIABLE_FOR_TEST',
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /\$UNSET_VARIABLE_FOR_TEST, which is not set/);
  });
});

describe('NOSPACE alarm', { timeout: 90_000 }, () => {
  let home: CliHome;
  let etcd: StandaloneEtcd;
  before(async () => {
    home = await createCliHome();
    etcd = await startStandaloneEtcd({
      extraArgs: ['--quota-backend-bytes', String(4 * 1024 * 1024)],
    });
  });
  after(async () => {
    await etcd?.stop();
    await home.cleanup();
  });

  test('a full quota raises NOSPACE: health is critical and status shows the alarm', async () => {
    const value = Buffer.alloc(512 * 1024, 'x').toString('base64');
    let rejected = false;
    for (let index = 0; index < 40 && !rejected; index += 1) {
      const response = await fetch(`${etcd.clientUrl}/v3/kv/put`, {
        method: 'POST',
        body: JSON.stringify({ key: Buffer.from(`k${index}`).toString('base64'), value }),
      });
      rejected = (await response.text()).includes('database space exceeded');
    }
    assert.ok(rejected, 'puts are rejected once the quota is full');
    const endpoint = `etcd://${etcd.clientUrl.replace('http://', '')}`;
    const health = await home.run(['health', '-e', endpoint, '-o', 'json']);
    assert.equal(health.code, 1);
    const report = JSON.parse(health.stdout) as {
      result: { verdict: string; reasons: { code: string; severity: string }[] };
    };
    assert.equal(report.result.verdict, 'critical');
    assert.ok(
      report.result.reasons.some(
        (reason) => reason.code === 'ALARM_NOSPACE' && reason.severity === 'critical',
      ),
    );
    const status = await home.run(['status', '-e', endpoint]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /alarm NOSPACE/);
  });
});
