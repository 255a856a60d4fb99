/**
 * ZooKeeper rules on what srvr and mntr report: followers synced to the leader, queued
 * requests, request latency, and zxids no follower may have beyond its leader's.
 */
import type { Finding } from '../../findings.js';
import type { MemberStatus } from '../../model.js';
import { checkRule, findingOf, REFERENCE, type CheckRule } from './common.js';

const zookeeper = ['zookeeper'] as const;
const MONITOR_DOC = 'zookeeper-docs/src/main/resources/markdown/zookeeperMonitor.md';
const STRIMZI = 'strimzi-kafka-operator 0.45.2 prometheus-rules.yaml';

function numberAttribute(member: MemberStatus, key: string): number | undefined {
  const value = member.attributes?.[key];
  return typeof value === 'number' ? value : undefined;
}

const syncedFollowers = checkRule(
  {
    id: 'ZK-SYNCED-FOLLOWERS',
    kinds: zookeeper,
    severity: 'warn',
    title: 'Every follower is synced with the leader',
    why: 'Only synced followers acknowledge proposals. A follower that is up but not synced adds no fault tolerance; when fewer than a majority are synced the leader gives up leadership. Critical when the synced followers and the leader are fewer than a majority.',
    threshold: "leader's mntr zk_synced_followers = voters - 1 (critical below majority - 1)",
    source: `${REFERENCE} §2.3 suggested synced_followers < quorum_size/2 on the leader; voters - 1 [derived]`,
    remedy:
      "Look at the missing followers' logs for sync failures (initLimit/syncLimit too low for the data size, a slow disk, the network to the leader).",
  },
  (facts, info) => {
    const synced = facts.status.attributes?.syncedFollowers;
    if (typeof synced !== 'number' || facts.status.leaderId === undefined) return [];
    const { voters, majority } = facts.status.quorum;
    const expected = voters - 1;
    if (synced >= expected) return [];
    const critical = synced + 1 < majority;
    return [
      findingOf(
        info,
        `the leader has ${synced} synced follower(s) of ${expected}${critical ? `: with itself fewer than the majority of ${majority}` : ''}`,
        {
          severity: critical ? 'critical' : 'warn',
          observed: synced,
          threshold: expected,
        },
      ),
    ];
  },
);

const outstandingRequests = checkRule(
  {
    id: 'ZK-OUTSTANDING-REQUESTS',
    kinds: zookeeper,
    severity: 'warn',
    title: 'Few requests queued',
    why: 'Requests queue in a server when it cannot process them as fast as they arrive (a slow disk for the transaction log, GC pauses, too many clients): latency climbs and sessions start to time out.',
    threshold: 'srvr Outstanding <= 10',
    source: `${STRIMZI} OutstandingRequests: zookeeper_outstandingrequests > 10 (${REFERENCE} §2.3)`,
    remedy:
      "Check the server's transaction log disk (fsync), GC pauses and the number of clients; spread clients over more servers or observers.",
  },
  (facts, info) =>
    facts.status.members.flatMap((member): Finding[] => {
      const queued = numberAttribute(member, 'outstandingRequests');
      const limit = facts.thresholds.zookeeper.outstandingRequestsWarn;
      if (queued === undefined || queued <= limit) return [];
      return [
        findingOf(info, `${member.name}: ${queued} requests outstanding (more than ${limit})`, {
          subject: member.name,
          observed: queued,
          threshold: limit,
        }),
      ];
    }),
);

const latencyAvg = checkRule(
  {
    id: 'ZK-LATENCY-AVG',
    kinds: zookeeper,
    severity: 'warn',
    title: 'Average request latency under 10 ms',
    why: 'ZooKeeper serves coordination traffic that other systems wait on; an average above 10 ms means every lock, leader election and configuration read of its clients slows down. Critical above 100 ms. srvr averages since start (or the last srst).',
    threshold: 'srvr Latency avg <= 10 ms (critical > 100 ms)',
    source: `${STRIMZI} AvgRequestLatency > 10; ${MONITOR_DOC} "avg latency is too high" avg_latency > 100 (${REFERENCE} §2.3)`,
    remedy:
      'Check the transaction log disk and GC; after fixing, reset the counters with the srst four-letter word so the average reflects the present.',
  },
  (facts, info) =>
    facts.status.members.flatMap((member): Finding[] => {
      const avg = numberAttribute(member, 'latencyAvgMs');
      const { latencyAvgWarnMs, latencyAvgCriticalMs } = facts.thresholds.zookeeper;
      if (avg === undefined || avg <= latencyAvgWarnMs) return [];
      const critical = avg > latencyAvgCriticalMs;
      const limit = critical ? latencyAvgCriticalMs : latencyAvgWarnMs;
      return [
        findingOf(info, `${member.name}: average request latency ${avg} ms (above ${limit} ms)`, {
          severity: critical ? 'critical' : 'warn',
          subject: member.name,
          observed: avg,
          threshold: limit,
        }),
      ];
    }),
);

