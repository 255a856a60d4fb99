// The membership executor against an in-memory cluster that records every configuration change.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { assembleClusterStatus } from '../../core/cluster-status.js';
import type { MemberRef } from '../../core/check/observations.js';
import { UnsafeOperationError } from '../../core/errors.js';
import {
  LEARNER_NOT_READY,
  planAddMember,
  planPromoteMember,
  planRemoveMember,
  planReplaceMember,
} from '../../core/maintenance/membership-plan.js';
import type { MaintenancePlan } from '../../core/maintenance/plan.js';
import type { ClusterStatus, MemberStatus } from '../../core/model.js';
import type {
  AddedMember,
  AddMemberRequest,
  Capability,
  ClusterAdapter,
  LeaderTransferRequest,
  LeaderTransferResult,
} from '../../core/ports.js';
import type { ProgressEvent } from '../../core/progress.js';
import {
  catchUpOf,
  etaSeconds,
  executeMembershipPlan,
  type MemberProvisioner,
  type MembershipRun,
} from '../../ops/maintenance/members.js';
import { exitCodeOf } from '../../ops/maintenance/plan-runner.js';

interface FakeMember {
  id: string;
  name: string;
  voter: boolean;
  healthy: boolean;
  started: boolean;
  /** Polls of this learner so far: its index climbs 30 entries per poll from 10. */
  polls: number;
}

/** An etcd-like cluster in memory; `violations` lists changes that cost it its majority. */
class FakeCluster implements ClusterAdapter {
  readonly kind = 'etcd' as const;
  readonly capabilities = new Set<Capability>(['status', 'membership', 'transferLeader']);
  readonly calls: string[] = [];
  readonly violations: string[] = [];
  leader: string;
  /** Learners stay at index 10 (never catch up) when false. */
  learnersCatchUp = true;
  /** LEARNER_NOT_READY answers before a promotion is accepted. */
  promoteRefusals = 0;
  /** Runs at every status read: lets a test crash members while a plan executes. */
  onStatus: ((cluster: FakeCluster) => void) | undefined;

  constructor(public members: FakeMember[]) {
    this.leader = members.find((member) => member.healthy && member.voter)?.id ?? '';
  }

  static of(spec: string): FakeCluster {
    return new FakeCluster(
      spec.split(' ').map((token) => {
        const [name = '', code = 'F'] = token.split(':');
        return {
          id: `id-${name}`,
          name,
          voter: code !== 'l',
          healthy: code !== 'D',
          started: true,
          polls: 0,
        };
      }),
    );
  }

  status(): Promise<ClusterStatus> {
    this.onStatus?.(this);
    const leaderUp = this.members.some((m) => m.id === this.leader && m.healthy && m.started);
    const members = this.members.map((member): MemberStatus => {
      const reachable = member.healthy && member.started;
      if (reachable && !member.voter) member.polls += 1;
      const index = member.voter
        ? 100
        : this.learnersCatchUp
          ? Math.min(100, 10 + 30 * (member.polls - 1))
          : 10;
      return {
        id: member.id,
        name: member.started ? member.name : '(unstarted)',
        endpoint: `http://${member.name}:2379`,
        role: !member.voter ? 'learner' : member.id === this.leader ? 'leader' : 'follower',
        voter: member.voter,
        reachable,
        alarms: [],
        ...(reachable && { commitIndex: index, term: 2 }),
        ...(reachable && leaderUp && { leaderId: this.leader }),
      };
    });
    return Promise.resolve(
      assembleClusterStatus({
        cluster: 'fake',
        kind: 'etcd',
        members: leaderUp ? members : members.map((m) => ({ ...m, role: 'follower' as const })),
        observedAt: new Date(0),
      }),
    );
  }

  addMember(request: AddMemberRequest): Promise<AddedMember> {
    this.change(`add ${request.name} ${request.role}`, () => {
      this.members.push({
        id: `id-${request.name}`,
        name: request.name,
        voter: request.role === 'voter',
        healthy: true,
        started: false,
        polls: 0,
      });
    });
    return Promise.resolve({ id: `id-${request.name}`, name: request.name });
  }

