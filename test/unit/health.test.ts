// assessHealth: every reason code fires when it should and stays silent otherwise.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  assessHealth,
  DEFAULT_HEALTH_THRESHOLDS,
  type HealthReason,
  type HealthReport,
} from '../../core/health.js';
import { summarizeGroups } from '../../core/groups.js';
import type {
  ClusterAlarm,
  ClusterStatus,
  MemberStatus,
  RaftGroupStatus,
} from '../../core/model.js';
import { summarizeQuorum } from '../../core/quorum.js';
import { reachableMember, unreachableMember } from '../support/members.js';

const QUOTA = 1000;

const member = (name: string, overrides: Partial<MemberStatus> = {}): MemberStatus =>
  reachableMember(name, {
    term: 3,
    lagEntries: 0,
    dbSizeBytes: 100,
    quotaBytes: QUOTA,
    ...overrides,
  });

const down = unreachableMember;

/** A ClusterStatus whose quorum is computed from the members; n1 leads unless told otherwise. */
function cluster(
  members: MemberStatus[],
  options: { leaderId?: string | null; alarms?: ClusterAlarm[] } = {},
): ClusterStatus {
  const voters = members.filter((each) => each.voter);
  const status: ClusterStatus = {
    cluster: 'prod',
    kind: 'etcd',
    members,
    quorum: summarizeQuorum(voters.length, voters.filter((each) => each.reachable).length),
    alarms: options.alarms ?? [],
    observedAt: '2025-01-02T03:04:05.000Z',
  };
  const leaderId = options.leaderId === undefined ? 'id-n1' : options.leaderId;
  if (leaderId !== null) {
    status.leaderId = leaderId;
    status.term = 3;
  }
  return status;
}

const healthyThree = (): MemberStatus[] => [
  member('n1', { role: 'leader' }),
  member('n2'),
  member('n3'),
];

const codes = (report: HealthReport): string[] => report.reasons.map((reason) => reason.code);

function reason(report: HealthReport, code: string): HealthReason {
  const found = report.reasons.find((candidate) => candidate.code === code);
  assert.ok(found, `expected ${code} among ${codes(report).join(', ') || 'no reasons'}`);
  return found;
}

describe('assessHealth: a healthy cluster', () => {
  test('3 healthy members: ok, no reasons, leader and term carried over', () => {
    const report = assessHealth(cluster(healthyThree()));
    assert.equal(report.verdict, 'ok');
    assert.deepEqual(report.reasons, []);
    assert.equal(report.cluster, 'prod');
    assert.equal(report.kind, 'etcd');
    assert.equal(report.leaderId, 'id-n1');
    assert.equal(report.term, 3);
    assert.equal(report.observedAt, '2025-01-02T03:04:05.000Z');
    assert.deepEqual(report.quorum, summarizeQuorum(3, 3));
  });
});

describe('assessHealth: quorum reasons', () => {
  test('NO_QUORUM fires (critical) when a majority of voters is unreachable', () => {
    const report = assessHealth(
      cluster([member('n1', { role: 'unknown' }), down('n2'), down('n3')], { leaderId: null }),
    );
    assert.equal(report.verdict, 'critical');
    const noQuorum = reason(report, 'NO_QUORUM');
    assert.equal(noQuorum.severity, 'critical');
    assert.equal(noQuorum.message, 'no quorum: 1 of 3 voters reachable, majority is 2');
    assert.ok(!codes(report).includes('NO_LEADER'), 'no quorum implies no leader: not repeated');
    assert.ok(!codes(report).includes('NO_FAULT_TOLERANCE'));
  });

  test('NO_QUORUM stays silent with a bare majority', () => {
    const report = assessHealth(
      cluster([member('n1', { role: 'leader' }), member('n2'), down('n3')]),
    );
    assert.ok(!codes(report).includes('NO_QUORUM'));
  });

  test('NO_LEADER fires (critical) when quorum holds but nobody leads', () => {
    const report = assessHealth(cluster(healthyThree(), { leaderId: null }));
    assert.deepEqual(codes(report), ['NO_LEADER']);
    assert.equal(reason(report, 'NO_LEADER').severity, 'critical');
    assert.equal(report.verdict, 'critical');
    assert.equal('leaderId' in report, false);
    assert.equal('term' in report, false);
  });

  test('NO_FAULT_TOLERANCE fires (degraded) at margin 0 with a voter down', () => {
    const report = assessHealth(
      cluster([member('n1', { role: 'leader' }), member('n2'), down('n3')]),
    );
    const reasonFound = reason(report, 'NO_FAULT_TOLERANCE');
    assert.equal(reasonFound.severity, 'degraded');
    assert.match(reasonFound.message, /2 of 3 voters reachable, majority is 2/);
    assert.equal(report.verdict, 'degraded');

    const fourOneDown = assessHealth(
      cluster([member('n1', { role: 'leader' }), member('n2'), member('n3'), down('n4')]),
    );
    assert.ok(codes(fourOneDown).includes('NO_FAULT_TOLERANCE'), '4 voters, 1 down: margin 0');
  });

  test('NO_FAULT_TOLERANCE stays silent with margin left, or when every voter is up', () => {
    const fiveOneDown = assessHealth(
      cluster([
        member('n1', { role: 'leader' }),
        member('n2'),
        member('n3'),
        member('n4'),
        down('n5'),
      ]),
    );
    assert.ok(!codes(fiveOneDown).includes('NO_FAULT_TOLERANCE'));
    // A single-member or two-member cluster has margin 0 by design, not because of a failure.
    assert.deepEqual(codes(assessHealth(cluster([member('n1', { role: 'leader' })]))), []);
    assert.deepEqual(
      codes(assessHealth(cluster([member('n1', { role: 'leader' }), member('n2')]))),
      [],
    );
  });
});

