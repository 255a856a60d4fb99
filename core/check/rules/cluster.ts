/**
 * Rules every kind shares. Those about quorum, leaders, reachability, lag, quota, alarms and
 * Raft groups report `health`'s own reasons (core/health.ts), so the two commands never
 * disagree; the others look at membership size, elections in the window and learners.
 */
import type { Finding, RuleInfo, Severity } from '../../findings.js';
import type { HealthReason } from '../../health.js';
import type { AttributeValue, SystemKind } from '../../model.js';
import { SYSTEM_KINDS } from '../../model.js';
import type { CheckFacts } from '../facts.js';
import { healthThresholdsFor } from '../thresholds.js';
import { checkRule, findingOf, memberName, REFERENCE, type CheckRule } from './common.js';

const ALL = SYSTEM_KINDS;
/** Kinds whose members form one voting group (CockroachDB replicates per range instead). */
const ONE_GROUP: readonly SystemKind[] = ALL.filter((kind) => kind !== 'cockroach');
const MIXIN = 'etcd-io/etcd contrib/mixin/alerts/alerts.libsonnet';

interface HealthRuleSpec {
  info: Omit<RuleInfo, 'scope' | 'docs'>;
  /** The health reason codes this rule reports. */
  matches: (code: string) => boolean;
  values?: (
    reason: HealthReason,
    facts: CheckFacts,
  ) => {
    observed?: AttributeValue;
    threshold?: AttributeValue;
  };
}

const SEVERITY_OF: Record<HealthReason['severity'], Severity> = {
  critical: 'critical',
  degraded: 'warn',
};

/** A rule that reports the health reasons it matches, with health's severity and words. */
function healthRule(spec: HealthRuleSpec): CheckRule {
  return checkRule(spec.info, (facts, info) =>
    facts.health.reasons
      .filter((reason) => spec.matches(reason.code))
      .map((reason) => healthFinding(info, reason, facts, spec.values?.(reason, facts))),
  );
}

function healthFinding(
  info: RuleInfo,
  reason: HealthReason,
  facts: CheckFacts,
  values: { observed?: AttributeValue; threshold?: AttributeValue } = {},
): Finding {
  const subject = memberName(facts.status, reason.memberId);
  return findingOf(info, reason.message, {
    severity: SEVERITY_OF[reason.severity],
    ...(subject !== undefined && { subject }),
    ...values,
  });
}

const quorumValues = (_reason: HealthReason, facts: CheckFacts) => ({
  observed: facts.status.quorum.healthyVoters,
  threshold: facts.status.quorum.majority,
});

const quotaValues =
  (ratio: 'quotaWarnRatio' | 'quotaCriticalRatio') => (reason: HealthReason, facts: CheckFacts) => {
    const member = facts.status.members.find((candidate) => candidate.id === reason.memberId);
    const used =
      member?.dbSizeBytes !== undefined && member.quotaBytes !== undefined && member.quotaBytes > 0
        ? Math.round((member.dbSizeBytes / member.quotaBytes) * 1000) / 10
        : undefined;
    return {
      ...(used !== undefined && { observed: `${used}%` }),
      threshold: `${healthThresholdsFor(facts.status.kind)[ratio] * 100}%`,
    };
  };

