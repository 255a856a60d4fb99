/** KRaft rules beyond the shared ones: how long voters have been behind the leader. */
import type { Finding } from '../../findings.js';
import { checkRule, findingOf, REFERENCE, type CheckRule } from './common.js';

const lagTime = checkRule(
  {
    id: 'KRAFT-LAG-TIME',
    kinds: ['kraft'],
    severity: 'warn',
    title: 'Voters caught up within the fetch timeout',
    why: "A controller voter that has not caught up with the leader's log for longer than controller.quorum.fetch.timeout.ms is as good as gone for commits, and is about to stand for election itself.",
    threshold:
      "each voter's lag time (DescribeQuorum LastCaughtUpTimestamp difference) <= 2000 ms, the default controller.quorum.fetch.timeout.ms",
    source: `kafka-metadata-quorum.sh describe --status MaxFollowerLagTimeMs (ops.html l.3850-3860); fetch.timeout.ms 2000 in raft QuorumConfig.java l.73-100 (${REFERENCE} §3.3 K-QUORUM-1, K-TIME-1) [derived]`,
    remedy:
      "Check the voter's disk and network to the leader and its log for fetch errors; a voter that stays behind should be replaced.",
  },
  (facts, info) => {
    const limitMs = facts.thresholds.kraft.lagTimeWarnMs;
    const perMember = facts.status.members.flatMap((member): Finding[] => {
      if (!member.voter || member.lagSeconds === undefined) return [];
      const lagMs = Math.round(member.lagSeconds * 1000);
      if (lagMs <= limitMs) return [];
      return [
        findingOf(
          info,
          `${member.name} last caught up ${lagMs} ms behind the leader (more than ${limitMs} ms)`,
          {
            subject: member.name,
            observed: lagMs,
            threshold: limitMs,
          },
        ),
      ];
    });
    if (facts.status.members.some((member) => member.lagSeconds !== undefined)) return perMember;
    // Without per-voter times (JMX exporter pages), the quorum's own maximum.
    const maxLagMs = facts.status.attributes?.maxFollowerLagMs;
    if (typeof maxLagMs !== 'number' || maxLagMs <= limitMs) return [];
    return [
      findingOf(
        info,
        `the most lagging voter is ${maxLagMs} ms behind the leader (more than ${limitMs} ms)`,
        {
          observed: maxLagMs,
          threshold: limitMs,
        },
      ),
    ];
  },
);

export const KRAFT_RULES: readonly CheckRule[] = [lagTime];