describe('assessHealth: member reasons', () => {
  test('MEMBER_UNREACHABLE fires (degraded) per unreachable member, with its error', () => {
    const report = assessHealth(
      cluster([
        member('n1', { role: 'leader' }),
        member('n2'),
        member('n3'),
        member('n4'),
        down('n5'),
      ]),
    );
    assert.deepEqual(codes(report), ['MEMBER_UNREACHABLE']);
    const unreachable = reason(report, 'MEMBER_UNREACHABLE');
    assert.equal(unreachable.severity, 'degraded');
    assert.equal(unreachable.memberId, 'id-n5');
    assert.equal(unreachable.message, 'n5 (http://n5:2379) unreachable: connection refused');
    assert.equal(report.verdict, 'degraded');
  });

  test('MEMBER_UNREACHABLE without an error says "no answer"; learners count too', () => {
    const report = assessHealth(
      cluster([...healthyThree(), down('n4', { role: 'learner', voter: false, error: undefined })]),
    );
    assert.deepEqual(codes(report), ['MEMBER_UNREACHABLE']);
    assert.equal(
      reason(report, 'MEMBER_UNREACHABLE').message,
      'n4 (http://n4:2379) unreachable: no answer',
    );
  });

  test('unreachable members are not checked for quota or lag', () => {
    const report = assessHealth(
      cluster([
        member('n1', { role: 'leader' }),
        member('n2'),
        member('n3'),
        member('n4'),
        down('n5', { dbSizeBytes: 999, quotaBytes: QUOTA, lagEntries: 5000, leaderId: 'id-x' }),
      ]),
    );
    assert.deepEqual(codes(report), ['MEMBER_UNREACHABLE']);
  });

  test('LEADER_DISAGREEMENT fires (degraded) when a member follows someone else', () => {
    const report = assessHealth(
      cluster([
        member('n1', { role: 'leader' }),
        member('n2', { leaderId: 'id-n3' }),
        member('n3'),
      ]),
    );
    assert.deepEqual(codes(report), ['LEADER_DISAGREEMENT']);
    const disagreement = reason(report, 'LEADER_DISAGREEMENT');
    assert.equal(disagreement.severity, 'degraded');
    assert.equal(disagreement.memberId, 'id-n2');
    assert.equal(
      disagreement.message,
      "n2 (http://n2:2379) follows id-n3, the cluster's leader is id-n1",
    );
  });

  test('LEADER_DISAGREEMENT stays silent when a member names no leader, or there is none', () => {
    const silent = assessHealth(
      cluster([
        member('n1', { role: 'leader' }),
        member('n2', { leaderId: undefined }),
        member('n3'),
      ]),
    );
    assert.deepEqual(codes(silent), []);
    const leaderless = assessHealth(
      cluster([member('n1'), member('n2', { leaderId: 'id-n3' }), member('n3')], {
        leaderId: null,
      }),
    );
    assert.deepEqual(codes(leaderless), ['NO_LEADER']);
  });

  test('MEMBER_LAGGING fires (degraded) above the threshold and not at it', () => {
    const limit = DEFAULT_HEALTH_THRESHOLDS.lagWarnEntries;
    const lagging = assessHealth(
      cluster([
        member('n1', { role: 'leader' }),
        member('n2', { lagEntries: limit + 1 }),
        member('n3'),
      ]),
    );
    assert.deepEqual(codes(lagging), ['MEMBER_LAGGING']);
    const lag = reason(lagging, 'MEMBER_LAGGING');
    assert.equal(lag.severity, 'degraded');
    assert.equal(lag.memberId, 'id-n2');
    assert.equal(
      lag.message,
      `n2 (http://n2:2379) is ${limit + 1} entries behind the leader (threshold ${limit})`,
    );

    const atLimit = assessHealth(
      cluster([
        member('n1', { role: 'leader' }),
        member('n2', { lagEntries: limit }),
        member('n3'),
      ]),
    );
    assert.deepEqual(codes(atLimit), []);
  });

  test('MEMBER_LAGGING honours custom thresholds', () => {
    const status = cluster([
      member('n1', { role: 'leader' }),
      member('n2', { lagEntries: 11 }),
      member('n3'),
    ]);
    const thresholds = { ...DEFAULT_HEALTH_THRESHOLDS, lagWarnEntries: 10 };
    assert.deepEqual(codes(assessHealth(status, thresholds)), ['MEMBER_LAGGING']);
    assert.deepEqual(codes(assessHealth(status)), []);
  });

  test('QUOTA_HIGH fires (degraded) from 80 % of the quota', () => {
    const report = assessHealth(
      cluster([member('n1', { role: 'leader', dbSizeBytes: 800 }), member('n2'), member('n3')]),
    );
    assert.deepEqual(codes(report), ['QUOTA_HIGH']);
    const high = reason(report, 'QUOTA_HIGH');
    assert.equal(high.severity, 'degraded');
    assert.equal(high.memberId, 'id-n1');
    assert.equal(high.message, 'n1 (http://n1:2379) database at 80.0% of its quota');
    assert.equal(report.verdict, 'degraded');
  });

  test('QUOTA_HIGH stays silent just below 80 %', () => {
    const report = assessHealth(
      cluster([member('n1', { role: 'leader', dbSizeBytes: 799 }), member('n2'), member('n3')]),
    );
    assert.deepEqual(codes(report), []);
  });

  test('QUOTA_NEARLY_FULL fires (critical) from 95 %, instead of QUOTA_HIGH', () => {
    const report = assessHealth(
      cluster([member('n1', { role: 'leader' }), member('n2', { dbSizeBytes: 950 }), member('n3')]),
    );
    assert.deepEqual(codes(report), ['QUOTA_NEARLY_FULL']);
    const full = reason(report, 'QUOTA_NEARLY_FULL');
    assert.equal(full.severity, 'critical');
    assert.equal(full.memberId, 'id-n2');
    assert.match(full.message, /at 95\.0% of its quota: writes stop at 100% \(NOSPACE\)$/);
    assert.equal(report.verdict, 'critical');
  });

  test('QUOTA_NEARLY_FULL stays silent just below 95 % (QUOTA_HIGH instead)', () => {
    const report = assessHealth(
      cluster([member('n1', { role: 'leader' }), member('n2', { dbSizeBytes: 949 }), member('n3')]),
    );
    assert.deepEqual(codes(report), ['QUOTA_HIGH']);
  });

  test('no quota reason without a known, positive quota or db size', () => {
    const report = assessHealth(
      cluster([
        member('n1', { role: 'leader', quotaBytes: undefined, dbSizeBytes: 10 ** 12 }),
        member('n2', { quotaBytes: 0, dbSizeBytes: 10 }),
        member('n3', { dbSizeBytes: undefined }),
      ]),
    );
    assert.deepEqual(codes(report), []);
  });

  test('quota thresholds are configurable', () => {
    const status = cluster([
      member('n1', { role: 'leader', dbSizeBytes: 500 }),
      member('n2'),
      member('n3'),
    ]);
    const strict = { ...DEFAULT_HEALTH_THRESHOLDS, quotaWarnRatio: 0.4, quotaCriticalRatio: 0.5 };
    assert.deepEqual(codes(assessHealth(status, strict)), ['QUOTA_NEARLY_FULL']);
  });
});