  promoteMember(member: MemberRef): Promise<void> {
    if (this.promoteRefusals > 0) {
      this.promoteRefusals -= 1;
      return Promise.reject(new UnsafeOperationError(LEARNER_NOT_READY, 'not in sync'));
    }
    this.change(`promote ${member.name}`, () => {
      const found = this.members.find((candidate) => candidate.id === member.id);
      assert.ok(found !== undefined, `promote of unknown ${member.id}`);
      found.voter = true;
    });
    return Promise.resolve();
  }

  removeMember(member: MemberRef): Promise<void> {
    this.change(`remove ${member.name}`, () => {
      this.members = this.members.filter((candidate) => candidate.id !== member.id);
      if (this.leader === member.id) {
        this.leader = this.members.find((m) => m.voter && m.healthy && m.started)?.id ?? '';
      }
    });
    return Promise.resolve();
  }

  transferLeader(request: LeaderTransferRequest): Promise<LeaderTransferResult> {
    const from = this.leader;
    this.calls.push(`transfer ${request.to?.name ?? '?'}`);
    if (request.to !== undefined) this.leader = request.to.id;
    return Promise.resolve({ from, to: this.leader });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  healthy(): boolean {
    const voters = this.members.filter((member) => member.voter);
    const up = voters.filter((member) => member.healthy && member.started);
    return voters.length > 0 && up.length * 2 > voters.length;
  }

  /** Applies a configuration change; a change that takes the majority away is a violation. */
  private change(label: string, apply: () => void): void {
    this.calls.push(label);
    const before = this.healthy();
    apply();
    if (before && !this.healthy()) this.violations.push(label);
  }
}

function provisionerFor(cluster: FakeCluster, stopped: string[] = []): MemberProvisioner {
  return {
    start(request) {
      const member = cluster.members.find((candidate) => candidate.name === request.name);
      if (member !== undefined) member.started = true;
      return Promise.resolve();
    },
    stop(member) {
      stopped.push(member.name);
      return Promise.resolve();
    },
  };
}

function runOf(
  cluster: FakeCluster,
  plan: MaintenancePlan,
  extra: Partial<MembershipRun> = {},
): MembershipRun {
  let clockMs = 0;
  return {
    adapter: cluster,
    plan,
    joining: { name: 'n4', role: 'learner', peerUrls: ['http://n4:2380'] },
    provisioner: provisionerFor(cluster),
    catchUp: { timeoutMs: 10_000, onTimeout: 'remove' },
    now: () => clockMs,
    sleep: (ms) => {
      clockMs += ms;
      return Promise.resolve();
    },
    ...extra,
  };
}

describe('executeMembershipPlan', () => {
  it('replace: learner added, caught up, promoted, then the old member removed and stopped', async () => {
    const cluster = FakeCluster.of('n1 n2 n3');
    const plan = planReplaceMember(await cluster.status(), { old: 'n2', name: 'n4' });
    const stopped: string[] = [];
    const events: ProgressEvent[] = [];
    const outcome = await executeMembershipPlan(
      runOf(cluster, plan, {
        provisioner: provisionerFor(cluster, stopped),
        progress: { report: (event) => events.push(event) },
      }),
    );
    assert.equal(outcome.report.result, 'succeeded', JSON.stringify(outcome.failure));
    assert.deepEqual(cluster.calls, ['add n4 learner', 'promote n4', 'remove n2']);
    assert.deepEqual(stopped, ['n2']);
    assert.deepEqual(
      cluster.members.map((member) => `${member.name}:${member.voter}`),
      ['n1:true', 'n3:true', 'n4:true'],
    );
    assert.deepEqual(cluster.violations, []);
    assert.equal(outcome.added?.id, 'id-n4');
    // Catch-up was shown as a share of the leader's index, with an ETA once it moved.
    const catchUp = events.filter((e) => e.state === 'running' && e.detail?.includes('%'));
    const percents = catchUp.map((e) =>
      Number(/^(\d+)% of the leader's index/.exec(e.detail ?? '')?.[1]),
    );
    assert.ok(percents.length > 0 && percents.every((percent) => percent < 90), String(percents));
    assert.ok(catchUp.some((e) => /ETA \d+ s/.test(e.detail ?? '')));
    const caughtUp = outcome.report.outcomes.find((o) => o.index === 3);
    assert.equal(caughtUp?.details?.catchUpPercent, 100);
  });

  it('promotion refused while not in sync is retried with backoff', async () => {
    const cluster = FakeCluster.of('n1 n2 n3');
    cluster.promoteRefusals = 2;
    const plan = planAddMember(await cluster.status(), { name: 'n4' });
    const outcome = await executeMembershipPlan(runOf(cluster, plan));
    assert.equal(outcome.report.result, 'succeeded');
    const promote = outcome.report.outcomes.find((o) => o.index === 4);
    assert.equal(promote?.details?.attempts, 3);
  });

  it('catch-up timeout, --on-timeout remove: the learner is taken out again (exit 5)', async () => {
    const cluster = FakeCluster.of('n1 n2 n3');
    cluster.learnersCatchUp = false;
    const stopped: string[] = [];
    const plan = planAddMember(await cluster.status(), { name: 'n4' });
    const outcome = await executeMembershipPlan(
      runOf(cluster, plan, { provisioner: provisionerFor(cluster, stopped) }),
    );
    assert.equal(outcome.report.result, 'failed');
    assert.equal(outcome.failure?.code, 'CATCH_UP_TIMEOUT');
    assert.match(outcome.failure?.message ?? '', /reached 10% .*removed again/);
    assert.deepEqual(cluster.calls, ['add n4 learner', 'remove n4']);
    assert.deepEqual(stopped, ['n4']);
    assert.equal(exitCodeOf(outcome), 5);
  });

  it('catch-up timeout, --on-timeout leave: the learner stays for a later promote', async () => {
    const cluster = FakeCluster.of('n1 n2 n3');
    cluster.learnersCatchUp = false;
    const plan = planAddMember(await cluster.status(), { name: 'n4' });
    const outcome = await executeMembershipPlan(
      runOf(cluster, plan, { catchUp: { timeoutMs: 5000, onTimeout: 'leave' } }),
    );
    assert.equal(outcome.failure?.code, 'CATCH_UP_TIMEOUT');
    assert.ok(outcome.failure?.actions.some((action) => action.includes('members promote n4')));
    assert.deepEqual(cluster.calls, ['add n4 learner']);
    assert.equal(cluster.members.at(-1)?.voter, false);
  });

  it('re-checks the guard on fresh status: a member that died since planning stops the removal (exit 4)', async () => {
    const cluster = FakeCluster.of('n1 n2 n3');
    const plan = planRemoveMember(await cluster.status(), { name: 'n2' });
    cluster.onStatus = (fake) => {
      const n3 = fake.members.find((member) => member.name === 'n3');
      if (n3 !== undefined) n3.healthy = false;
    };
    const outcome = await executeMembershipPlan(runOf(cluster, plan));
    assert.equal(outcome.failure?.code, 'QUORUM_GUARD');
    assert.equal(
      outcome.failure?.message,
      'refused: removing n2 leaves 1 of 2 healthy voters; majority of 2 is 2',
    );
    assert.deepEqual(cluster.calls, []);
    assert.equal(exitCodeOf(outcome), 4);
  });

  it('removing the leader moves leadership first', async () => {
    const cluster = FakeCluster.of('n1 n2 n3');
    const plan = planRemoveMember(await cluster.status(), { name: 'n1', canTransferLeader: true });
    const outcome = await executeMembershipPlan(runOf(cluster, plan));
    assert.equal(outcome.report.result, 'succeeded', outcome.failure?.message);
    assert.deepEqual(cluster.calls, ['transfer n2', 'remove n1']);
  });

  it('an aborted run starts nothing new', async () => {
    const cluster = FakeCluster.of('n1 n2 n3');
    const plan = planReplaceMember(await cluster.status(), { old: 'n2', name: 'n4' });
    const controller = new AbortController();
    controller.abort();
    const outcome = await executeMembershipPlan(
      runOf(cluster, plan, { signal: controller.signal }),
    );
    assert.equal(outcome.report.result, 'interrupted');
    assert.deepEqual(cluster.calls, []);
  });
});

describe('catch-up arithmetic', () => {
  it('percent of the leader index, lag and the ETA from the closing rate', async () => {
    const status = await FakeCluster.of('n1 n2 n3 n4:l').status();
    const learner = status.members.find((member) => member.name === 'n4');
    assert.ok(learner !== undefined);
    const progress = catchUpOf(status, learner);
    assert.deepEqual(progress, {
      percent: 10,
      lagEntries: 90,
      learnerIndex: 10,
      leaderIndex: 100,
      caughtUp: false,
    });
    // 30 entries closed in 3 s: 60 to go is 6 s.
    assert.equal(etaSeconds({ at: 0, gap: 90 }, { ...progress, lagEntries: 60 }, 3000), 6);
    assert.equal(etaSeconds({ at: 0, gap: 90 }, progress, 3000), undefined);
  });
});

const arbitraryCluster = fc
  .tuple(fc.integer({ min: 1, max: 7 }), fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }))
  .map(([voters, down]) =>
    Array.from(
      { length: voters },
      (_, index) => `n${index + 1}${index > 0 && down[index] === true ? ':D' : ''}`,
    ).join(' '),
  );

