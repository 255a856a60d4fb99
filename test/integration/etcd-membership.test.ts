// etcd membership through the adapter against a real 3-member sandbox: learner add, refusals, promote, remove.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isQuorumctlError } from '../../core/errors.js';
import { LEARNER_NOT_READY } from '../../core/maintenance/membership-plan.js';
import type { ClusterStatus } from '../../core/model.js';
import type { ClusterAdapter } from '../../core/ports.js';
import {
  sandboxAddMember,
  sandboxDown,
  sandboxRemoveMember,
  sandboxReserveMember,
  sandboxUp,
  type SandboxRecord,
} from '../../sandbox/index.js';
import { readRecord } from '../../sandbox/state.js';
import { connect } from '../../systems/etcd/adapter.js';

const SANDBOX = 'members-it';

async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('etcd membership against a real 3-member sandbox', { timeout: 120_000 }, () => {
  let stateDir: string;
  let record: SandboxRecord;
  let adapter: ClusterAdapter;

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-members-it-'));
    record = await sandboxUp({ stateDir, name: SANDBOX, kind: 'etcd', members: 3 });
    adapter = connect(
      { name: SANDBOX, kind: 'etcd', endpoints: record.endpoints },
      { timeoutMs: 2000 },
    );
  });

  after(async () => {
    await sandboxDown(stateDir, SANDBOX, { graceMs: 1000 }).catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  });

  test('capability and refusals: promote a voter, remove an unknown ID', async () => {
    assert.ok(adapter.capabilities.has('membership'));
    const status = await adapter.status();
    const n2 = status.members.find((member) => member.name === 'n2');
    assert.ok(n2 !== undefined);
    await assert.rejects(adapter.promoteMember!(n2), (error: unknown) => {
      assert.ok(isQuorumctlError(error));
      assert.equal(error.code, 'NOT_A_LEARNER');
      return true;
    });
    await assert.rejects(
      adapter.removeMember!({ id: '12345', name: 'ghost', endpoint: '' }),
      (error: unknown) => isQuorumctlError(error) && error.code === 'MEMBER_UNKNOWN',
    );
  });

  test('a learner that has not started cannot be promoted (LEARNER_NOT_READY) and is removed by ID', async () => {
    const reserved = await sandboxReserveMember(stateDir, SANDBOX, { member: 'n9' });
    const added = await adapter.addMember!({
      name: 'n9',
      role: 'learner',
      peerUrls: reserved.peerUrls,
    });
    assert.match(added.id, /^\d+$/);
    const status = await adapter.status();
    const unstarted = status.members.find((member) => member.id === added.id);
    assert.equal(unstarted?.role, 'learner');
    assert.equal(unstarted?.error?.code, 'NOT_STARTED');
    await assert.rejects(
      adapter.promoteMember!({ id: added.id, name: 'n9', endpoint: '' }),
      (error: unknown) =>
        isQuorumctlError(error) && error.code === LEARNER_NOT_READY && error.exitCode === 4,
    );
    await adapter.removeMember!({ id: added.id, name: 'n9', endpoint: '' });
    assert.equal((await adapter.status()).members.length, 3);
  });

  test('add a learner, start it in the sandbox, promote it once in sync, remove it again', async () => {
    const reserved = await sandboxReserveMember(stateDir, SANDBOX);
    assert.equal(reserved.slot.name, 'n4');
    const added = await adapter.addMember!({
      name: 'n4',
      role: 'learner',
      peerUrls: reserved.peerUrls,
      clientUrls: reserved.clientUrls,
    });
    const initialCluster = added.startEnvironment?.ETCD_INITIAL_CLUSTER ?? '';
    assert.deepEqual(
      initialCluster
        .split(',')
        .map((entry) => entry.split('=')[0])
        .sort(),
      ['n1', 'n2', 'n3', 'n4'],
    );
    assert.equal(added.startEnvironment?.ETCD_INITIAL_CLUSTER_STATE, 'existing');

    await sandboxAddMember(stateDir, SANDBOX, { member: 'n4', role: 'learner', reserved });
    const learning = await until(
      () => adapter.status(),
      (status: ClusterStatus) =>
        status.members.some((m) => m.id === added.id && m.reachable && m.commitIndex !== undefined),
    );
    const learner = learning.members.find((member) => member.id === added.id);
    assert.equal(learner?.name, 'n4');
    assert.equal(learner?.role, 'learner');
    assert.equal(learner?.voter, false);
    assert.equal(learning.quorum.voters, 3);

    // etcd may still call it out of sync for a moment: retry as the executor does.
    const ref = { id: added.id, name: 'n4', endpoint: learner?.endpoint ?? '' };
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        await adapter.promoteMember!(ref);
        break;
      } catch (error) {
        if (!isQuorumctlError(error) || error.code !== LEARNER_NOT_READY) throw error;
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    const promoted = await until(
      () => adapter.status(),
      (status: ClusterStatus) => status.quorum.voters === 4 && status.quorum.healthyVoters === 4,
    );
    assert.equal(promoted.quorum.voters, 4);
    assert.equal(promoted.members.find((m) => m.id === added.id)?.voter, true);
    assert.deepEqual(
      (await readRecord(stateDir, SANDBOX))?.members.map((m) => m.name),
      ['n1', 'n2', 'n3', 'n4'],
    );

    await adapter.removeMember!(ref);
    await sandboxRemoveMember(stateDir, SANDBOX, 'n4');
    const back = await until(
      () => adapter.status(),
      (status: ClusterStatus) => status.members.length === 3 && status.quorum.healthyVoters === 3,
    );
    assert.equal(back.quorum.voters, 3);
    assert.equal(back.leaderId !== undefined, true);
    const after = await readRecord(stateDir, SANDBOX);
    assert.deepEqual(
      after?.members.map((m) => m.name),
      ['n1', 'n2', 'n3'],
    );
    assert.equal(after?.endpoints.length, 3);
  });
});
