/**
 * ZooKeeper dynamic reconfig against a real 3-server sandbox: a 4th server started from
 * planJoin is added as an observer, promoted to participant and removed again; after each
 * change every server reports the same configuration version.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isQuorumctlError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { ClusterAdapter, ClusterTarget } from '../../core/ports.js';
import { sandboxDown, sandboxTarget, sandboxUp, type SandboxRecord } from '../../sandbox/index.js';
import { sandboxLayout } from '../../sandbox/layout.js';
import { allocatePorts } from '../../sandbox/ports.js';
import { isAlive, launchDetached, signal, waitUntil } from '../../sandbox/processes.js';
import type { MemberSlot } from '../../sandbox/server-kind.js';
import { zookeeperKind } from '../../sandbox/zookeeper.js';
import { connect } from '../../systems/zookeeper/adapter.js';
import { sendFourLetterWord } from '../../systems/zookeeper/four-letter-words.js';
import { parseConf } from '../../systems/zookeeper/parsers.js';

const OPTIONS = { timeoutMs: 3000 };

describe('ZooKeeper membership through dynamic reconfig (live)', { timeout: 180_000 }, () => {
  let stateDir: string;
  let record: SandboxRecord;
  let target: ClusterTarget;
  let adapter: ClusterAdapter;
  let joinerPid: number | undefined;
  let joiner: MemberSlot;
  /** The adapter with its membership operations, asserted present. */
  const members = () => {
    assert.equal(typeof adapter.addMember, 'function');
    return adapter as ClusterAdapter &
      Required<Pick<ClusterAdapter, 'addMember' | 'promoteMember' | 'removeMember'>>;
  };

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-zk-reconfig-'));
    record = await sandboxUp({ stateDir, name: 'zkreconfig', kind: 'zookeeper' });
    target = { name: record.name, kind: 'zookeeper', ...sandboxTarget(record) };
    adapter = connect(target, OPTIONS);
    const layout = sandboxLayout(stateDir, record.name);
    const taken = new Set(record.members.flatMap((member) => Object.values(member.ports)));
    const [client = 0, quorum = 0, election = 0, admin = 0] = await allocatePorts(4, taken);
    joiner = {
      name: 'n4',
      host: '127.0.0.1',
      ports: { client, quorum, election, admin },
      dataDir: layout.dataDir('n4'),
      logFile: layout.logFile('n4'),
    };
  });

  after(async () => {
    if (joinerPid !== undefined) {
      const pid = joinerPid;
      if (isAlive(pid, 'QuorumPeerMain')) signal(pid, 'SIGKILL');
      await waitUntil(() => !isAlive(pid, 'QuorumPeerMain'), 5000);
    }
    await adapter.close();
    await sandboxDown(stateDir, 'zkreconfig', { graceMs: 1000 }).catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  });

  test('the adapter offers membership but no leader transfer', () => {
    assert.ok(adapter.capabilities.has('membership'));
    assert.equal(adapter.capabilities.has('transferLeader'), false);
    assert.equal('transferLeader' in adapter, false);
  });

  test('removing a server the configuration does not have is refused before any change', async () => {
    await assert.rejects(
      members().removeMember({ id: '9', name: 'server.9', endpoint: '' }),
      (error: unknown) => {
        assert.ok(isQuorumctlError(error));
        assert.equal(error.code, 'MEMBER_NOT_FOUND');
        assert.equal(error.exitCode, ExitCode.usage);
        assert.match(error.message, /no server\.9 .*server\.1, server\.2, server\.3/);
        return true;
      },
    );
  });

  test('a session with digest credentials is accepted (the sandbox skips ACLs, so any identity may reconfigure)', async () => {
    const withAuth = connect(target, {
      ...OPTIONS,
      auth: { username: 'operator', password: 'pw' },
    });
    assert.ok(typeof withAuth.removeMember === 'function');
    await assert.rejects(
      (withAuth as Required<Pick<ClusterAdapter, 'removeMember'>>).removeMember({
        id: '7',
        name: 'server.7',
        endpoint: '',
      }),
      { code: 'MEMBER_NOT_FOUND' },
    );
  });

  test('a 4th server joins as an observer, is promoted, then removed; versions agree each time', async () => {
    const launch = zookeeperKind.planJoin?.({
      sandbox: record.name,
      confDir: sandboxLayout(stateDir, record.name).confDir,
      members: record.members.map((member) => ({
        name: member.name,
        host: '127.0.0.1',
        ports: member.ports,
        dataDir: member.dataDir,
        logFile: member.logFile,
      })),
      joining: joiner,
      role: 'observer',
    });
    assert.ok(launch !== undefined);
    await mkdir(joiner.dataDir, { recursive: true });
    for (const file of launch.files) {
      await mkdir(dirname(file.path), { recursive: true });
      await writeFile(file.path, file.content);
    }
    joinerPid = launchDetached({
      command: launch.command,
      args: launch.args,
      logFile: joiner.logFile,
      cwd: record.dir,
    });
    // It syncs with the leader as a non-voting follower before any reconfig.
    assert.ok(
      await eventually(
        async () => /Mode: (follower|observer)/.test(await srvr(launch.clientUrl)),
        30_000,
      ),
      'the joining server never synced with the leader',
    );

    const added = await members().addMember({
      name: 'server.4',
      id: '4',
      role: 'learner',
      peerUrls: [`127.0.0.1:${joiner.ports.quorum}:${joiner.ports.election}`],
      clientUrls: [`127.0.0.1:${joiner.ports.client}`],
    });
    assert.equal(added.id, '4');
    assert.ok(added.configVersion !== undefined);
    const afterAdd = await versionsOf([...record.endpoints, launch.clientUrl]);
    assert.deepEqual(
      new Set(afterAdd),
      new Set([added.configVersion]),
      `after add: ${afterAdd.join(', ')}`,
    );

    let status = await adapter.status();
    const observer = status.members.find((member) => member.id === '4');
    assert.equal(observer?.role, 'observer');
    assert.equal(observer.voter, false);

    await assert.rejects(
      members().addMember({
        name: 'server.4',
        role: 'voter',
        peerUrls: [`127.0.0.1:${joiner.ports.quorum}:${joiner.ports.election}`],
      }),
      { code: 'MEMBER_EXISTS' },
    );

    await members().promoteMember({ id: '4', name: 'server.4', endpoint: launch.clientUrl });
    status = await adapter.status();
    assert.equal(status.members.filter((member) => member.voter).length, 4);
    const afterPromote = await versionsOf([...record.endpoints, launch.clientUrl]);
    assert.equal(new Set(afterPromote).size, 1, `after promote: ${afterPromote.join(', ')}`);
    assert.notEqual(afterPromote[0], added.configVersion);

    await members().removeMember({ id: '4', name: 'server.4', endpoint: launch.clientUrl });
    const afterRemove = await versionsOf(record.endpoints);
    assert.equal(new Set(afterRemove).size, 1, `after remove: ${afterRemove.join(', ')}`);
    assert.notEqual(afterRemove[0], afterPromote[0]);
    status = await adapter.status();
    assert.deepEqual(status.members.map((member) => member.id).sort(), ['1', '2', '3']);
    assert.ok(status.leaderId !== undefined);
  });
});

async function eventually(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

async function srvr(endpoint: string): Promise<string> {
  return sendFourLetterWord(endpoint, 'srvr', OPTIONS).catch(() => '');
}

/** Each server's configuration version, read independently of the adapter (`conf`). */
async function versionsOf(endpoints: readonly string[]): Promise<string[]> {
  return Promise.all(
    endpoints.map(async (endpoint) => {
      const version = parseConf(await sendFourLetterWord(endpoint, 'conf', OPTIONS)).membership
        ?.version;
      return version ?? `none from ${endpoint}`;
    }),
  );
}