const arbitraryChange = fc.record({
  op: fc.constantFrom('add', 'remove', 'replace', 'promote'),
  target: fc.integer({ min: 1, max: 9 }),
  /** A member that crashes at the nth status read of this change (0 = none). */
  crash: fc.integer({ min: 0, max: 8 }),
  crashAt: fc.integer({ min: 1, max: 6 }),
});

describe('property: executed plans never cost the cluster its majority', () => {
  it('random clusters, change sequences and crashes during execution', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbitraryCluster,
        fc.array(arbitraryChange, { minLength: 1, maxLength: 4 }),
        async (spec, changes) => {
          const cluster = FakeCluster.of(spec);
          let next = 10;
          for (const change of changes) {
            let reads = 0;
            cluster.onStatus = (fake) => {
              reads += 1;
              const victim = fake.members.find((m) => m.name === `n${change.crash}`);
              if (reads === change.crashAt && victim !== undefined) victim.healthy = false;
            };
            const status = await cluster.status();
            const name = `n${next}`;
            next += 1;
            let plan: MaintenancePlan;
            try {
              plan =
                change.op === 'add'
                  ? planAddMember(status, { name })
                  : change.op === 'remove'
                    ? planRemoveMember(status, {
                        name: `n${change.target}`,
                        canTransferLeader: true,
                      })
                    : change.op === 'replace'
                      ? planReplaceMember(status, {
                          old: `n${change.target}`,
                          name,
                          canTransferLeader: true,
                        })
                      : planPromoteMember(status, { name: `n${change.target}` });
            } catch {
              continue; // refused at planning: nothing ran
            }
            await executeMembershipPlan(
              runOf(cluster, plan, {
                joining: { name, role: 'learner', peerUrls: [`http://${name}:2380`] },
              }),
            );
          }
          assert.deepEqual(cluster.violations, [], cluster.calls.join(', '));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('manual provisioner', () => {
  it('prints the etcd flags of the member add answer, like etcdctl member add', async () => {
    const { manualProvisioner } = await import('../../cli/joining-member.js');
    let printed = '';
    await manualProvisioner('etcd', (text) => (printed += text)).start(
      {
        name: 'e4',
        role: 'learner',
        peerUrls: ['https://10.0.0.4:2380'],
        clientUrls: ['https://10.0.0.4:2379'],
      },
      {
        id: '123',
        name: 'e4',
        startEnvironment: {
          ETCD_NAME: 'e4',
          ETCD_INITIAL_CLUSTER: 'e1=https://10.0.0.1:2380,e4=https://10.0.0.4:2380',
          ETCD_INITIAL_ADVERTISE_PEER_URLS: 'https://10.0.0.4:2380',
          ETCD_INITIAL_CLUSTER_STATE: 'existing',
        },
      },
    );
    for (const flag of [
      "--name 'e4'",
      "--initial-cluster 'e1=https://10.0.0.1:2380,e4=https://10.0.0.4:2380'",
      "--initial-cluster-state 'existing'",
      "--initial-advertise-peer-urls 'https://10.0.0.4:2380'",
      "--listen-peer-urls 'https://10.0.0.4:2380'",
      "--advertise-client-urls 'https://10.0.0.4:2379'",
    ]) {
      assert.ok(printed.includes(flag), `${flag} missing from:\n${printed}`);
    }
    assert.match(printed, /EMPTY data directory/);
  });
});
