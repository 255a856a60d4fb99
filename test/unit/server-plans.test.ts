// Sandbox plans (pure): the flags and config files each kind of server is started with.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { UsageError } from '../../core/errors.js';
import { etcdKind } from '../../sandbox/etcd.js';
import { assertSandboxName, defaultStateDir, sandboxLayout } from '../../sandbox/layout.js';
import { natsKind } from '../../sandbox/nats.js';
import { allocatePorts } from '../../sandbox/ports.js';
import type { MemberSlot } from '../../sandbox/server-kind.js';
import { readRecord, writeRecord } from '../../sandbox/state.js';
import type { SandboxRecord } from '../../sandbox/types.js';
import { zookeeperKind } from '../../sandbox/zookeeper.js';

const slots = (portNames: readonly string[]): MemberSlot[] =>
  [1, 2, 3].map((index) => ({
    name: `n${index}`,
    ports: Object.fromEntries(
      portNames.map((portName, offset) => [portName, 20000 + index * 10 + offset]),
    ),
    dataDir: `/state/data/n${index}`,
    logFile: `/state/logs/n${index}.log`,
  }));

function flagValue(args: readonly string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index === -1 ? undefined : args[index + 1];
}

describe('etcd plan', () => {
  const launches = etcdKind.plan({
    sandbox: 'demo',
    confDir: '/state/conf',
    members: slots(etcdKind.portNames),
  });
  test('every member knows the whole initial cluster and advertises its own loopback URLs', () => {
    assert.equal(launches.length, 3);
    for (const launch of launches) {
      assert.equal(
        flagValue(launch.args, '--initial-cluster'),
        'n1=http://127.0.0.1:20011,n2=http://127.0.0.1:20021,n3=http://127.0.0.1:20031',
      );
      assert.equal(flagValue(launch.args, '--advertise-client-urls'), launch.clientUrl);
      assert.equal(flagValue(launch.args, '--initial-cluster-state'), 'new');
    }
    assert.equal(launches[0]?.clientUrl, 'http://127.0.0.1:20010');
  });
  test('the cluster token is unique per sandbox name, so two sandboxes never join each other', () => {
    const other = etcdKind.plan({
      sandbox: 'other',
      confDir: '/state/conf',
      members: slots(etcdKind.portNames),
    });
    assert.notEqual(
      flagValue(launches[0]!.args, '--initial-cluster-token'),
      flagValue(other[0]!.args, '--initial-cluster-token'),
    );
  });
});

describe('ZooKeeper plan', () => {
  const launches = zookeeperKind.plan({
    sandbox: 'zk',
    confDir: '/state/conf',
    members: slots(zookeeperKind.portNames),
  });
  test('a shared dynamic membership, a myid per server, reconfig on and the AdminServer on its own port', () => {
    const dynamic = launches[0]!.files.find((file) => file.path.endsWith('.dynamic'))!.content;
    assert.equal(
      dynamic,
      'server.1=127.0.0.1:20011:20012:participant;127.0.0.1:20010\nserver.2=127.0.0.1:20021:20022:participant;127.0.0.1:20020\nserver.3=127.0.0.1:20031:20032:participant;127.0.0.1:20030\n',
    );
    launches.forEach((launch, index) => {
      assert.equal(
        launch.files.find((file) => file.path.endsWith('/myid'))?.content,
        `${index + 1}\n`,
      );
      const config = launch.files.find((file) => file.path.endsWith(`${launch.name}.cfg`))!.content;
      for (const line of [
        'reconfigEnabled=true',
        'standaloneEnabled=false',
        '4lw.commands.whitelist=*',
        'tickTime=500',
        `admin.serverPort=${20013 + (index + 1) * 10 - 10}`,
      ]) {
        assert.ok(config.split('\n').includes(line), `${launch.name}.cfg has ${line}`);
      }
      assert.equal(launch.args.at(-2), 'org.apache.zookeeper.server.quorum.QuorumPeerMain');
    });
  });
});

describe('NATS plan', () => {
  test('JetStream on, every server routes to every server, monitoring on its own port', () => {
    const launches = natsKind.plan({
      sandbox: 'js',
      confDir: '/state/conf',
      members: slots(natsKind.portNames),
    });
    const config = launches[1]!.files[0]!.content;
    assert.match(config, /^server_name: n2$/m);
    assert.match(config, /jetstream \{ store_dir: "\/state\/data\/n2" \}/);
    assert.match(
      config,
      /routes: \[nats-route:\/\/127\.0\.0\.1:20011, nats-route:\/\/127\.0\.0\.1:20021, nats-route:\/\/127\.0\.0\.1:20031\]/,
    );
    assert.equal(launches[1]!.monitorUrl, 'http://127.0.0.1:20022');
  });
});

describe('names, layout, ports and the state file', () => {
  test('sandbox names', () => {
    for (const name of ['demo', 'etcd-5', 'a', 'x'.repeat(32)])
      assert.doesNotThrow(() => {
        assertSandboxName(name);
      });
    for (const name of ['', 'Demo', '-x', 'a b', 'x'.repeat(33), '../etc']) {
      assert.throws(
        () => {
          assertSandboxName(name);
        },
        (error) => error instanceof UsageError && error.code === 'SANDBOX_NAME_INVALID',
      );
    }
  });
  test('the state directory follows XDG_STATE_HOME', () => {
    assert.equal(defaultStateDir({ XDG_STATE_HOME: '/xdg/state' }), '/xdg/state/quorumctl');
    assert.match(defaultStateDir({}), /\/\.local\/state\/quorumctl$/);
  });
  test('allocated ports are distinct, below the ephemeral range, and avoid taken ones', async () => {
    const taken = new Set([20000, 20001]);
    // A "random" source that walks 20000, 20000, 20001, 20001, ...: duplicates and taken ports are skipped.
    let step = 0;
    const ports = await allocatePorts(4, taken, () => Math.floor(step++ / 2) / 12000);
    assert.deepEqual(ports, [20002, 20003, 20004, 20005]);
  });
  test('state file round-trip', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-state-'));
    try {
      const layout = sandboxLayout(stateDir, 'rt');
      const record: SandboxRecord = {
        name: 'rt',
        kind: 'etcd',
        version: '3.4.23',
        createdAt: '2026-11-29T00:00:00.000Z',
        dir: layout.dir,
        members: [],
        endpoints: [],
      };
      await mkdir(layout.dir, { recursive: true });
      await writeRecord(layout.stateFile, record);
      assert.deepEqual(await readRecord(stateDir, 'rt'), record);
      assert.equal(await readRecord(stateDir, 'absent'), undefined);
      assert.deepEqual(
        await readdir(layout.dir),
        ['sandbox.json'],
        'the temp file was renamed away',
      );
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