describe('assessHealth: alarms', () => {
  test('ALARM_NOSPACE and ALARM_CORRUPT are critical', () => {
    const report = assessHealth(
      cluster(healthyThree(), {
        alarms: [
          { memberId: 'id-n2', alarm: 'NOSPACE' },
          { memberId: 'id-n3', alarm: 'CORRUPT' },
        ],
      }),
    );
    assert.deepEqual(codes(report), ['ALARM_NOSPACE', 'ALARM_CORRUPT']);
    const nospace = reason(report, 'ALARM_NOSPACE');
    assert.equal(nospace.severity, 'critical');
    assert.equal(nospace.memberId, 'id-n2');
    assert.equal(nospace.message, 'alarm NOSPACE raised on member id-n2');
    assert.equal(reason(report, 'ALARM_CORRUPT').severity, 'critical');
    assert.equal(report.verdict, 'critical');
  });

  test('other alarms are degraded', () => {
    const report = assessHealth(
      cluster(healthyThree(), { alarms: [{ memberId: 'id-n1', alarm: 'SOMETHING_NEW' }] }),
    );
    assert.deepEqual(codes(report), ['ALARM_SOMETHING_NEW']);
    assert.equal(reason(report, 'ALARM_SOMETHING_NEW').severity, 'degraded');
    assert.equal(report.verdict, 'degraded');
  });
});

