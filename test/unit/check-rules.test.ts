// Every check rule fires on facts that break it and stays silent on facts that do not.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildCheckFacts, type CheckFacts, type CheckInput } from '../../core/check/facts.js';
import type { EndpointCertificate, HashCheck } from '../../core/check/observations.js';
import { CHECK_RULES, checkRuleInfo } from '../../core/check/rules/index.js';
import { assembleClusterStatus } from '../../core/cluster-status.js';
import { catalogProblems, type Finding } from '../../core/findings.js';
import { summarizeGroups } from '../../core/groups.js';
import type { Histogram } from '../../core/histogram.js';
import type { MetricSample } from '../../core/metrics/sample.js';
import type {
  Attributes,
  ClusterAlarm,
  ClusterStatus,
  MemberStatus,
  RaftGroupStatus,
  SystemKind,
} from '../../core/model.js';
import { reachableMember, unreachableMember } from '../support/members.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const EARLIER = new Date(NOW.getTime() - 5000);
const DAY = 86_400_000;

const leader = (overrides: Partial<MemberStatus> = {}) =>
  reachableMember('n1', { role: 'leader', ...overrides });
const follower = reachableMember;

function status(
  members: MemberStatus[],
  options: {
    kind?: SystemKind;
    at?: Date;
    alarms?: ClusterAlarm[];
    attributes?: Attributes;
    groups?: RaftGroupStatus[];
  } = {},
): ClusterStatus {
  return assembleClusterStatus({
    cluster: 'test',
    kind: options.kind ?? 'etcd',
    members,
    observedAt: options.at ?? NOW,
    ...(options.alarms !== undefined && { alarms: options.alarms }),
    ...(options.attributes !== undefined && { attributes: options.attributes }),
    ...(options.groups !== undefined && { groups: summarizeGroups(options.groups) }),
  });
}

const healthyThree = (overrides: Partial<MemberStatus> = {}) => [
  leader(overrides),
  follower('n2', overrides),
  follower('n3', overrides),
];

/** Facts of one reading (no window) unless `before` is given. */
function facts(
  current: ClusterStatus,
  extra: Partial<Omit<CheckInput, 'status'>> = {},
): CheckFacts {
  return buildCheckFacts({
    statusBefore: extra.statusBefore ?? current,
    status: current,
    certificates: extra.certificates ?? [],
    now: NOW,
    ...(extra.samples !== undefined && { samples: extra.samples }),
    ...(extra.hashes !== undefined && { hashes: extra.hashes }),
  });
}

const BOUNDS = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, Infinity];

/** A cumulative histogram with `counts[i]` observations in bucket i. */
function histogram(counts: number[]): Histogram {
  let running = 0;
  const buckets = BOUNDS.map((le, index) => {
    running += counts[index] ?? 0;
    return { le, count: running };
  });
  return { buckets, sum: 0, count: running };
}

function sample(
  members: Record<string, { wal?: Histogram; commit?: Histogram; failed?: number }>,
): MetricSample {
  return {
    members: Object.entries(members).map(([memberId, values]) => ({
      memberId,
      values: values.failed === undefined ? {} : { quorum_proposals_failed_total: values.failed },
      quantiles: {},
      histograms: {
        ...(values.wal !== undefined && { quorum_wal_fsync_duration_seconds: values.wal }),
        ...(values.commit !== undefined && {
          quorum_backend_commit_duration_seconds: values.commit,
        }),
      },
    })),
    errors: [],
  };
}

function certificate(
  endpoint: string,
  notAfter: Date,
  notBefore = new Date(0),
): EndpointCertificate {
  return {
    endpoint,
    notAfter: notAfter.toISOString(),
    notBefore: notBefore.toISOString(),
    subject: 'CN=127.0.0.1',
    issuer: 'CN=test-ca',
  };
}

function hashes(values: [string, number, number?][]): HashCheck {
  return {
    revision: 42,
    members: values.map(([name, hash, compactRevision]) => ({
      id: `id-${name}`,
      name,
      endpoint: `http://${name}:2379`,
      hash,
      compactRevision: compactRevision ?? -1,
    })),
  };
}

