/**
 * Leader-flapping triage: from a window of observations (who led when, the check's findings,
 * round trips to each member) to the likely causes, most specific first. Pure.
 */
import type { Finding } from '../findings.js';
import type { PeerRtt } from '../preflight/facts.js';

export interface LeaderSample {
  /** Milliseconds since the window started. */
  atMs: number;
  /** Name of the leader seen, undefined when none was. */
  leader?: string;
  term?: number;
}

export interface FlappingEvidence {
  windowMs: number;
  samples: LeaderSample[];
  findings: Finding[];
  rtts: PeerRtt[];
  /** The cluster's heartbeat interval when known (etcd default 100 ms). */
  heartbeatMs: number;
}

export interface LeaderTenure {
  leader?: string;
  fromMs: number;
  toMs: number;
}

export interface Suspect {
  cause: 'slow-disk' | 'network-latency' | 'unreachable-member' | 'lagging-member' | 'unexplained';
  /** What was seen, with the numbers. */
  evidence: string;
  remedy: string;
}

export interface FlappingTriage {
  leaderChanges: number;
  /** Samples without any leader, as time. */
  leaderlessMs: number;
  termsElapsed: number;
  timeline: LeaderTenure[];
  suspects: Suspect[];
}

/** A round trip above this share of the heartbeat interval eats the election timeout's margin. */
const RTT_SHARE_OF_HEARTBEAT = 0.5;

export function leaderTimeline(samples: readonly LeaderSample[], windowMs: number): LeaderTenure[] {
  const timeline: LeaderTenure[] = [];
  for (const sample of samples) {
    const current = timeline.at(-1);
    if (current !== undefined && current.leader === sample.leader) continue;
    if (current !== undefined) current.toMs = sample.atMs;
    timeline.push({
      ...(sample.leader !== undefined && { leader: sample.leader }),
      fromMs: sample.atMs,
      toMs: windowMs,
    });
  }
  return timeline;
}

export function triageLeaderFlapping(evidence: FlappingEvidence): FlappingTriage {
  const timeline = leaderTimeline(evidence.samples, evidence.windowMs);
  const led = timeline.filter((tenure) => tenure.leader !== undefined);
  const leaderChanges = Math.max(0, led.length - 1);
  const terms = evidence.samples.map((sample) => sample.term).filter((term) => term !== undefined);
  const suspects: Suspect[] = [];

  for (const finding of evidence.findings) {
    if (finding.ruleId === 'ETCD-FSYNC-P99' || finding.ruleId === 'ETCD-COMMIT-P99') {
      suspects.push({
        cause: 'slow-disk',
        evidence: `${finding.subject ?? 'a member'}: ${finding.message}`,
        remedy: finding.remedy,
      });
    }
  }
  for (const rtt of evidence.rtts) {
    if (rtt.rttMs !== undefined && rtt.rttMs > evidence.heartbeatMs * RTT_SHARE_OF_HEARTBEAT) {
      suspects.push({
        cause: 'network-latency',
        evidence: `round trip to ${rtt.peer} is ${rtt.rttMs.toFixed(1)} ms, over half the ${evidence.heartbeatMs} ms heartbeat interval`,
        remedy:
          'Put members closer (same region, low-latency links), or raise --heartbeat-interval and --election-timeout together (election timeout about 10x the round trip).',
      });
    }
  }
  for (const finding of evidence.findings) {
    if (finding.ruleId === 'CLUSTER-MEMBER-UNREACHABLE') {
      suspects.push({
        cause: 'unreachable-member',
        evidence: finding.message,
        remedy: finding.remedy,
      });
    } else if (finding.ruleId === 'CLUSTER-MEMBER-LAGGING') {
      suspects.push({ cause: 'lagging-member', evidence: finding.message, remedy: finding.remedy });
    }
  }
  if (suspects.length === 0 && leaderChanges > 0) {
    suspects.push({
      cause: 'unexplained',
      evidence: `${leaderChanges} leader change(s) in ${Math.round(evidence.windowMs / 1000)} s with disks, round trips and members within limits`,
      remedy:
        "Look for CPU starvation (GC pauses, CPU throttling of the container, a noisy neighbour), clock jumps, and 'elected leader' / 'lost leader' lines in the member logs around the change times.",
    });
  }
  return {
    leaderChanges,
    leaderlessMs: timeline
      .filter((tenure) => tenure.leader === undefined)
      .reduce((sum, tenure) => sum + (tenure.toMs - tenure.fromMs), 0),
    termsElapsed: terms.length === 0 ? 0 : Math.max(...terms) - Math.min(...terms),
    timeline,
    suspects,
  };
}
