/**
 * The drill's leader timeline: each member is asked on its own every ~150 ms whom it follows
 * (its answer stamped when it arrives), and the agreed leader is recorded at every change.
 * Without per-member probes the cluster status is polled instead. Waits for a condition on
 * the whole cluster ("a leader and every member") read the adapter's status.
 */
import type { ClusterStatus, MemberStatus } from '../../core/model.js';
import type { ClusterAdapter } from '../../core/ports.js';
import type { LeaderObservation } from '../report/drill-report.js';
import { agreedLeader, type MemberClaim } from './leader-claims.js';
import type { MemberProbe } from './leader-probes.js';

export interface LeaderWatchOptions {
  adapter: Pick<ClusterAdapter, 'status'>;
  clock: () => number;
  /** Pause between two polls of one member (or of the status). */
  intervalMs: number;
  /** The sandbox member name of a status member (ZooKeeper reports server.N, for one). */
  memberName: (member: MemberStatus) => string;
  sleep: (ms: number) => Promise<void>;
  /** Per-member probes for the timeline; without them the status is polled. */
  probe?: { members: readonly string[]; ask: MemberProbe; timeoutMs: number };
}

export interface LeaderWatch {
  /** The agreed leader at each change (the first observation included). */
  readonly observations: readonly LeaderObservation[];
  current(): string | null;
  /** Polls the status until `ready` holds; false after `timeoutMs`. */
  waitUntil(ready: (status: ClusterStatus) => boolean, timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

export function leaderName(
  status: ClusterStatus,
  memberName: (member: MemberStatus) => string,
): string | null {
  if (status.leaderId === undefined) return null;
  const leader = status.members.find((member) => member.id === status.leaderId);
  return leader === undefined ? null : memberName(leader);
}

export function startLeaderWatch(options: LeaderWatchOptions): LeaderWatch {
  const observations: LeaderObservation[] = [];
  let stopped = false;
  const record = (leader: string | null, term: number | undefined) => {
    const last = observations[observations.length - 1];
    // Before anyone answered there is nothing to say: the timeline starts with a leader.
    if (last === undefined && leader === null) return;
    if (last !== undefined && last.leader === leader && (term === undefined || last.term === term))
      return;
    const observation: LeaderObservation = { atMs: options.clock(), leader };
    if (term !== undefined && leader !== null) observation.term = term;
    observations.push(observation);
  };

  const loops: Promise<void>[] = [];
  const probe = options.probe;
  if (probe !== undefined) {
    const claims = new Map<string, MemberClaim>();
    const update = () => {
      const agreed = agreedLeader(claims.values());
      record(agreed?.leader ?? null, agreed?.term);
    };
    for (const member of probe.members) {
      loops.push(
        (async () => {
          while (!stopped) {
            try {
              claims.set(member, await probe.ask(member, AbortSignal.timeout(probe.timeoutMs)));
            } catch {
              // Down, paused or cut off: it says nothing now.
              claims.delete(member);
            }
            update();
            if (!stopped) await options.sleep(options.intervalMs);
          }
        })(),
      );
    }
  } else {
    loops.push(
      (async () => {
        while (!stopped) {
          try {
            const status = await options.adapter.status();
            record(leaderName(status, options.memberName), status.term);
          } catch {
            record(null, undefined);
          }
          if (!stopped) await options.sleep(options.intervalMs);
        }
      })(),
    );
  }

  return {
    observations,
    current: () => observations[observations.length - 1]?.leader ?? null,
    waitUntil: async (ready, timeoutMs) => {
      const deadline = options.clock() + timeoutMs;
      while (!stopped) {
        const status = await options.adapter.status().catch(() => undefined);
        if (status !== undefined && ready(status)) return true;
        if (options.clock() >= deadline) return false;
        await options.sleep(options.intervalMs);
      }
      return false;
    },
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}
