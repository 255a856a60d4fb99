// The facts check derives (p99 over a window, elections, growth), the report (skips, verdict)
// and the use case's sequence against a scripted adapter.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildCheckFacts, latencyP99, leaderElections } from '../../core/check/facts.js';
import type { EndpointCertificate, HashCheck, MemberRef } from '../../core/check/observations.js';
import { buildCheckReport } from '../../core/check/report.js';
import { assembleClusterStatus } from '../../core/cluster-status.js';
import type { Histogram } from '../../core/histogram.js';
import type { MetricSample } from '../../core/metrics/sample.js';
import type { ClusterStatus, MemberStatus, SystemKind } from '../../core/model.js';
import type { Capability, ClusterAdapter } from '../../core/ports.js';
import { runCheck } from '../../ops/check.js';
import { checkHashes } from '../../systems/etcd/hash-kv.js';
import { HttpTransportError } from '../../systems/transport/http.js';
import { reachableMember, unreachableMember } from '../support/members.js';

const T0 = new Date('2026-06-01T12:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

function histogram(fast: number, slow: number): Histogram {
  // `fast` observations under 1 ms, `slow` ones between 32 and 64 ms.
  return {
    buckets: [
      { le: 0.001, count: fast },
      { le: 0.032, count: fast },
      { le: 0.064, count: fast + slow },
      { le: Infinity, count: fast + slow },
    ],
    sum: 0,
    count: fast + slow,
  };
}

function status(members: MemberStatus[], when = T0, kind: SystemKind = 'etcd'): ClusterStatus {
  return assembleClusterStatus({ cluster: 'c', kind, members, observedAt: when });
}

const three = (overrides: Partial<MemberStatus> = {}) => [
  reachableMember('n1', { role: 'leader', ...overrides }),
  reachableMember('n2', overrides),
  reachableMember('n3', overrides),
];

describe('latencyP99', () => {
  test('over the window when it saw enough observations', () => {
    const measured = latencyP99(histogram(100, 0), histogram(100, 50), 20);
    assert.equal(measured?.basis, 'window');
    assert.equal(measured?.observations, 50);
    const p99 = measured?.p99Seconds ?? 0;
    assert.ok(p99 > 0.032 && p99 <= 0.064, `${p99}`);
  });

  test('over the lifetime when the window saw too few, or the counters were reset', () => {
    assert.deepEqual(latencyP99(histogram(100, 0), histogram(105, 0), 20)?.basis, 'lifetime');
    const reset = latencyP99(histogram(100, 0), histogram(30, 0), 20);
    assert.equal(reset?.basis, 'lifetime');
    assert.equal(reset?.observations, 30);
    assert.equal(latencyP99(undefined, histogram(30, 0), 20)?.basis, 'lifetime');
  });

  test('nothing without a histogram or without observations', () => {
    assert.equal(latencyP99(histogram(1, 0), undefined, 20), undefined);
    assert.equal(latencyP99(undefined, histogram(0, 0), 20), undefined);
  });
});

describe('leaderElections', () => {
  test('the term increase counts every election, also without a new leader', () => {
    const before = status(three({ term: 5 }));
    assert.equal(leaderElections(before, status(three({ term: 7 }))).count, 2);
  });

  test('another leader at the same term (no terms, e.g. NATS) is one election', () => {
    const before = status(three({ term: undefined }), T0, 'nats');
    const after = status(
      [
        reachableMember('n1', { term: undefined, leaderId: 'id-n2' }),
        reachableMember('n2', { role: 'leader', term: undefined, leaderId: 'id-n2' }),
        reachableMember('n3', { term: undefined, leaderId: 'id-n2' }),
      ],
      at(5),
      'nats',
    );
    const elections = leaderElections(before, after);
    assert.equal(elections.count, 1);
    assert.equal(elections.leaderBefore, 'id-n1');
    assert.equal(elections.leaderAfter, 'id-n2');
  });

  test('none when nothing changed', () => {
    assert.equal(leaderElections(status(three()), status(three(), at(5))).count, 0);
  });
});

describe('buildCheckFacts', () => {
  test('growth and time to quota come from the two statuses; shrinking has no estimate', () => {
    const facts = buildCheckFacts({
      statusBefore: status(three({ dbSizeBytes: 1000, quotaBytes: 11_000 })),
      status: status(
        [
          reachableMember('n1', { role: 'leader', dbSizeBytes: 3000, quotaBytes: 11_000 }),
          reachableMember('n2', { dbSizeBytes: 500, quotaBytes: 11_000 }),
          reachableMember('n3', { dbSizeBytes: 1000, quotaBytes: 11_000 }),
        ],
        at(4),
      ),
      certificates: [],
      now: at(4),
    });
    assert.equal(facts.windowSeconds, 4);
    const [n1, n2, n3] = facts.measurements;
    assert.equal(n1?.dbGrowthBytesPerSecond, 500);
    assert.equal(n1?.quotaExhaustionSeconds, 16);
    assert.equal(n2?.dbGrowthBytesPerSecond, -125);
    assert.equal(n2?.quotaExhaustionSeconds, undefined);
    assert.equal(n3?.quotaExhaustionSeconds, undefined);
  });

  test("health is judged with the kind's thresholds (NATS: natscli's 75%)", () => {
    const nearlyFull = three({ dbSizeBytes: 91, quotaBytes: 100 });
    const nats = buildCheckFacts({
      statusBefore: status(nearlyFull, T0, 'nats'),
      status: status(nearlyFull, T0, 'nats'),
      certificates: [],
      now: T0,
    });
    assert.equal(nats.health.verdict, 'critical');
    const etcd = buildCheckFacts({
      statusBefore: status(nearlyFull),
      status: status(nearlyFull),
      certificates: [],
      now: T0,
    });
    assert.equal(etcd.health.verdict, 'degraded');
  });
});

describe('buildCheckReport', () => {
  const oneReading = (members = three()) =>
    buildCheckFacts({
      statusBefore: status(members),
      status: status(members),
      certificates: [],
      now: T0,
    });

  test('only the rules of the kind; those missing a fact are skipped with the reason', () => {
    const report = buildCheckReport(oneReading(), 'critical');
    const byId = new Map(report.rules.map((rule) => [rule.id, rule]));
    assert.ok(!byId.has('ZK-LATENCY-AVG'));
    assert.equal(byId.get('CLUSTER-LEADER-CHANGES')?.outcome, 'skipped');
    assert.match(
      byId.get('CLUSTER-LEADER-CHANGES')?.skippedBecause ?? '',
      /--window greater than 0/,
    );
    assert.match(byId.get('ETCD-FSYNC-P99')?.skippedBecause ?? '', /no metric sample/);
    assert.equal(byId.get('ETCD-HASH-MISMATCH')?.outcome, 'skipped');
    assert.equal(byId.get('TLS-CERT-EXPIRY')?.skippedBecause, 'no TLS endpoint');
    assert.equal(byId.get('CLUSTER-NO-QUORUM')?.outcome, 'pass');
    assert.equal(report.verdict, 'pass');
    assert.equal(report.health, 'ok');
  });

  test('the verdict follows --fail-on; rules that fired are marked', () => {
    const members = [...three(), unreachableMember('n4'), reachableMember('n5')];
    const critical = buildCheckReport(oneReading(members), 'critical');
    assert.equal(critical.verdict, 'pass');
    assert.equal(
      critical.rules.find((rule) => rule.id === 'CLUSTER-MEMBER-UNREACHABLE')?.outcome,
      'fail',
    );
    const warn = buildCheckReport(oneReading(members), 'warn');
    assert.equal(warn.verdict, 'fail');
    assert.deepEqual(warn.counts, { critical: 0, warn: 1, info: 0 });
  });

  test('certificates that could not be read skip the TLS rule instead of passing it', () => {
    const facts = buildCheckFacts({
      statusBefore: status(three()),
      status: status(three()),
      certificates: [{ endpoint: 'https://n1:2379', error: { code: 'TIMEOUT', message: 'slow' } }],
      now: T0,
    });
    const report = buildCheckReport(facts, 'critical');
    assert.match(
      report.rules.find((rule) => rule.id === 'TLS-CERT-EXPIRY')?.skippedBecause ?? '',
      /no certificate could be read/,
    );
  });
});

/** An adapter that answers from scripts and records what it was asked. */
function scriptedAdapter(
  statuses: ClusterStatus[],
  options: {
    samples?: MetricSample[];
    hashes?: (members: readonly MemberRef[]) => Promise<HashCheck>;
  } = {},
) {
  const calls: string[] = [];
  const capabilities = new Set<Capability>(['status']);
  if (options.samples !== undefined) capabilities.add('metrics');
  if (options.hashes !== undefined) capabilities.add('hashCheck');
  const adapter: ClusterAdapter = {
    kind: statuses[0]!.kind,
    capabilities,
    status: () => {
      calls.push('status');
      const next = statuses.shift();
      assert.ok(next, 'status asked more often than scripted');
      return Promise.resolve(next);
    },
    ...(options.samples !== undefined && {
      metricSample: () => {
        calls.push('metricSample');
        const next = options.samples!.shift();
        return next === undefined
          ? Promise.reject(new Error('no more samples'))
          : Promise.resolve(next);
      },
    }),
    ...(options.hashes !== undefined && {
      hashCheck: (members: readonly MemberRef[]) => {
        calls.push(`hashCheck ${members.map((member) => member.name).join(',')}`);
        return options.hashes!(members);
      },
    }),
    close: () => Promise.resolve(),
  };
  return { adapter, calls };
}

describe('runCheck', () => {
  const sample = (failed: number): MetricSample => ({
    members: [
      {
        memberId: 'id-n1',
        values: { quorum_proposals_failed_total: failed },
        quantiles: {},
        histograms: {},
      },
    ],
    errors: [{ memberId: 'id-n2', code: 'TIMEOUT', message: 'no answer' }],
  });

  test('status and sample, the window, status and sample again, then the hash check', async () => {
    const slept: number[] = [];
    const { adapter, calls } = scriptedAdapter(
      [status(three()), status([...three().slice(0, 2), unreachableMember('n3')], at(5))],
      {
        samples: [sample(1), sample(20)],
        hashes: (members) =>
          Promise.resolve({
            revision: 7,
            members: members.map((member) => ({ ...member, hash: 1, compactRevision: -1 })),
          }),
      },
    );
    const read: string[] = [];
    const report = await runCheck(adapter, {
      windowMs: 5000,
      failOn: 'critical',
      sleep: (ms) => {
        slept.push(ms);
        calls.push('sleep');
        return Promise.resolve();
      },
      readCertificate: (endpoint) => {
        read.push(endpoint);
        return Promise.resolve({ endpoint, error: { code: 'X', message: 'x' } });
      },
      now: () => at(5),
    });
    assert.deepEqual(calls, [
      'status',
      'metricSample',
      'sleep',
      'status',
      'metricSample',
      'hashCheck n1,n2',
    ]);
    assert.deepEqual(slept, [5000]);
    assert.deepEqual(read, [], 'no TLS endpoint, nothing read');
    assert.equal(report.windowSeconds, 5);
    assert.equal(report.measurements[0]?.failedProposalsInWindow, 19);
    assert.ok(report.findings.some((finding) => finding.ruleId === 'ETCD-FAILED-PROPOSALS'));
    assert.deepEqual(report.notes, ['metrics of n2 not read: no answer']);
    assert.equal(report.hashCheck?.revision, 7);
  });

  test('--window 0: one status, one sample, no sleep', async () => {
    const { adapter, calls } = scriptedAdapter([status(three())], { samples: [sample(1)] });
    const report = await runCheck(adapter, {
      windowMs: 0,
      failOn: 'critical',
      sleep: () => assert.fail('no window, no sleep'),
    });
    assert.deepEqual(calls, ['status', 'metricSample']);
    assert.equal(report.windowSeconds, 0);
  });

  test('certificates of https:// and tls:// members only; failures become notes', async () => {
    const members = [
      reachableMember('n1', { role: 'leader', endpoint: 'https://n1:2379' }),
      reachableMember('n2', { endpoint: 'tls://n2:2281' }),
      reachableMember('n3', { endpoint: 'http://n3:2379' }),
    ];
    const { adapter } = scriptedAdapter([status(members)]);
    const certificates: Record<string, EndpointCertificate> = {
      'https://n1:2379': {
        endpoint: 'https://n1:2379',
        notAfter: at(86_400 * 5).toISOString(),
        notBefore: T0.toISOString(),
        subject: 'CN=n1',
        issuer: 'CN=ca',
      },
      'tls://n2:2281': {
        endpoint: 'tls://n2:2281',
        error: { code: 'ECONNRESET', message: 'reset' },
      },
    };
    const report = await runCheck(adapter, {
      windowMs: 0,
      failOn: 'critical',
      readCertificate: (endpoint) => Promise.resolve(certificates[endpoint]!),
      now: () => T0,
    });
    assert.deepEqual(report.certificates.map((certificate) => certificate.endpoint).sort(), [
      'https://n1:2379',
      'tls://n2:2281',
    ]);
    assert.deepEqual(report.notes, ['certificate of tls://n2:2281 not read: reset']);
    const expiry = report.findings.find((finding) => finding.ruleId === 'TLS-CERT-EXPIRY');
    assert.equal(expiry?.subject, 'n1 (https://n1:2379)');
  });

  test('a failing metric sample or hash check is a note, not a failed check', async () => {
    const { adapter } = scriptedAdapter([status(three())], {
      samples: [],
      hashes: () => Promise.reject(new Error('boom')),
    });
    const report = await runCheck(adapter, { windowMs: 0, failOn: 'critical' });
    assert.deepEqual(report.notes, [
      'metric sample not read: no more samples',
      'hash check failed: boom',
    ]);
    assert.equal(report.rules.find((rule) => rule.id === 'ETCD-FSYNC-P99')?.outcome, 'skipped');
  });
});

describe('checkHashes (etcd)', () => {
  const members: MemberRef[] = ['n1', 'n2', 'n3'].map((name) => ({
    id: `id-${name}`,
    name,
    endpoint: `http://${name}:2379`,
  }));

  test('every member hashes the lowest current revision', async () => {
    const asked: string[] = [];
    const revisions: Record<string, number> = {
      'http://n1:2379': 12,
      'http://n2:2379': 10,
      'http://n3:2379': 11,
    };
    const result = await checkHashes(members, {
      revisionOf: (endpoint) => Promise.resolve(revisions[endpoint]!),
      hashAt: (endpoint, revision) => {
        asked.push(`${endpoint}@${revision}`);
        return Promise.resolve({ hash: 5, compactRevision: 3 });
      },
    });
    assert.equal(result.revision, 10);
    assert.deepEqual(asked.sort(), ['http://n1:2379@10', 'http://n2:2379@10', 'http://n3:2379@10']);
    assert.deepEqual(result.members[0], { ...members[0], hash: 5, compactRevision: 3 });
  });

  test('a member that fails either call carries its error; the others still compare', async () => {
    const result = await checkHashes(members, {
      revisionOf: (endpoint) =>
        endpoint.includes('n3')
          ? Promise.reject(new HttpTransportError('ECONNREFUSED', endpoint, 'refused'))
          : Promise.resolve(9),
      hashAt: (endpoint) =>
        endpoint.includes('n2')
          ? Promise.reject(new Error('mvcc: required revision has been compacted'))
          : Promise.resolve({ hash: 1, compactRevision: -1 }),
    });
    assert.equal(result.revision, 9);
    assert.ok('hash' in result.members[0]!);
    assert.deepEqual((result.members[1] as { error: unknown }).error, {
      code: 'UNKNOWN',
      message: 'mvcc: required revision has been compacted',
    });
    assert.deepEqual((result.members[2] as { error: unknown }).error, {
      code: 'ECONNREFUSED',
      message: 'refused',
    });
  });

  test("nobody answers: revision 0 and every member's error", async () => {
    const result = await checkHashes(members, {
      revisionOf: () => Promise.reject(new Error('down')),
      hashAt: () => assert.fail('not asked'),
    });
    assert.equal(result.revision, 0);
    assert.ok(result.members.every((member) => 'error' in member));
  });
});
