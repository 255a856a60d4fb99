// quorumctl check's use case against real etcd 3.4: a healthy sandbox, a member stopped, an
// even member count with a nearly full quota, and a certificate that expires in 10 days.
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CheckReport } from '../../core/check/report.js';
import type { Finding } from '../../core/findings.js';
import type { ConnectOptions } from '../../core/ports.js';
import { runCheck } from '../../ops/check.js';
import { allocatePorts } from '../../sandbox/ports.js';
import { sandboxDown, sandboxUp, stopMember, type SandboxRecord } from '../../sandbox/index.js';
import { connect } from '../../systems/etcd/adapter.js';
import { readCertificate } from '../../systems/transport/tls-certificate.js';
import {
  createTlsFiles,
  startStandaloneEtcd,
  type StandaloneEtcd,
  type TlsFiles,
} from '../support/standalone-etcd.js';

/** Disk latency depends on this machine's disk, not on the scenario: left out of exact sets. */
const DISK_RULES = new Set(['ETCD-FSYNC-P99', 'ETCD-COMMIT-P99']);

function scenarioFindings(report: CheckReport): string[] {
  return report.findings
    .filter((finding) => !DISK_RULES.has(finding.ruleId))
    .map((finding) => `${finding.ruleId} ${finding.severity} ${finding.subject ?? '-'}`)
    .sort();
}

async function check(
  endpoints: string[],
  options: Partial<ConnectOptions> = {},
  windowMs = 1000,
): Promise<CheckReport> {
  const adapter = connect({ name: 'it', kind: 'etcd', endpoints }, { timeoutMs: 2000, ...options });
  return runCheck(adapter, {
    windowMs,
    failOn: 'critical',
    readCertificate: (endpoint) => readCertificate(endpoint, { timeoutMs: 2000 }),
  });
}

describe('check against a real 3-member etcd sandbox', { timeout: 120_000 }, () => {
  let stateDir: string;
  let record: SandboxRecord;

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-check-it-'));
    record = await sandboxUp({ stateDir, name: 'check', kind: 'etcd', members: 3 });
  });

  after(async () => {
    await sandboxDown(stateDir, 'check', { graceMs: 1000 }).catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  });

  test('a healthy cluster: no critical finding, HashKV agrees at one revision, p99s measured', async () => {
    const report = await check([record.endpoints[0]!]);
    assert.equal(report.counts.critical, 0, JSON.stringify(report.findings, null, 2));
    assert.equal(report.verdict, 'pass');
    assert.deepEqual(scenarioFindings(report), []);
    assert.equal(report.health, 'ok');
    assert.ok(report.windowSeconds >= 1 && report.windowSeconds < 5, `${report.windowSeconds}`);
    // The gRPC HashKV answered on every member, with one hash.
    const hashes = report.hashCheck?.members ?? [];
    assert.equal(hashes.length, 3);
    assert.equal(
      new Set(hashes.map((member) => ('hash' in member ? member.hash : 'error'))).size,
      1,
    );
    assert.ok(report.hashCheck!.revision >= 1);
    // /metrics was read twice: every member has a WAL fsync p99 (window or lifetime).
    assert.ok(report.measurements.every((measured) => measured.walFsyncP99 !== undefined));
    assert.equal(report.elections.count, 0);
    const skipped = report.rules
      .filter((rule) => rule.outcome === 'skipped')
      .map((rule) => rule.id);
    assert.deepEqual(skipped, ['TLS-CERT-EXPIRY']);
  });

  test('a follower stopped: quorum margin 0 and that member unreachable, nothing else', async () => {
    const probe = await check([record.endpoints[0]!], {}, 0);
    const followers = probe.measurements.filter((measured) => measured.memberId !== probe.leaderId);
    const victim = followers[0]!.name;
    await stopMember(stateDir, 'check', victim);
    const survivor = record.members.find((member) => member.name !== victim)!.clientUrl;
    const report = await check([survivor]);
    assert.deepEqual(scenarioFindings(report), [
      `CLUSTER-MEMBER-UNREACHABLE warn ${victim}`,
      'CLUSTER-QUORUM-MARGIN warn -',
    ]);
    assert.equal(report.health, 'degraded');
    const margin = report.findings.find((finding) => finding.ruleId === 'CLUSTER-QUORUM-MARGIN');
    assert.equal(margin?.observed, 0);
    // Two members still answer the hash check; the stopped one is not asked.
    assert.equal(report.hashCheck?.members.length, 2);
  });
});

