// The drill's add-member driver against an in-memory etcd-like cluster: it retries the add
// while there is no leader or etcd refuses, promotes a learner etcd refused to promote once the
// cluster is healthy again, removes a learner that never gets promoted (cleanly absent), and
// cleanup() removes the member it added.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sandboxMembershipDriver } from '../../chaos/runner/sandbox-membership.js';
import { assembleClusterStatus } from '../../core/cluster-status.js';
import type { MemberRef } from '../../core/check/observations.js';
import { UnreachableError, UnsafeOperationError } from '../../core/errors.js';
import type { ClusterStatus, MemberStatus } from '../../core/model.js';
import type {
  AddedMember,
  AddMemberRequest,
  Capability,
  ClusterAdapter,
} from '../../core/ports.js';
import type { MemberProvisioner } from '../../ops/maintenance/members.js';
import type { SandboxRecord } from '../../sandbox/index.js';

interface FakeMember {
  id: string;
  name: string;
  voter: boolean;
  started: boolean;
}

class FakeEtcd implements ClusterAdapter {
  readonly kind = 'etcd' as const;
  readonly capabilities = new Set<Capability>(['status', 'membership']);
  readonly calls: string[] = [];
  members: FakeMember[] = ['n1', 'n2', 'n3'].map((name) => ({
    id: `id-${name}`,
    name,
    voter: true,
    started: true,
  }));
  /** Status reads that show no leader (an election after the leader was cut off). */
  leaderlessReads = 0;
  addRefusals = 0;
  /** Adds that are applied but whose answer is lost (MEMBERSHIP_CHANGE_UNKNOWN). */
  lostAnswers = 0;
  /** Promotions refused as `unhealthy cluster`; Infinity: never promoted. */
  promoteRefusals = 0;

  status(): Promise<ClusterStatus> {
    const leaderless = this.leaderlessReads > 0;
    if (leaderless) this.leaderlessReads -= 1;
    const members = this.members.map((member): MemberStatus => ({
      id: member.id,
      name: member.started ? member.name : '(unstarted)',
      endpoint: `http://${member.name}:2379`,
      role: !member.voter ? 'learner' : member.name === 'n1' && !leaderless ? 'leader' : 'follower',
      voter: member.voter,
      reachable: member.started,
      alarms: [],
      ...(member.started && { commitIndex: 100, term: 2 }),
      ...(member.started && !leaderless && { leaderId: 'id-n1' }),
    }));
    return Promise.resolve(
      assembleClusterStatus({ cluster: 'fake', kind: 'etcd', members, observedAt: new Date(0) }),
    );
  }

  addMember(request: AddMemberRequest): Promise<AddedMember> {
    if (this.addRefusals > 0) {
      this.addRefusals -= 1;
      this.calls.push('add refused');
      return Promise.reject(new UnsafeOperationError('ETCD_REFUSED', 'etcdserver: leader changed'));
    }
    this.calls.push(`add ${request.name} ${request.role}`);
    this.members.push({
      id: `id-${request.name}`,
      name: request.name,
      voter: false,
      started: false,
    });
    if (this.lostAnswers > 0) {
      this.lostAnswers -= 1;
      return Promise.reject(new UnreachableError('MEMBERSHIP_CHANGE_UNKNOWN', 'no answer in time'));
    }
    return Promise.resolve({ id: `id-${request.name}`, name: request.name });
  }

  promoteMember(member: MemberRef): Promise<void> {
    if (this.promoteRefusals > 0) {
      this.promoteRefusals -= 1;
      this.calls.push('promote refused');
      return Promise.reject(new UnsafeOperationError('CLUSTER_UNHEALTHY', 'unhealthy cluster'));
    }
    this.calls.push(`promote ${member.name}`);
    const found = this.members.find((candidate) => candidate.id === member.id);
    if (found !== undefined) found.voter = true;
    return Promise.resolve();
  }