const latencyMax = checkRule(
  {
    id: 'ZK-LATENCY-MAX',
    kinds: zookeeper,
    severity: 'warn',
    title: 'No request slower than the shortest session timeout',
    why: 'A request that takes longer than minSessionTimeout can outlast a client session: clients with short sessions lose their ephemeral nodes and locks. srvr keeps the maximum since start (or the last srst).',
    threshold: 'srvr Latency max <= 4000 ms (the default minSessionTimeout, 2 x tickTime)',
    source: `zookeeperAdmin.md l.716-728 (minSessionTimeout = 2 x tickTime) (${REFERENCE} §3.2 Z-TIME-2) [derived]`,
    remedy:
      'Find the pause (GC logs, fsync warnings "fsync-ing the write ahead log took"), fix it, then reset the counters with srst.',
  },
  (facts, info) =>
    facts.status.members.flatMap((member): Finding[] => {
      const max = numberAttribute(member, 'latencyMaxMs');
      const limit = facts.thresholds.zookeeper.latencyMaxWarnMs;
      if (max === undefined || max <= limit) return [];
      return [
        findingOf(info, `${member.name}: slowest request took ${max} ms (above ${limit} ms)`, {
          subject: member.name,
          observed: max,
          threshold: limit,
        }),
      ];
    }),
);

/** A zxid as ZooKeeper prints it (`0x100000003`), or undefined. */
export function parseZxid(value: unknown): bigint | undefined {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]+$/.test(value)) return undefined;
  return BigInt(value);
}

const zxidAhead = checkRule(
  {
    id: 'ZK-ZXID-AHEAD',
    kinds: zookeeper,
    severity: 'warn',
    title: 'No follower ahead of its leader',
    why: 'A follower applies only what the leader committed, so its last zxid can never be beyond the leader\'s; one that is has transactions the leader lacks (divergence). The two answers are read a moment apart, so a one-off within the same epoch is a warning; a follower in a newer epoch than the leader is critical (the "leader" is stale or there are two).',
    threshold: "every follower's zxid <= the leader's zxid (critical: a newer epoch)",
    source: `${REFERENCE} §2.6 divergence row (ZooKeeper digest_mismatches_count) [derived: zxids are what the four-letter words expose]`,
    remedy:
      'Run the check again; if it persists, stop the diverged server, move its data directory aside and let it resync from the leader.',
  },
  (facts, info) => {
    const leader = facts.status.members.find((member) => member.id === facts.status.leaderId);
    const leaderZxid = parseZxid(leader?.attributes?.zxid);
    if (leader === undefined || leaderZxid === undefined) return [];
    return facts.status.members.flatMap((member): Finding[] => {
      if (member === leader || !member.reachable) return [];
      const zxid = parseZxid(member.attributes?.zxid);
      if (zxid === undefined || zxid <= leaderZxid) return [];
      const newerEpoch = zxid >> 32n > leaderZxid >> 32n;
      return [
        findingOf(
          info,
          `${member.name} is at zxid ${String(member.attributes?.zxid)}, beyond the leader ${leader.name} at ${String(leader.attributes?.zxid)}${newerEpoch ? ' (a newer epoch)' : ''}`,
          {
            severity: newerEpoch ? 'critical' : 'warn',
            subject: member.name,
            observed: String(member.attributes?.zxid),
            threshold: String(leader.attributes?.zxid),
          },
        ),
      ];
    });
  },
);

export const ZOOKEEPER_RULES: readonly CheckRule[] = [
  syncedFollowers,
  outstandingRequests,
  latencyAvg,
  latencyMax,
  zxidAhead,
];
