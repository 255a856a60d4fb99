// The defrag and NOSPACE executors against a scripted in-memory etcd: order, leader last
// after a move, the guard re-checked at execution, the health gate's timeout (exit 5),
// Ctrl-C (interrupted, nothing new started), and the write probe.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assembleClusterStatus } from '../../core/cluster-status.js';
import type { MemberRef } from '../../core/check/observations.js';
import { planDefrag } from '../../core/maintenance/defrag-plan.js';
import { planNospaceRecovery } from '../../core/maintenance/nospace-plan.js';
import type { ClusterAlarm, ClusterStatus } from '../../core/model.js';
import type { Capability, ClusterAdapter, LeaderTransferRequest } from '../../core/ports.js';
import type { ProgressEvent } from '../../core/progress.js';
import { executeDefragPlan } from '../../ops/maintenance/defrag.js';
import { exitCodeOf } from '../../ops/maintenance/plan-runner.js';
import { executeNospaceRecovery, type WriteProbe } from '../../ops/maintenance/recover-nospace.js';
import { reachableMember } from '../support/members.js';

const MIB = 2 ** 20;

interface FakeMember {
  name: string;
  reachable: boolean;
  dbSizeBytes: number;
  inUseBytes: number;
}

/** Three members, n2 leads; every call is logged; hooks run after a defragment. */
class FakeEtcd implements ClusterAdapter {
  readonly kind = 'etcd' as const;
  readonly capabilities = new Set<Capability>(['status', 'defragment', 'transferLeader', 'alarms']);
  leader = 'n2';
  log: string[] = [];
  alarms: ClusterAlarm[] = [];
  afterDefragment: (name: string) => void = () => undefined;
  members: FakeMember[] = ['n1', 'n2', 'n3'].map((name) => ({
    name,
    reachable: true,
    dbSizeBytes: 200 * MIB,
    inUseBytes: 20 * MIB,
  }));

  status(): Promise<ClusterStatus> {
    return Promise.resolve(this.snapshot());
  }

  private snapshot(): ClusterStatus {
    return assembleClusterStatus({
      cluster: 'fake',
      kind: 'etcd',
      members: this.members.map((member) =>
        member.reachable
          ? reachableMember(member.name, {
              role: member.name === this.leader ? 'leader' : 'follower',
              leaderId: `id-${this.leader}`,
              dbSizeBytes: member.dbSizeBytes,
              dbSizeInUseBytes: member.inUseBytes,
            })
          : {
              id: `id-${member.name}`,
              name: member.name,
              endpoint: `http://${member.name}:2379`,
              role: 'unknown',
              voter: true,
              reachable: false,
              error: { code: 'ECONNREFUSED', message: 'connection refused' },
              alarms: [],
            },
      ),
      alarms: this.alarms,
      observedAt: new Date(0),
    });
  }

  defragment(member: MemberRef): Promise<void> {
    this.log.push(`defragment ${member.name} (leader ${this.leader})`);
    const entry = this.members.find((m) => m.name === member.name)!;
    entry.dbSizeBytes = entry.inUseBytes;
    this.afterDefragment(member.name);
    return Promise.resolve();
  }

  transferLeader(request: LeaderTransferRequest) {
    const from = this.leader;
    this.leader = request.to!.name;
    this.log.push(`move ${from} -> ${this.leader}`);
    return Promise.resolve({ from, to: this.leader });
  }

  compact() {
    this.log.push('compact');
    return Promise.resolve({ revision: 42 });
  }

  listAlarms() {
    return Promise.resolve(this.alarms);
  }

  disarmAlarm(alarm: ClusterAlarm) {
    this.log.push(`disarm ${alarm.alarm} ${alarm.memberId}`);
    this.alarms = this.alarms.filter((a) => a !== alarm);
    return Promise.resolve();
  }

  close() {
    return Promise.resolve();
  }
}

/** Fake time: sleeping advances the monotonic clock instantly. */
function fakeTime() {
  let ms = 0;
  return {
    sleep: (wait: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      ms += wait;
      return Promise.resolve();
    },
    monotonicNow: () => ms,
  };
}

const settings = {
  gate: { maxLagEntries: 100, stablePolls: 2, pollIntervalMs: 500, timeoutMs: 5_000 },
  waitBetweenMs: 1_000,
};

async function run(fake: FakeEtcd, signal?: AbortSignal) {
  const plan = planDefrag(await fake.status(), { maxLagEntries: 100 });
  const events: ProgressEvent[] = [];
  const result = await executeDefragPlan(fake, plan, settings, {
    progress: { report: (event) => events.push(event) },
    ...fakeTime(),
    ...(signal !== undefined && { signal }),
  });
  return { ...result, events };
}

