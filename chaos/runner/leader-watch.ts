/** Polls the cluster status every ~150 ms and keeps who led when: the drill's leader timeline. */
import type { ClusterStatus, MemberStatus } from '../../core/model.js';
import type { ClusterAdapter } from '../../core/ports.js';
import type { LeaderObservation } from '../report/drill-report.js';

export interface LeaderWatchOptions {
  adapter: Pick<ClusterAdapter, 'status'>;
  clock: () => number;
  /** Pause between two polls (each poll also takes as long as the status call). */
  intervalMs: number;
  /** The sandbox member name of a status member (ZooKeeper reports server.N, for one). */
  memberName: (member: MemberStatus) => string;
  sleep: (ms: number) => Promise<void>;
}

export interface LeaderWatch {
  /** Every poll, in order (`leaderChanges` reduces them to the timeline). */
  readonly observations: readonly LeaderObservation[];
  readonly lastStatus: ClusterStatus | undefined;
  current(): string | null;
  /** Resolves true once `ready` holds for a fresh status, false after `timeoutMs`. */
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
  let lastStatus: ClusterStatus | undefined;
  let stopped = false;
  let polls = 0;
  const listeners = new Set<() => void>();

  const loop = (async () => {
    while (!stopped) {
      let observation: LeaderObservation;
      try {
        const status = await options.adapter.status();
        lastStatus = status;
        observation = { atMs: options.clock(), leader: leaderName(status, options.memberName) };
        if (status.term !== undefined && observation.leader !== null)
          observation.term = status.term;
      } catch {
        lastStatus = undefined;
        observation = { atMs: options.clock(), leader: null };
      }
      observations.push(observation);
      polls++;
      for (const listener of listeners) listener();
      if (!stopped) await options.sleep(options.intervalMs);
    }
  })();

  return {
    observations,
    get lastStatus() {
      return lastStatus;
    },
    current: () => observations[observations.length - 1]?.leader ?? null,
    waitUntil: (ready, timeoutMs) =>
      new Promise<boolean>((resolve) => {
        const startPolls = polls;
        const deadline = options.clock() + timeoutMs;
        const check = () => {
          // Only a status taken after the wait began counts.
          if (polls > startPolls && lastStatus !== undefined && ready(lastStatus)) finish(true);
          else if (options.clock() >= deadline || stopped) finish(false);
        };
        const finish = (result: boolean) => {
          listeners.delete(check);
          resolve(result);
        };
        listeners.add(check);
      }),
    stop: async () => {
      stopped = true;
      await loop;
      for (const listener of listeners) listener();
    },
  };
}