/** A cluster of `count` etcd members on loopback with extra flags; stop() kills and deletes. */
async function startEtcdCluster(
  count: number,
  extraArgs: string[],
): Promise<{ clientUrls: string[]; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'quorumctl-check-cluster-'));
  const ports = await allocatePorts(count * 2);
  const names = Array.from({ length: count }, (_, index) => `m${index + 1}`);
  const peer = (index: number) => `http://127.0.0.1:${ports[index * 2 + 1]!}`;
  const clientUrls = names.map((_, index) => `http://127.0.0.1:${ports[index * 2]!}`);
  const initialCluster = names.map((name, index) => `${name}=${peer(index)}`).join(',');
  // One token for all: it seeds the cluster ID.
  const token = `check-${Date.now()}`;
  const children: ChildProcess[] = names.map((name, index) =>
    spawn(
      'etcd',
      [
        ...['--name', name, '--data-dir', join(dir, name)],
        ...[
          '--listen-client-urls',
          clientUrls[index]!,
          '--advertise-client-urls',
          clientUrls[index]!,
        ],
        ...['--listen-peer-urls', peer(index), '--initial-advertise-peer-urls', peer(index)],
        ...['--initial-cluster', initialCluster, '--initial-cluster-token', token],
        ...extraArgs,
      ],
      { stdio: 'ignore' },
    ),
  );
  const stop = async () => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const healthy = await Promise.all(
        clientUrls.map((url) =>
          fetch(`${url}/health`, { signal: AbortSignal.timeout(500) })
            .then(async (response) => (await response.text()).includes('"health":"true"'))
            .catch(() => false),
        ),
      );
      if (healthy.every(Boolean)) break;
      if (Date.now() > deadline) throw new Error(`etcd cluster of ${count} not healthy in 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { clientUrls, stop };
}

async function dbSizes(clientUrls: string[]): Promise<number[]> {
  return Promise.all(
    clientUrls.map(async (url) => {
      const response = await fetch(`${url}/v3/maintenance/status`, { method: 'POST', body: '{}' });
      const body = (await response.json()) as { dbSize?: string };
      return Number(body.dbSize ?? 0);
    }),
  );
}

describe(
  'check against 4 etcd members with a 1 MiB quota filled past 80%',
  { timeout: 120_000 },
  () => {
    const QUOTA = 2 * 1024 * 1024;
    let cluster: Awaited<ReturnType<typeof startEtcdCluster>>;

    before(async () => {
      cluster = await startEtcdCluster(4, ['--quota-backend-bytes', String(QUOTA)]);
      // 2 KiB values through the gateway until every member's database is past 82% of the
      // quota; members grow unevenly (each allocates its own pages), so sizes are read after
      // every put once near, to stop well below 95% (and NOSPACE).
      const value = Buffer.alloc(2048, 'x').toString('base64');
      let near = false;
      for (let index = 0; ; index += 1) {
        const key = Buffer.from(`/fill/${index}`).toString('base64');
        const put = await fetch(`${cluster.clientUrls[0]!}/v3/kv/put`, {
          method: 'POST',
          body: JSON.stringify({ key, value }),
        });
        assert.equal(put.status, 200, await put.text());
        if (!near && index % 16 !== 15) continue;
        const sizes = await dbSizes(cluster.clientUrls);
        near = sizes.some((size) => size >= 0.7 * QUOTA);
        if (sizes.every((size) => size >= 0.82 * QUOTA)) break;
        assert.ok(index < 5000, `database did not grow: ${sizes.join(', ')}`);
      }
      // Let the backends' batch commit (every 100 ms) settle, so the window sees no growth.
      await new Promise((resolve) => setTimeout(resolve, 500));
    });

    after(async () => {
      await cluster?.stop();
    });

    test('exactly: an even member count and every member over 80% of its quota', async () => {
      const report = await check([cluster.clientUrls[0]!]);
      assert.deepEqual(scenarioFindings(report), [
        'CLUSTER-EVEN-VOTERS warn -',
        'CLUSTER-QUOTA-HIGH warn m1',
        'CLUSTER-QUOTA-HIGH warn m2',
        'CLUSTER-QUOTA-HIGH warn m3',
        'CLUSTER-QUOTA-HIGH warn m4',
      ]);
      const even = report.findings.find((finding) => finding.ruleId === 'CLUSTER-EVEN-VOTERS');
      assert.match(
        even!.message,
        /4 voters, an even number: they tolerate 1 failure\(s\), as 3 would/,
      );
      const quota = report.findings.find((finding) => finding.ruleId === 'CLUSTER-QUOTA-HIGH')!;
      assert.match(String(quota.observed), /^(8\d|9[0-4])(\.\d)?%$/);
      assert.equal(quota.threshold, '80%');
      assert.equal(report.verdict, 'pass', 'warnings do not fail --fail-on critical');
      // No growth during the window: no exhaustion estimate.
      assert.ok(
        report.measurements.every((measured) => measured.quotaExhaustionSeconds === undefined),
      );
    });
  },
);

describe(
  'check of an etcd member whose certificate expires in 10 days',
  { timeout: 60_000 },
  () => {
    let files: TlsFiles;
    let etcd: StandaloneEtcd;
    let tls: ConnectOptions['tls'];

    before(async () => {
      files = await createTlsFiles();
      const tenDays = join(files.dir, 'server-10d.pem');
      execFileSync(
        'openssl',
        [
          ...['x509', '-req', '-in', join(files.dir, 'server.csr'), '-CA', files.ca],
          ...['-CAkey', join(files.dir, 'ca.key'), '-CAcreateserial', '-out', tenDays],
          ...['-days', '10', '-extfile', join(files.dir, 'server.ext')],
        ],
        { stdio: 'ignore' },
      );
      tls = {
        ca: await readFile(files.ca, 'utf8'),
        cert: await readFile(files.clientCert, 'utf8'),
        key: await readFile(files.clientKey, 'utf8'),
      };
      etcd = await startStandaloneEtcd({ tlsFiles: files, serverCert: tenDays, readinessTls: tls });
    });

    after(async () => {
      await etcd?.stop();
      if (files !== undefined) await rm(files.dir, { recursive: true, force: true });
    });

    test('TLS-CERT-EXPIRY warns, naming the member, its endpoint and the date', async () => {
      const report = await check([etcd.clientUrl], tls === undefined ? {} : { tls }, 0);
      const expiry: Finding[] = report.findings.filter(
        (finding) => finding.ruleId === 'TLS-CERT-EXPIRY',
      );
      assert.equal(expiry.length, 1, JSON.stringify(report.findings, null, 2));
      assert.equal(expiry[0]!.severity, 'warn');
      assert.equal(expiry[0]!.subject, `s1 (${etcd.clientUrl})`);
      assert.match(expiry[0]!.message, /certificate CN=127\.0\.0\.1 expires in (9\.9|10\.0) days/);
      const certificate = report.certificates[0]!;
      assert.ok('notAfter' in certificate);
      const daysLeft = (Date.parse(certificate.notAfter) - Date.now()) / 86_400_000;
      assert.ok(daysLeft > 9.9 && daysLeft <= 10, `${daysLeft}`);
      // The probe offered no client certificate, though the member requires one (TLS 1.3).
      assert.equal(report.notes.filter((note) => note.startsWith('certificate')).length, 0);
    });
  },
);