function findingsOf(id: string, checkFacts: CheckFacts): Finding[] {
  const rule = CHECK_RULES.find((candidate) => candidate.info.id === id);
  assert.ok(rule, `rule ${id} exists`);
  return rule.evaluate(checkFacts);
}

interface Case {
  /** Facts that break the rule, and the severity the finding must have. */
  fires: () => CheckFacts;
  severity?: Finding['severity'];
  /** Part of the message, the subject, or both. */
  message?: RegExp;
  subject?: string;
  silent: () => CheckFacts;
}

const quota = (used: number) => ({ dbSizeBytes: used, quotaBytes: 1000 });
const group = (id: string, healthy: number, hasLeader = true): RaftGroupStatus => ({
  id,
  type: 'stream',
  ...(hasLeader && { leader: 'n1' }),
  replicas: 3,
  healthyReplicas: healthy,
  problems: [],
});
const zkMember = (name: string, attributes: Attributes, overrides: Partial<MemberStatus> = {}) =>
  reachableMember(name, { attributes, ...overrides });

const CASES: Record<string, Case> = {
  'CLUSTER-NO-QUORUM': {
    fires: () => facts(status([leader(), unreachableMember('n2'), unreachableMember('n3')])),
    severity: 'critical',
    message: /no quorum: 1 of 3 voters reachable/,
    silent: () => facts(status(healthyThree())),
  },
  'CLUSTER-NO-LEADER': {
    fires: () =>
      facts(
        status([
          follower('n1', { role: 'unknown' }),
          follower('n2', { role: 'unknown' }),
          follower('n3', { role: 'unknown' }),
        ]),
      ),
    severity: 'critical',
    silent: () => facts(status(healthyThree())),
  },
  'CLUSTER-QUORUM-MARGIN': {
    fires: () => facts(status([leader(), follower('n2'), unreachableMember('n3')])),
    severity: 'warn',
    message: /quorum margin 0/,
    silent: () => facts(status(healthyThree())),
  },
  'CLUSTER-MEMBER-UNREACHABLE': {
    fires: () => facts(status([leader(), follower('n2'), unreachableMember('n3')])),
    severity: 'warn',
    subject: 'n3',
    message: /connection refused/,
    silent: () => facts(status(healthyThree())),
  },
  'CLUSTER-LEADER-DISAGREEMENT': {
    fires: () => facts(status([leader(), follower('n2'), follower('n3', { leaderId: 'id-n2' })])),
    severity: 'warn',
    subject: 'n3',
    silent: () => facts(status(healthyThree())),
  },
  'CLUSTER-MEMBER-LAGGING': {
    fires: () =>
      facts(
        status([
          leader({ commitIndex: 5000 }),
          follower('n2', { commitIndex: 5000 }),
          follower('n3'),
        ]),
      ),
    severity: 'warn',
    subject: 'n3',
    message: /4900 entries behind/,
    silent: () => facts(status(healthyThree())),
  },
  'CLUSTER-QUOTA-HIGH': {
    // 76% is high for NATS (natscli's 75%) but not for etcd (80%).
    fires: () => facts(status(healthyThree(quota(760)), { kind: 'nats' })),
    severity: 'warn',
    message: /76\.0% of its quota/,
    silent: () => facts(status(healthyThree(quota(760)))),
  },
  'CLUSTER-QUOTA-NEARLY-FULL': {
    fires: () => facts(status(healthyThree(quota(960)))),
    severity: 'critical',
    silent: () => facts(status(healthyThree(quota(940)))),
  },
  'CLUSTER-ALARM': {
    fires: () =>
      facts(status(healthyThree(), { alarms: [{ memberId: 'id-n2', alarm: 'NOSPACE' }] })),
    severity: 'critical',
    subject: 'n2',
    silent: () => facts(status(healthyThree())),
  },
  'CLUSTER-GROUPS-LEADERLESS': {
    fires: () =>
      facts(
        status(healthyThree(), { kind: 'nats', groups: [group('S1', 1, false), group('S2', 3)] }),
      ),
    severity: 'critical',
    message: /S1/,
    silent: () => facts(status(healthyThree(), { kind: 'nats', groups: [group('S2', 3)] })),
  },
  'CLUSTER-GROUPS-UNDER-REPLICATED': {
    fires: () => facts(status(healthyThree(), { kind: 'nats', groups: [group('S1', 2)] })),
    severity: 'warn',
    silent: () => facts(status(healthyThree(), { kind: 'nats', groups: [group('S1', 3)] })),
  },
  'CLUSTER-HEALTH-OTHER': {
    fires: () => {
      const checkFacts = facts(status(healthyThree()));
      checkFacts.health.reasons.push({
        severity: 'degraded',
        code: 'SOMETHING_NEW',
        message: 'new',
      });
      return checkFacts;
    },
    severity: 'warn',
    message: /new/,
    // Reasons other rules claim are not reported twice.
    silent: () => facts(status([leader(), follower('n2'), unreachableMember('n3')])),
  },
  'CLUSTER-LEADER-CHANGES': {
    fires: () =>
      facts(
        status([
          follower('n1', { term: 6, leaderId: 'id-n2' }),
          leader({ id: 'id-n2', name: 'n2', term: 6 }),
          follower('n3', { term: 6, leaderId: 'id-n2' }),
        ]),
        { statusBefore: status(healthyThree(), { at: EARLIER }) },
      ),
    severity: 'warn',
    message: /1 leader election\(s\) in the last 5\.0 s: leader n1 -> n2, term 5 -> 6/,
    silent: () =>
      facts(status(healthyThree()), { statusBefore: status(healthyThree(), { at: EARLIER }) }),
  },
  'CLUSTER-EVEN-VOTERS': {
    fires: () => facts(status([...healthyThree(), follower('n4')])),
    severity: 'warn',
    message: /4 voters, an even number: they tolerate 1 failure\(s\), as 3 would/,
    silent: () =>
      facts(status([...healthyThree(), follower('n4', { voter: false, role: 'learner' })])),
  },
  'CLUSTER-TOO-MANY-VOTERS': {
    fires: () =>
      facts(
        status([
          leader(),
          ...['n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9'].map((name) => follower(name)),
        ]),
      ),
    severity: 'warn',
    silent: () =>
      facts(
        status([leader(), ...['n2', 'n3', 'n4', 'n5', 'n6', 'n7'].map((name) => follower(name))]),
      ),
  },
  'CLUSTER-LEARNER-STALLED': {
    fires: () =>
      facts(
        status([
          ...healthyThree({ commitIndex: 1000 }),
          follower('n4', { role: 'learner', voter: false, commitIndex: 300 }),
        ]),
        {
          statusBefore: status(
            [
              ...healthyThree({ commitIndex: 900 }),
              follower('n4', { role: 'learner', voter: false, commitIndex: 300 }),
            ],
            { at: EARLIER },
          ),
        },
      ),
    severity: 'warn',
    subject: 'n4',
    message: /700 entries behind, 600 5\.0 s earlier/,
    silent: () =>
      facts(
        status([
          ...healthyThree({ commitIndex: 1000 }),
          follower('n4', { role: 'learner', voter: false, commitIndex: 800 }),
        ]),
        {
          statusBefore: status(
            [
              ...healthyThree({ commitIndex: 900 }),
              follower('n4', { role: 'learner', voter: false, commitIndex: 300 }),
            ],
            { at: EARLIER },
          ),
        },
      ),
  },
  'TLS-CERT-EXPIRY': {
    fires: () =>
      facts(status(healthyThree()), {
        certificates: [certificate('http://n2:2379', new Date(NOW.getTime() + 10 * DAY))],
      }),
    severity: 'warn',
    subject: 'n2 (http://n2:2379)',
    message: /expires in 10\.0 days/,
    silent: () =>
      facts(status(healthyThree()), {
        certificates: [certificate('http://n2:2379', new Date(NOW.getTime() + 60 * DAY))],
      }),
  },
  'ETCD-FSYNC-P99': {
    fires: () =>
      facts(status(healthyThree()), {
        statusBefore: status(healthyThree(), { at: EARLIER }),
        samples: {
          before: sample({ 'id-n2': { wal: histogram([10]) } }),
          after: sample({ 'id-n2': { wal: histogram([10, 0, 0, 0, 0, 100]) } }),
        },
      }),
    severity: 'warn',
    subject: 'n2',
    message: /WAL fsync p99 31\.8 ms over the last 5\.0 s \(100 fsyncs\), above 10\.0 ms/,
    silent: () =>
      facts(status(healthyThree()), {
        samples: {
          before: sample({ 'id-n2': { wal: histogram([10]) } }),
          after: sample({ 'id-n2': { wal: histogram([110]) } }),
        },
      }),
  },
  'ETCD-COMMIT-P99': {
    fires: () =>
      facts(status(healthyThree()), {
        samples: { after: sample({ 'id-n3': { commit: histogram([0, 0, 0, 0, 0, 0, 50]) } }) },
      }),
    severity: 'warn',
    subject: 'n3',
    message: /over the member's lifetime \(50 commits/,
    // Too few observations to judge, however slow they were.
    silent: () =>
      facts(status(healthyThree()), {
        samples: { after: sample({ 'id-n3': { commit: histogram([0, 0, 0, 0, 0, 0, 5]) } }) },
      }),
  },
  'ETCD-FAILED-PROPOSALS': {
    fires: () =>
      facts(status(healthyThree()), {
        statusBefore: status(healthyThree(), { at: EARLIER }),
        samples: {
          before: sample({ 'id-n1': { failed: 3 } }),
          after: sample({ 'id-n1': { failed: 12 } }),
        },
      }),
    severity: 'warn',
    subject: 'n1',
    message: /9 proposals failed/,
    silent: () =>
      facts(status(healthyThree()), {
        statusBefore: status(healthyThree(), { at: EARLIER }),
        samples: {
          before: sample({ 'id-n1': { failed: 3 } }),
          after: sample({ 'id-n1': { failed: 5 } }),
        },
      }),
  },
  'CLUSTER-QUOTA-ETA': {
    fires: () =>
      facts(status(healthyThree({ dbSizeBytes: 60_000, quotaBytes: 100_000 })), {
        statusBefore: status(healthyThree({ dbSizeBytes: 50_000, quotaBytes: 100_000 }), {
          at: EARLIER,
        }),
      }),
    severity: 'warn',
    message:
      /\(2000 B\/s\) the database reaches its quota in about 20 s \(a short-window estimate\)/,
    silent: () =>
      facts(status(healthyThree({ dbSizeBytes: 60_000, quotaBytes: 100_000 })), {
        statusBefore: status(healthyThree({ dbSizeBytes: 60_000, quotaBytes: 100_000 }), {
          at: EARLIER,
        }),
      }),
  },
  'ETCD-FRAGMENTATION': {
    fires: () =>
      facts(status(healthyThree({ dbSizeBytes: 200 * 2 ** 20, dbSizeInUseBytes: 50 * 2 ** 20 }))),
    severity: 'warn',
    message: /50 MiB of 200 MiB in use \(25%\)/,
    // Mostly free, but below 100 MiB: not worth a defragmentation.
    silent: () =>
      facts(status(healthyThree({ dbSizeBytes: 80 * 2 ** 20, dbSizeInUseBytes: 10 * 2 ** 20 }))),
  },
  'ETCD-HASH-MISMATCH': {
    fires: () =>
      facts(status(healthyThree()), {
        hashes: hashes([
          ['n1', 111],
          ['n2', 111],
          ['n3', 999],
        ]),
      }),
    severity: 'critical',
    subject: 'n3',
    message: /n3's hash at revision 42 is 999, 2 of 3 members have 111/,
    // A member compacted elsewhere is not compared.
    silent: () =>
      facts(status(healthyThree()), {
        hashes: hashes([
          ['n1', 111, 10],
          ['n2', 111, 10],
          ['n3', 999, 20],
        ]),
      }),
  },
  'ZK-SYNCED-FOLLOWERS': {
    fires: () =>
      facts(status(healthyThree(), { kind: 'zookeeper', attributes: { syncedFollowers: 1 } })),
    severity: 'warn',
    message: /1 synced follower\(s\) of 2/,
    silent: () =>
      facts(status(healthyThree(), { kind: 'zookeeper', attributes: { syncedFollowers: 2 } })),
  },
  'ZK-OUTSTANDING-REQUESTS': {
    fires: () =>
      facts(
        status([leader(), zkMember('n2', { outstandingRequests: 50 }), follower('n3')], {
          kind: 'zookeeper',
        }),
      ),
    severity: 'warn',
    subject: 'n2',
    silent: () =>
      facts(
        status([leader(), zkMember('n2', { outstandingRequests: 10 }), follower('n3')], {
          kind: 'zookeeper',
        }),
      ),
  },
  'ZK-LATENCY-AVG': {
    fires: () =>
      facts(
        status([leader(), zkMember('n2', { latencyAvgMs: 150 }), follower('n3')], {
          kind: 'zookeeper',
        }),
      ),
    severity: 'critical',
    subject: 'n2',
    message: /average request latency 150 ms \(above 100 ms\)/,
    silent: () =>
      facts(
        status([leader(), zkMember('n2', { latencyAvgMs: 3 }), follower('n3')], {
          kind: 'zookeeper',
        }),
      ),
  },
  'ZK-LATENCY-MAX': {
    fires: () =>
      facts(
        status([leader(), zkMember('n2', { latencyMaxMs: 5000 }), follower('n3')], {
          kind: 'zookeeper',
        }),
      ),
    severity: 'warn',
    subject: 'n2',
    silent: () =>
      facts(
        status([leader(), zkMember('n2', { latencyMaxMs: 300 }), follower('n3')], {
          kind: 'zookeeper',
        }),
      ),
  },
  'ZK-ZXID-AHEAD': {
    fires: () =>
      facts(
        status(
          [
            leader({ attributes: { zxid: '0x100000005' } }),
            zkMember('n2', { zxid: '0x200000001' }),
            zkMember('n3', { zxid: '0x100000005' }),
          ],
          { kind: 'zookeeper' },
        ),
      ),
    severity: 'critical',
    subject: 'n2',
    message: /beyond the leader n1 at 0x100000005 \(a newer epoch\)/,
    silent: () =>
      facts(
        status(
          [
            leader({ attributes: { zxid: '0x100000005' } }),
            zkMember('n2', { zxid: '0x100000004' }),
            zkMember('n3', { zxid: '0x100000005' }),
          ],
          { kind: 'zookeeper' },
        ),
      ),
  },
  'KRAFT-LAG-TIME': {
    fires: () =>
      facts(
        status([leader(), follower('n2', { lagSeconds: 3.5 }), follower('n3', { lagSeconds: 0 })], {
          kind: 'kraft',
        }),
      ),
    severity: 'warn',
    subject: 'n2',
    message: /3500 ms behind the leader/,
    silent: () =>
      facts(
        status([leader(), follower('n2', { lagSeconds: 0.2 }), follower('n3', { lagSeconds: 0 })], {
          kind: 'kraft',
        }),
      ),
  },
};