const HEALTH_RULE_SPECS: readonly HealthRuleSpec[] = [
  {
    info: {
      id: 'CLUSTER-NO-QUORUM',
      kinds: ALL,
      severity: 'critical',
      title: 'A majority of voters is reachable',
      why: 'Without a majority of its voters a Raft or ZAB cluster cannot elect a leader or commit a write: it is down for writes (and for linearizable reads) until enough voters return.',
      threshold: 'reachable voters >= majority (floor(voters / 2) + 1)',
      source: `${MIXIN} l.29 etcdInsufficientMembers (${REFERENCE} §2.1); ZooKeeper "server is down" (§2.3)`,
      remedy:
        'Bring the unreachable voters back (start them, fix the network between them) before changing membership: removing voters needs the quorum you lack.',
    },
    matches: (code) => code === 'NO_QUORUM',
    values: quorumValues,
  },
  {
    info: {
      id: 'CLUSTER-NO-LEADER',
      kinds: ALL,
      severity: 'critical',
      title: 'The cluster has a leader',
      why: 'Every write goes through the leader. A cluster whose voters are reachable but know no leader is electing (or cannot: clock, network or disk trouble), and takes no writes meanwhile.',
      threshold: 'a reachable member leads (per-group systems: judged on the groups)',
      source: `${MIXIN} l.43 etcdNoLeader; KRaft current-leader == -1, NATS empty meta_leader (${REFERENCE} §2.1, §2.4, §2.5, §2.6)`,
      remedy:
        "Look at the members' logs for elections that never finish (slow disks, dropped packets, election timeout below the round trip); run the check again: a leader usually appears within an election timeout.",
    },
    matches: (code) => code === 'NO_LEADER',
  },
  {
    info: {
      id: 'CLUSTER-QUORUM-MARGIN',
      kinds: ALL,
      severity: 'warn',
      title: 'Quorum survives one more voter failure',
      why: 'With quorum margin 0 the cluster still works, but the next voter to fail (or to be restarted for maintenance) takes it down.',
      threshold: 'quorum margin (reachable voters - majority) >= 1 while a voter is down',
      source: `[derived] majority arithmetic (core/quorum.ts); ${MIXIN} l.8 etcdMembersDown (${REFERENCE} §2.1)`,
      remedy:
        'Restore the missing voter before any maintenance; postpone restarts, upgrades and defragmentation until the margin is back.',
    },
    matches: (code) => code === 'NO_FAULT_TOLERANCE',
    values: (_reason, facts) => ({ observed: facts.status.quorum.quorumMargin, threshold: 1 }),
  },
  {
    info: {
      id: 'CLUSTER-MEMBER-UNREACHABLE',
      kinds: ALL,
      severity: 'warn',
      title: 'Every member answers',
      why: 'A member that does not answer is no longer part of the fault tolerance the cluster was sized for; it may also be partitioned and serving stale reads.',
      threshold: 'every member answers within --timeout',
      source: `${MIXIN} l.8 etcdMembersDown; ZooKeeper up == 0 (${REFERENCE} §2.1, §2.3)`,
      remedy:
        "Check the member's process, its logs and the network path to it (the finding names the error); restart it or replace it as a new member.",
    },
    matches: (code) => code === 'MEMBER_UNREACHABLE',
  },
  {
    info: {
      id: 'CLUSTER-LEADER-DISAGREEMENT',
      kinds: ALL,
      severity: 'warn',
      title: 'Members agree on the leader',
      why: "A member that follows another leader than the cluster's is partitioned or stale: it may serve old data and will not replicate new writes until it rejoins.",
      threshold: 'every reachable member names the same leader',
      source: `KRaft count(count by (value) (current_leader)) > 1, NATS count by (meta_leader) > 1 (${REFERENCE} §2.4, §2.5)`,
      remedy:
        'Check the network between that member and the leader; if it persists after an election timeout, restart the member.',
    },
    matches: (code) => code === 'LEADER_DISAGREEMENT',
  },
  {
    info: {
      id: 'CLUSTER-MEMBER-LAGGING',
      kinds: ALL,
      severity: 'warn',
      title: 'Followers keep up with the leader',
      why: 'A follower far behind the leader adds no safety until it catches up, and slows the cluster if the leader has to send it a snapshot.',
      threshold: `lag <= ${healthThresholdsFor('etcd').lagWarnEntries} entries behind the leader's commit index`,
      source: `follower lag row of ${REFERENCE} §2.6; KRaft MaxFollowerLag ~ 0 (§3.3 K-QUORUM-1); 1000 entries [derived] (core/health.ts)`,
      remedy:
        "Look at the follower's disk (fsync p99) and its network to the leader; a follower that never catches up may need to be removed and re-added.",
    },
    matches: (code) => code === 'MEMBER_LAGGING',
    values: (reason, facts) => {
      const member = facts.status.members.find((candidate) => candidate.id === reason.memberId);
      return {
        ...(member?.lagEntries !== undefined && { observed: member.lagEntries }),
        threshold: healthThresholdsFor(facts.status.kind).lagWarnEntries,
      };
    },
  },
  {
    info: {
      id: 'CLUSTER-QUOTA-HIGH',
      kinds: ['etcd', 'nats'],
      severity: 'warn',
      title: 'Storage below 80% of its quota (NATS: 75%)',
      why: 'etcd stops taking writes at its quota (NOSPACE alarm) and NATS JetStream refuses messages at max_storage; the warning leaves time to compact, defragment or grow the quota.',
      threshold: 'database size / quota < 80% (NATS JetStream storage / max_storage < 75%)',
      source: `80% [derived] below ${MIXIN} l.194 etcdDatabaseQuotaLowSpace (95%); NATS: natscli cli/server_check_command.go l.224-227 (${REFERENCE} §2.1, §3.4 N-CAP-1)`,
      remedy:
        'etcd: compact old revisions, defragment member by member, or raise --quota-backend-bytes (<= 8 GiB); NATS: purge or limit streams, or raise max_storage.',
    },
    matches: (code) => code === 'QUOTA_HIGH',
    values: quotaValues('quotaWarnRatio'),
  },
  {
    info: {
      id: 'CLUSTER-QUOTA-NEARLY-FULL',
      kinds: ['etcd', 'nats'],
      severity: 'critical',
      title: 'Storage below 95% of its quota (NATS: 90%)',
      why: 'At the quota etcd raises NOSPACE and accepts only reads and deletes; JetStream rejects new messages. Near it, one burst of writes is enough.',
      threshold: 'database size / quota < 95% (NATS < 90%)',
      source: `${MIXIN} l.194 etcdDatabaseQuotaLowSpace (> 95); natscli cli/server_check_command.go l.224-227 critical 90% (${REFERENCE} §2.1, §3.4 N-CAP-1)`,
      remedy:
        'etcd: compact to the current revision, defragment each member (followers first), then disarm NOSPACE if raised; NATS: purge streams or raise max_storage now.',
    },
    matches: (code) => code === 'QUOTA_NEARLY_FULL',
    values: quotaValues('quotaCriticalRatio'),
  },
  {
    info: {
      id: 'CLUSTER-ALARM',
      kinds: ['etcd'],
      severity: 'critical',
      title: 'No alarm is raised',
      why: "NOSPACE makes etcd read-only; CORRUPT means a member's data differs from the others'. Other alarms are reported as warnings.",
      threshold: 'no NOSPACE or CORRUPT alarm (other alarms: warn)',
      source: `etcd op-guide/maintenance.md l.130-137, op-guide/data_corruption.md l.12-35 (${REFERENCE} §3.1 E-DEFRAG-1, E-CORRUPT-1)`,
      remedy:
        'NOSPACE: free space (compact, defragment) then `etcdctl alarm disarm`. CORRUPT: stop the corrupt member, remove it and add it back with an empty data directory.',
    },
    matches: (code) => code.startsWith('ALARM_'),
    values: (reason) => ({ observed: reason.code.slice('ALARM_'.length) }),
  },
  {
    info: {
      id: 'CLUSTER-GROUPS-LEADERLESS',
      kinds: ['nats', 'tikv', 'cockroach'],
      severity: 'critical',
      title: 'Every Raft group has a leader',
      why: 'A stream, consumer, region or range without a leader takes no writes: that part of the data is unavailable even though the control group is fine.',
      threshold: 'leaderless groups = 0',
      source: `NATS raft_group_leader, replica_peer_offline (nats-surveyor; ${REFERENCE} §2.5); TiKV and CockroachDB [derived] from their region and range status`,
      remedy:
        "Bring back the servers that held the groups' replicas; a group that lost a majority of its replicas needs its replica set repaired.",
    },
    matches: (code) => code === 'GROUPS_LEADERLESS',
  },
  {
    info: {
      id: 'CLUSTER-GROUPS-UNDER-REPLICATED',
      kinds: ['nats', 'tikv', 'cockroach'],
      severity: 'warn',
      title: 'Every Raft group has all its replicas',
      why: 'An under-replicated group works but tolerates fewer failures than configured (an R3 stream with one replica down survives no further failure).',
      threshold: 'under-replicated groups = 0',
      source: `NATS replica_peer_current == 0 (${REFERENCE} §2.5); Strimzi UnderReplicatedPartitions (§2.4); R3 tolerates 1 failure (§3.4 N-REPL-1)`,
      remedy:
        'Restore the servers holding the missing replicas, or move the replicas elsewhere (nats stream cluster peer-remove, PD/CockroachDB rebalance on their own once stores return).',
    },
    matches: (code) => code === 'GROUPS_UNDER_REPLICATED',
  },
];