  removeMember(member: MemberRef): Promise<void> {
    this.calls.push(`remove ${member.id}`);
    this.members = this.members.filter((candidate) => candidate.id !== member.id);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function provisionerFor(cluster: FakeEtcd, log: string[]): MemberProvisioner {
  return {
    reserve(name) {
      log.push(`reserve ${name}`);
      return Promise.resolve({ peerUrls: [`http://${name}:2380`], clientUrls: [] });
    },
    start(request) {
      log.push(`start ${request.name}`);
      const member = cluster.members.find((candidate) => candidate.name === request.name);
      if (member !== undefined) member.started = true;
      return Promise.resolve();
    },
    stop(member) {
      log.push(`stop ${member.name}`);
      return Promise.resolve();
    },
  };
}

const RECORD = {
  name: 'drill',
  kind: 'etcd',
  members: [{ name: 'n1' }, { name: 'n2' }, { name: 'n3' }],
} as unknown as SandboxRecord;

function driverFor(cluster: FakeEtcd, log: string[], budgetMs = 60_000) {
  let clockMs = 0;
  return sandboxMembershipDriver({
    stateDir: '/nonexistent',
    record: RECORD,
    adapter: cluster,
    provisioner: provisionerFor(cluster, log),
    budgetMs,
    now: () => clockMs,
    sleep: (ms) => {
      clockMs += ms;
      return Promise.resolve();
    },
  });
}

const context = { leader: 'n1', members: ['n1', 'n2', 'n3'] };

describe('the drill membership driver (add-member)', () => {
  it('retries through an election and refusals, then the member votes; cleanup removes it', async () => {
    const cluster = new FakeEtcd();
    cluster.leaderlessReads = 2;
    cluster.addRefusals = 2;
    cluster.promoteRefusals = 1;
    const log: string[] = [];
    const driver = driverFor(cluster, log);
    const detail = await driver.run('add-member', context);
    assert.match(detail, /^n4 joined as a learner and votes now \(3 attempts/);
    assert.deepEqual(cluster.calls, [
      'add refused',
      'add refused',
      'add n4 learner',
      'promote refused',
      'promote n4',
    ]);
    assert.equal(log.filter((entry) => entry === 'reserve n4').length, 1, 'reserved once');
    await driver.cleanup();
    assert.deepEqual(
      cluster.members.map((member) => member.name),
      ['n1', 'n2', 'n3'],
    );
    assert.equal(cluster.calls.at(-1), 'remove id-n4');
    assert.ok(log.includes('stop n4'));
  });

  it('a learner never promoted within the budget is removed again: cleanly absent', async () => {
    const cluster = new FakeEtcd();
    cluster.promoteRefusals = Number.POSITIVE_INFINITY;
    const log: string[] = [];
    const driver = driverFor(cluster, log, 5000);
    const detail = await driver.run('add-member', context);
    assert.match(detail, /n4 did not become a voter in time .*configuration is as before/);
    assert.deepEqual(
      cluster.members.map((member) => member.name),
      ['n1', 'n2', 'n3'],
    );
    await driver.cleanup();
    assert.equal(cluster.calls.filter((call) => call.startsWith('remove')).length, 1);
  });

  it('an add etcd never accepts leaves the configuration as it was', async () => {
    const cluster = new FakeEtcd();
    cluster.addRefusals = Number.POSITIVE_INFINITY;
    const log: string[] = [];
    const driver = driverFor(cluster, log, 3000);
    const detail = await driver.run('add-member', context);
    assert.match(
      detail,
      /^n4 was not added \(.*leader changed.*\): the configuration is as before$/,
    );
    assert.equal(cluster.members.length, 3);
    assert.ok(log.includes('stop n4'), 'the reservation is given back');
  });

  it('an add applied whose answer was lost: the member is started once and promoted', async () => {
    const cluster = new FakeEtcd();
    cluster.lostAnswers = 1;
    const log: string[] = [];
    const driver = driverFor(cluster, log);
    const detail = await driver.run('add-member', context);
    assert.match(detail, /^n4 joined as a learner and votes now \(1 attempt to add it\)$/);
    assert.deepEqual(cluster.calls, ['add n4 learner', 'promote n4']);
    assert.equal(log.filter((entry) => entry === 'start n4').length, 1);
    await driver.cleanup();
    assert.equal(cluster.members.length, 3);
  });
});