describe('assessHealth: Multi-Raft groups', () => {
  const stream = (id: string, overrides: Partial<RaftGroupStatus> = {}): RaftGroupStatus => ({
    id,
    type: 'stream',
    leader: 'n1',
    replicas: 3,
    healthyReplicas: 3,
    problems: [],
    ...overrides,
  });
  const leaderless = (id: string): RaftGroupStatus => {
    const { leader, ...rest } = stream(id, { healthyReplicas: 2 });
    return rest;
  };

  test('GROUPS_LEADERLESS is critical and GROUPS_UNDER_REPLICATED degraded, naming the groups', () => {
    const status = cluster(healthyThree());
    status.groups = summarizeGroups(
      [stream('stream A'), leaderless('stream B'), stream('stream C', { healthyReplicas: 2 })],
      1,
    );
    const report = assessHealth(status);
    assert.deepEqual(codes(report), ['GROUPS_LEADERLESS', 'GROUPS_UNDER_REPLICATED']);
    assert.equal(reason(report, 'GROUPS_LEADERLESS').severity, 'critical');
    assert.equal(
      reason(report, 'GROUPS_LEADERLESS').message,
      '1 of 3 Raft groups have no leader (stream B)',
    );
    assert.equal(
      reason(report, 'GROUPS_UNDER_REPLICATED').message,
      '2 of 3 Raft groups are under-replicated (stream B, ...)',
      'the worst list holds one group, so the message says there are more',
    );
    assert.equal(report.verdict, 'critical');
  });

  test('silent for healthy groups and for systems without groups', () => {
    const status = cluster(healthyThree());
    status.groups = summarizeGroups([stream('stream A'), stream('stream B', { lagEntries: 5 })]);
    assert.deepEqual(codes(assessHealth(status)), []);
    assert.deepEqual(codes(assessHealth(cluster(healthyThree()))), []);
  });

  test('per-group leadership (CockroachDB): no cluster leader is not NO_LEADER', () => {
    const peers = ['n1', 'n2', 'n3'].map((name) => member(name, { role: 'peer' }));
    const status = cluster(peers, { leaderId: null });
    assert.deepEqual(codes(assessHealth(status)), ['NO_LEADER']);
    status.leadership = 'per-group';
    assert.deepEqual(codes(assessHealth(status)), []);
  });
});

describe('assessHealth: verdict', () => {
  test('the verdict is the worst severity among the reasons', () => {
    const mixed = assessHealth(
      cluster([member('n1', { role: 'leader' }), member('n2', { lagEntries: 5000 }), down('n3')], {
        alarms: [{ memberId: 'id-n1', alarm: 'NOSPACE' }],
      }),
    );
    assert.deepEqual(codes(mixed), [
      'NO_FAULT_TOLERANCE',
      'MEMBER_LAGGING',
      'MEMBER_UNREACHABLE',
      'ALARM_NOSPACE',
    ]);
    assert.equal(mixed.verdict, 'critical');
  });

  test('property: verdict is critical iff any critical reason, ok iff no reasons', () => {
    const arbitraryMember = fc.record({
      reachable: fc.boolean(),
      lagEntries: fc.nat({ max: 3000 }),
      dbSizeBytes: fc.nat({ max: QUOTA }),
      followsLeader: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(arbitraryMember, { minLength: 1, maxLength: 7 }),
        fc.boolean(),
        fc.subarray(['NOSPACE', 'CORRUPT', 'OTHER']),
        (specs, hasLeader, alarmNames) => {
          const members = specs.map((spec, index) =>
            spec.reachable
              ? member(`n${index + 1}`, {
                  lagEntries: spec.lagEntries,
                  dbSizeBytes: spec.dbSizeBytes,
                  leaderId: spec.followsLeader ? 'id-n1' : 'id-elsewhere',
                })
              : down(`n${index + 1}`),
          );
          const report = assessHealth(
            cluster(members, {
              leaderId: hasLeader ? 'id-n1' : null,
              alarms: alarmNames.map((alarm) => ({ memberId: 'id-n1', alarm })),
            }),
          );
          const severities = report.reasons.map((each) => each.severity);
          const expected = severities.includes('critical')
            ? 'critical'
            : severities.length > 0
              ? 'degraded'
              : 'ok';
          assert.equal(report.verdict, expected);
          if (alarmNames.includes('NOSPACE')) assert.equal(report.verdict, 'critical');
          if (!report.quorum.hasQuorum) assert.equal(report.verdict, 'critical');
        },
      ),
      { numRuns: 300 },
    );
  });
});