const HEALTH_RULES = HEALTH_RULE_SPECS.map(healthRule);

/** A reason `health` gives that no rule above claims still reaches the report. */
const otherHealthReasons = checkRule(
  {
    id: 'CLUSTER-HEALTH-OTHER',
    kinds: ALL,
    severity: 'critical',
    title: 'No other health problem',
    why: 'quorumctl health and check judge the same status; a reason health gives that no check rule covers yet is reported here, with its own severity, rather than dropped.',
    threshold: 'health reports no reason beyond those of the rules above',
    source: '[derived] core/health.ts',
    remedy: 'Read the message; quorumctl health gives the same reason.',
  },
  (facts, info) =>
    facts.health.reasons
      .filter((reason) => !HEALTH_RULE_SPECS.some((spec) => spec.matches(reason.code)))
      .map((reason) => healthFinding(info, reason, facts, { observed: reason.code })),
);

const leaderChanges = checkRule(
  {
    id: 'CLUSTER-LEADER-CHANGES',
    kinds: ONE_GROUP,
    severity: 'warn',
    title: 'No leader election during the window',
    why: 'Each election stops writes for up to an election timeout. Elections while nothing was being changed point at slow disks, an overloaded leader or a flaky network.',
    threshold: `fewer than 1 election within --window (term increase, or another leader)`,
    source: `${MIXIN} l.57 etcdHighNumberOfLeaderChanges (>= 4 in 15 min); ZooKeeper increase(election_time_count[5m]) > 0; KRaft changes(current_epoch[15m]) >= 4 (${REFERENCE} §2.1, §2.3, §2.4)`,
    remedy:
      "Check the members' fsync p99 and peer round trips, and the logs around the election; raise the election timeout if the network round trip is close to it.",
  },
  (facts, info) => {
    const { elections } = facts;
    if (elections.count < facts.thresholds.leaderChangesWarn) return [];
    const from = memberName(facts.statusBefore, elections.leaderBefore) ?? 'none';
    const to = memberName(facts.status, elections.leaderAfter) ?? 'none';
    const terms =
      elections.termBefore !== undefined && elections.termAfter !== undefined
        ? `, term ${elections.termBefore} -> ${elections.termAfter}`
        : '';
    return [
      findingOf(
        info,
        `${elections.count} leader election(s) in the last ${facts.windowSeconds.toFixed(1)} s: leader ${from} -> ${to}${terms}`,
        { observed: elections.count, threshold: facts.thresholds.leaderChangesWarn },
      ),
    ];
  },
  'window',
);