describe('executeDefragPlan', () => {
  it('defragments followers, moves leadership, then the former leader; sizes and leader per step', async () => {
    const fake = new FakeEtcd();
    const { report, events } = await run(fake);
    assert.equal(report.result, 'succeeded');
    assert.deepEqual(fake.log, [
      'defragment n1 (leader n2)',
      'defragment n3 (leader n2)',
      'move n2 -> n1',
      'defragment n2 (leader n1)',
    ]);
    const last = report.outcomes.find((o) => o.index === 6)!;
    assert.equal(last.details?.leaderAtStart, 'n1');
    assert.equal(last.details?.dbSizeBeforeBytes, 200 * MIB);
    assert.equal(last.details?.dbSizeAfterBytes, 20 * MIB);
    assert.deepEqual(report.outcomes.find((o) => o.index === 5)!.details, {
      from: 'n2',
      to: 'n1',
      tookMs: 0,
    });
    // --wait between members, not after the last one.
    assert.equal(report.outcomes.find((o) => o.index === 2)!.details?.waitedMs, 1000);
    assert.equal(report.outcomes.find((o) => o.index === 7)!.details?.waitedMs, undefined);
    assert.deepEqual(
      events.filter((e) => e.step === '1').map((e) => e.state),
      ['running', 'done'],
    );
    assert.match(
      events.find((e) => e.step === '1' && e.state === 'done')!.detail!,
      /200\.0 MiB -> 20\.0 MiB/,
    );
    assert.equal(exitCodeOf({ report }), 0);
  });

  it('a member leading when its turn comes hands leadership over first', async () => {
    const fake = new FakeEtcd();
    fake.afterDefragment = (name) => {
      if (name === 'n1') fake.leader = 'n3';
    };
    const { report } = await run(fake);
    assert.equal(report.result, 'succeeded');
    assert.deepEqual(fake.log, [
      'defragment n1 (leader n2)',
      'move n3 -> n1',
      'defragment n3 (leader n1)',
      'defragment n2 (leader n1)',
    ]);
    assert.equal(report.outcomes.find((o) => o.index === 3)!.details?.leaderMovedFirstTo, 'n1');
    assert.equal(report.outcomes.find((o) => o.index === 5)!.status, 'skipped');
  });

  it('re-checks the guard at execution: a member lost since planning refuses (exit 4, nothing changed)', async () => {
    const fake = new FakeEtcd();
    const plan = planDefrag(await fake.status(), { maxLagEntries: 100 });
    fake.members[2]!.reachable = false;
    const result = await executeDefragPlan(fake, plan, settings, {
      progress: { report: () => undefined },
      ...fakeTime(),
    });
    assert.equal(result.report.result, 'failed');
    assert.equal(result.failure?.code, 'DEFRAG_WOULD_LOSE_QUORUM');
    assert.match(result.report.outcomes[0]!.error!.message, /leaves 1 of 3 healthy voters/);
    assert.deepEqual(fake.log, []);
    assert.equal(exitCodeOf(result), 4);
  });

  it('a member that does not come back fails its health gate: stop, name it, exit 5', async () => {
    const fake = new FakeEtcd();
    fake.afterDefragment = (name) => {
      if (name === 'n3') fake.members[2]!.reachable = false;
    };
    const result = await run(fake);
    assert.equal(result.report.result, 'failed');
    assert.equal(result.failure?.code, 'HEALTH_GATE_TIMEOUT');
    assert.match(
      result.failure.message,
      /^n3 did not pass the health gate within 5 s: n3 does not answer/,
    );
    assert.deepEqual(fake.log, ['defragment n1 (leader n2)', 'defragment n3 (leader n2)']);
    assert.equal(exitCodeOf(result), 5);
  });

  it('Ctrl-C finishes the defragment in hand, starts nothing new, reports interrupted', async () => {
    const fake = new FakeEtcd();
    const controller = new AbortController();
    fake.afterDefragment = () => {
      controller.abort();
    };
    const result = await run(fake, controller.signal);
    assert.equal(result.report.result, 'interrupted');
    assert.deepEqual(fake.log, ['defragment n1 (leader n2)']);
    assert.equal(result.report.outcomes[0]?.status, 'done');
    assert.equal(exitCodeOf(result), 130);
  });
});

describe('executeNospaceRecovery', () => {
  it('compacts, defragments, disarms NOSPACE and proves a write', async () => {
    const fake = new FakeEtcd();
    fake.alarms = [
      { memberId: 'id-n1', alarm: 'NOSPACE' },
      { memberId: 'id-n2', alarm: 'NOSPACE' },
    ];
    const writes: string[] = [];
    const probe: WriteProbe = {
      put: (key) => {
        writes.push(`put ${key}`);
        return Promise.resolve();
      },
      delete: (key) => {
        writes.push(`delete ${key}`);
        return Promise.resolve();
      },
    };
    const plan = planNospaceRecovery(await fake.status(), { maxLagEntries: 100 });
    const result = await executeNospaceRecovery(fake, probe, plan, settings, {
      progress: { report: () => undefined },
      ...fakeTime(),
    });
    assert.equal(result.report.result, 'succeeded');
    assert.deepEqual(
      fake.log.filter((line) => !line.startsWith('defragment')),
      ['compact', 'move n2 -> n1', 'disarm NOSPACE id-n1', 'disarm NOSPACE id-n2'],
    );
    assert.equal(fake.alarms.length, 0);
    assert.match(writes[0]!, /^put quorumctl\/probe\//);
    assert.equal(writes[1], writes[0]!.replace('put', 'delete'));
  });

  it('writes still refused after recovery: exit 5 with what to do', async () => {
    const fake = new FakeEtcd();
    const probe: WriteProbe = {
      put: () => Promise.reject(new Error('etcdserver: mvcc: database space exceeded')),
      delete: () => Promise.resolve(),
    };
    const plan = planNospaceRecovery(await fake.status(), { maxLagEntries: 100 });
    const result = await executeNospaceRecovery(fake, probe, plan, settings, {
      progress: { report: () => undefined },
      ...fakeTime(),
    });
    assert.equal(result.failure?.code, 'WRITES_STILL_REFUSED');
    assert.match(result.failure.actions.join('\n'), /quota-backend-bytes/);
    assert.equal(exitCodeOf(result), 5);
  });
});