describe('check rule catalog', () => {
  test('IDs are unique and every entry is complete, scoped to check, with a docs anchor', () => {
    assert.deepEqual(catalogProblems(CHECK_RULES), []);
    for (const { info } of CHECK_RULES) {
      assert.equal(info.scope, 'check');
      assert.equal(info.docs, `docs/checks.md#${info.id.toLowerCase()}`);
      assert.match(
        info.source,
        /chaos-observability-checks\.md|\[derived\]/,
        `${info.id} cites a source`,
      );
    }
  });

  test('every rule has a firing and a silent case below', () => {
    assert.deepEqual(
      CHECK_RULES.map((rule) => rule.info.id).filter((id) => !(id in CASES)),
      [],
    );
  });

  test('checkRuleInfo finds rules case-insensitively and nothing else', () => {
    assert.equal(checkRuleInfo('etcd-fsync-p99')?.id, 'ETCD-FSYNC-P99');
    assert.equal(checkRuleInfo('ETCD-SIZE-1'), undefined);
  });
});

describe('check rules', () => {
  for (const [id, testCase] of Object.entries(CASES)) {
    test(`${id} fires`, () => {
      const found = findingsOf(id, testCase.fires());
      assert.ok(found.length > 0, `${id} found nothing`);
      const first = found[0]!;
      assert.equal(first.ruleId, id);
      if (testCase.severity !== undefined) assert.equal(first.severity, testCase.severity);
      if (testCase.message !== undefined) assert.match(first.message, testCase.message);
      if (testCase.subject !== undefined) assert.equal(first.subject, testCase.subject);
      assert.equal(first.docs, `docs/checks.md#${id.toLowerCase()}`);
    });
    test(`${id} stays silent`, () => {
      assert.deepEqual(findingsOf(id, testCase.silent()), []);
    });
  }

  test('severity escalates where the catalog says it does', () => {
    const expired = facts(status(healthyThree()), {
      certificates: [certificate('http://n1:2379', new Date(NOW.getTime() - DAY))],
    });
    assert.equal(findingsOf('TLS-CERT-EXPIRY', expired)[0]?.severity, 'critical');
    const slow = facts(status(healthyThree()), {
      samples: { after: sample({ 'id-n1': { wal: histogram([0, 0, 0, 0, 0, 0, 0, 40]) } }) },
    });
    // The +Inf bucket reports the highest finite bound (64 ms): warn, not the 1 s critical.
    assert.equal(findingsOf('ETCD-FSYNC-P99', slow)[0]?.severity, 'warn');
    const otherAlarm = facts(
      status(healthyThree(), { alarms: [{ memberId: 'id-n1', alarm: 'FOO' }] }),
    );
    assert.equal(findingsOf('CLUSTER-ALARM', otherAlarm)[0]?.severity, 'warn');
    const twoOfThreeMissing = facts(
      status(healthyThree(), { kind: 'zookeeper', attributes: { syncedFollowers: 0 } }),
    );
    assert.equal(findingsOf('ZK-SYNCED-FOLLOWERS', twoOfThreeMissing)[0]?.severity, 'critical');
  });

  test('hashes without a majority name every member', () => {
    const found = findingsOf(
      'ETCD-HASH-MISMATCH',
      facts(status(healthyThree()), {
        hashes: hashes([
          ['n1', 1],
          ['n2', 2],
        ]),
      }),
    );
    assert.deepEqual(
      found.map((finding) => finding.subject),
      ['n1', 'n2'],
    );
    assert.match(found[0]!.message, /no majority agrees: n1=1, n2=2/);
  });

  test('health and check agree: every health reason becomes exactly one finding', () => {
    const broken = status(
      [leader(quota(990)), follower('n2', { leaderId: 'id-n3' }), unreachableMember('n3')],
      { alarms: [{ memberId: 'id-n1', alarm: 'NOSPACE' }] },
    );
    const checkFacts = facts(broken);
    const fromHealth = CHECK_RULES.filter((rule) => rule.info.id.startsWith('CLUSTER-'))
      .flatMap((rule) => rule.evaluate(checkFacts))
      .filter(
        (finding) => !['CLUSTER-EVEN-VOTERS', 'CLUSTER-TOO-MANY-VOTERS'].includes(finding.ruleId),
      );
    assert.deepEqual(
      fromHealth.map((finding) => finding.message).sort(),
      checkFacts.health.reasons.map((reason) => reason.message).sort(),
    );
  });
});