const evenVoters = checkRule(
  {
    id: 'CLUSTER-EVEN-VOTERS',
    kinds: ONE_GROUP,
    severity: 'warn',
    title: 'An odd number of voters',
    why: 'A majority of an even-sized cluster is as large as that of the next odd size up: the extra voter adds a failure domain and replication work without adding fault tolerance (4 voters tolerate 1 failure, like 3).',
    threshold: 'voters: an odd number',
    source: `etcd-io/website content/en/docs/v3.6/faq.md l.41-67; zookeeperAdmin.md l.140-162 (${REFERENCE} §3.1 E-SIZE-1, §3.2 Z-SIZE-1)`,
    remedy:
      'Add or remove one voter (remove a learner-capable member, or promote one) to get 3 or 5.',
  },
  (facts, info) => {
    const { voters, faultTolerance } = facts.status.quorum;
    if (voters === 0 || voters % 2 === 1) return [];
    return [
      findingOf(
        info,
        `${voters} voters, an even number: they tolerate ${faultTolerance} failure(s), as ${voters - 1} would`,
        { observed: voters, threshold: 'odd' },
      ),
    ];
  },
);

const tooManyVoters = checkRule(
  {
    id: 'CLUSTER-TOO-MANY-VOTERS',
    kinds: ONE_GROUP,
    severity: 'warn',
    title: 'At most 7 voters',
    why: 'Every write waits for a majority: more voters mean more replication traffic and slower commits, and the etcd FAQ advises against clusters of more than 7.',
    threshold: 'voters <= 7',
    source: `etcd-io/website content/en/docs/v3.6/faq.md l.41-67 (${REFERENCE} §3.1 E-SIZE-1)`,
    remedy:
      'Use 5 voters (they tolerate 2 failures); serve extra readers with learners, observers or a proxy.',
  },
  (facts, info) => {
    const { voters } = facts.status.quorum;
    const max = facts.thresholds.maxVoters;
    return voters > max
      ? [
          findingOf(info, `${voters} voters, more than ${max}`, {
            observed: voters,
            threshold: max,
          }),
        ]
      : [];
  },
);

const learnerStalled = checkRule(
  {
    id: 'CLUSTER-LEARNER-STALLED',
    kinds: ['etcd'],
    severity: 'warn',
    title: 'Learners catch up',
    why: 'A learner is added to catch up before it is promoted to voter; etcd refuses to promote one that is not in sync with the leader. A learner whose lag does not shrink will never be ready (slow disk or network, or snapshots it cannot apply).',
    threshold: "a lagging learner's lag shrinks within --window",
    source:
      "[derived] etcd server/etcdserver/server.go isLearnerReady: promotion needs the learner's match index at 90% (readyPercent) of the leader's",
    remedy:
      "Check the learner's disk and network and its log for snapshot errors; if it stays stuck, remove it and add it again.",
  },
  (facts, info) =>
    facts.status.members.flatMap((member) => {
      if (member.role !== 'learner' || !member.reachable || member.lagEntries === undefined)
        return [];
      const before = facts.statusBefore.members.find((candidate) => candidate.id === member.id);
      if (before?.lagEntries === undefined || member.lagEntries === 0) return [];
      if (member.lagEntries < before.lagEntries) return [];
      return [
        findingOf(
          info,
          `learner ${member.name} is ${member.lagEntries} entries behind, ${before.lagEntries} ${facts.windowSeconds.toFixed(1)} s earlier: not catching up`,
          { subject: member.name, observed: member.lagEntries, threshold: before.lagEntries },
        ),
      ];
    }),
  'window',
);

export const CLUSTER_RULES: readonly CheckRule[] = [
  ...HEALTH_RULES,
  otherHealthReasons,
  leaderChanges,
  evenVoters,
  tooManyVoters,
  learnerStalled,
];
