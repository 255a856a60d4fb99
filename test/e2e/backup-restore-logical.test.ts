// `backup restore --execute` for a logical backup, end to end: a ZooKeeper tree backed up from
// one sandbox and re-created in another through the CLI, refused the second time.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SandboxRecord } from '../../sandbox/index.js';
import { ZooKeeperDataClient } from '../../systems/zookeeper/client.js';
import { createCliHome, type CliHome } from '../support/cli.js';
import { allStarted } from '../support/all-started.js';

describe('backup restore --execute into a ZooKeeper sandbox', { timeout: 120_000 }, () => {
  let home: CliHome;
  let dest: string;
  let source: SandboxRecord;
  let target: SandboxRecord;

  before(async () => {
    home = await createCliHome();
    dest = await mkdtemp(join(tmpdir(), 'quorumctl-restore-'));
    [source, target] = await allStarted([
      home.sandboxUp('zk-source', ['--kind', 'zookeeper', '--no-context']),
      home.sandboxUp('zk-target', ['--kind', 'zookeeper', '--no-context']),
    ]);
    const client = await ZooKeeperDataClient.connect(source.endpoints, { timeoutMs: 10_000 });
    try {
      await client.create('/app', Buffer.from('root'));
      for (let index = 0; index < 20; index += 1) {
        await client.create(`/app/item-${index}`, Buffer.from(`value ${index}`));
      }
    } finally {
      await client.close();
    }
  });

  after(async () => {
    await home.cleanup();
    await rm(dest, { recursive: true, force: true });
  });

  test('the tree comes back whole, and a second restore is refused', async () => {
    const endpoint = `zookeeper://${source.endpoints[0]?.replace('tcp://', '') ?? ''}`;
    const create = await home.run(['backup', 'create', '-e', endpoint, '-d', dest, '-o', 'json'], {
      timeoutMs: 60_000,
    });
    assert.equal(create.code, 0, create.stderr + create.stdout);
    const name = (JSON.parse(create.stdout) as { result: { manifest: { name: string } } }).result
      .manifest.name;

    const restore = await home.run(
      ['backup', 'restore', name, '-d', dest, '--sandbox', 'zk-target', '--execute', '-o', 'json'],
      { timeoutMs: 60_000 },
    );
    assert.equal(restore.code, 0, restore.stderr + restore.stdout);
    const report = (
      JSON.parse(restore.stdout) as {
        result: { restored: Record<string, number>; mismatches: unknown[] };
      }
    ).result;
    assert.ok((report.restored.znodes ?? 0) >= 21, JSON.stringify(report.restored));
    assert.deepEqual(report.mismatches, []);

    const reader = await ZooKeeperDataClient.connect(target.endpoints, { timeoutMs: 10_000 });
    try {
      assert.equal((await reader.getData('/app/item-7')).data.toString(), 'value 7');
    } finally {
      await reader.close();
    }

    const again = await home.run(
      ['backup', 'restore', name, '-d', dest, '--sandbox', 'zk-target', '--execute'],
      { timeoutMs: 60_000 },
    );
    assert.notEqual(again.code, 0, 'a cluster that holds data is never overwritten');
    assert.match(again.stderr, /Error \(/);
  });
});
