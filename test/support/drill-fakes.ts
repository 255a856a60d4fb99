/**
 * Fakes for drill tests: an in-memory register store whose writes leave records as the real
 * stores do, and a scripted 3-member cluster whose leader hands over 40 ms after a fault hits
 * it, with a fault injector that records what it was asked.
 */
import type {
  FaultInjector,
  FaultRecord,
  FaultSpec,
  HealReport,
} from '../../chaos/faults/types.js';
import type { KeyValueClient, WorkloadStore } from '../../chaos/workload/client.js';
import type { ClusterStatus } from '../../core/model.js';
import { summarizeQuorum } from '../../core/quorum.js';

export const DRILL_MEMBERS = ['n1', 'n2', 'n3'];
const MEMBERS = DRILL_MEMBERS;

/** Registers in memory: every write also leaves a record, as the real stores do. */
export function memoryStore() {
  const values = new Map<string, string | null>();
  const records = new Set<string>();
  let cleaned = false;
  const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
  const client: KeyValueClient = {
    read: async (key) => {
      await tick();
      return { outcome: 'ok', result: values.get(key) ?? null };
    },
    write: async (key, value) => {
      await tick();
      values.set(key, value);
      records.add(`rec/${value}`);
      return { outcome: 'ok', receipt: `rec/${value}` };
    },
    cas: async (key, expected, value) => {
      await tick();
      if ((values.get(key) ?? null) !== expected)
        return { outcome: 'fail', error: 'compare failed' };
      values.set(key, value);
      records.add(`rec/${value}`);
      return { outcome: 'ok', receipt: `rec/${value}` };
    },
    close: () => Promise.resolve(),
  };
  const store: WorkloadStore = {
    location: 'memory',
    prepare: () => Promise.resolve(),
    openClient: () => Promise.resolve(client),
    findWrites: (writes) =>
      Promise.resolve(
        new Set(writes.map((write) => write.receipt).filter((receipt) => records.has(receipt))),
      ),
    cleanup: () => {
      cleaned = true;
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  return { store, isCleaned: () => cleaned };
}

/** A cluster whose leader hands over 40 ms after a fault hits it; the injector records calls. */
export function fakeCluster(leftovers: FaultRecord[] = []) {
  let leader = 'n1';
  let term = 2;
  const injected: FaultSpec[] = [];
  const healed: string[] = [];
  let healAllCalls = 0;
  const injector: FaultInjector = {
    inject: (spec) => {
      injected.push(spec);
      if (spec.members.includes(leader)) {
        const next = MEMBERS.find((member) => !spec.members.includes(member)) ?? 'n2';
        setTimeout(() => {
          leader = next;
          term++;
        }, 40);
      }
      return Promise.resolve({
        id: `f${injected.length}`,
        scope: { stateDir: '/tmp', sandbox: 't' },
        spec,
        appliedAt: new Date().toISOString(),
        ownerPid: process.pid,
        undo: {},
      });
    },
    heal: (record) => {
      healed.push(record.id);
      return Promise.resolve();
    },
    healAll: (): Promise<HealReport> => {
      healAllCalls++;
      const report = { healed: [...leftovers], failed: [] };
      leftovers = [];
      return Promise.resolve(report);
    },
    active: () => Promise.resolve([]),
  };
  const status = (): Promise<ClusterStatus> =>
    Promise.resolve({
      cluster: 'sandbox-t',
      kind: 'etcd',
      leaderId: leader,
      term,
      members: MEMBERS.map((name) => ({
        id: name,
        name,
        endpoint: `http://${name}`,
        role: name === leader ? 'leader' : 'follower',
        voter: true,
        reachable: true,
        alarms: [],
      })),
      quorum: summarizeQuorum(3, 3),
      alarms: [],
      observedAt: new Date().toISOString(),
    });
  return {
    injector,
    adapter: { status },
    leaderProbe: () => Promise.resolve({ leader, term }),
    injected,
    healed,
    healAllCalls: () => healAllCalls,
  };
}
