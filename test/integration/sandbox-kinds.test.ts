// The sandbox against real servers: ZooKeeper and NATS ensembles come up with a leader and go away completely.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isUsageErrorWithCode } from '../support/errors.js';
import {
  sandboxDown,
  sandboxList,
  sandboxLogPaths,
  sandboxUp,
  stopMember,
} from '../../sandbox/index.js';
import { fourLetterWord } from '../../sandbox/probes.js';
import { isAlive } from '../../sandbox/processes.js';

describe('sandbox of real servers', { timeout: 120_000 }, () => {
  let stateDir: string;
  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-sandbox-'));
  });
  after(async () => {
    for (const listing of await sandboxList(stateDir))
      await sandboxDown(stateDir, listing.name, { graceMs: 500 }).catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  });

  test('ZooKeeper: three servers, exactly one leader, logs written, all gone after down', async () => {
    const record = await sandboxUp({ stateDir, name: 'zk', kind: 'zookeeper' });
    assert.equal(record.members.length, 3);
    assert.match(record.version, /^3\.\d+\.\d+$/);
    const modes = await Promise.all(
      record.members.map(
        async (member) =>
          /Mode: (\w+)/.exec(
            (await fourLetterWord('127.0.0.1', member.ports.client!, 'srvr', 1000)) ?? '',
          )?.[1],
      ),
    );
    assert.equal(modes.filter((mode) => mode === 'leader').length, 1);
    assert.equal(modes.filter((mode) => mode === 'follower').length, 2);
    const conf = await fourLetterWord('127.0.0.1', record.members[0]!.ports.client!, 'conf', 1000);
    assert.match(
      conf ?? '',
      /server\.3=127\.0\.0\.1:\d+:\d+:participant;127\.0\.0\.1:\d+/,
      'dynamic membership is in effect',
    );
    const [log] = await sandboxLogPaths(stateDir, 'zk', 'n1');
    assert.ok((await stat(log!.path)).size > 0, 'ZooKeeper logs into the member log');

    await sandboxDown(stateDir, 'zk', { graceMs: 2000 });
    assert.ok(
      record.members.every((member) => !isAlive(member.pid, 'QuorumPeerMain')),
      'no ZooKeeper process left',
    );
    await assert.rejects(stat(record.dir), { code: 'ENOENT' });
  });

  test('NATS: three JetStream servers with a meta leader', async () => {
    const record = await sandboxUp({ stateDir, name: 'nats', kind: 'nats' });
    const jsz = (await (await fetch(`${record.members[0]!.monitorUrl!}/jsz`)).json()) as {
      meta_cluster?: { leader?: string; cluster_size?: number };
    };
    assert.ok(record.members.some((member) => member.name === jsz.meta_cluster?.leader));
    assert.equal(jsz.meta_cluster?.cluster_size, 3);
    await sandboxDown(stateDir, 'nats', { graceMs: 2000 });
    assert.ok(
      record.members.every((member) => !isAlive(member.pid, 'nats-server')),
      'no NATS process left',
    );
    assert.deepEqual(await sandboxList(stateDir), []);
  });

  test('a single-member etcd; a crashed member is reported; a dead sandbox name can be reused', async () => {
    const record = await sandboxUp({ stateDir, name: 'solo', kind: 'etcd', members: 1 });
    await stopMember(stateDir, 'solo', 'n1');
    const [listing] = await sandboxList(stateDir);
    assert.equal(listing?.state, 'stopped');
    assert.deepEqual(
      listing?.liveness.map((member) => member.alive),
      [false],
    );
    const again = await sandboxUp({ stateDir, name: 'solo', kind: 'etcd', members: 1 });
    assert.notEqual(again.members[0]!.pid, record.members[0]!.pid);
    await sandboxDown(stateDir, 'solo', { graceMs: 1000 });
  });

  test('refusals: bad member count, bad name, unknown sandbox', async () => {
    await assert.rejects(
      sandboxUp({ stateDir, name: 'two', kind: 'etcd', members: 2 }),
      isUsageErrorWithCode('SANDBOX_MEMBERS_INVALID'),
    );
    await assert.rejects(
      sandboxUp({ stateDir, name: 'Bad_Name', kind: 'etcd' }),
      isUsageErrorWithCode('SANDBOX_NAME_INVALID'),
    );
    await assert.rejects(sandboxDown(stateDir, 'ghost'), isUsageErrorWithCode('SANDBOX_NOT_FOUND'));
  });
});
