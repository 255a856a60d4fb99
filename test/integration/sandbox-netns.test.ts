// Netns sandboxes (root): each member in its own namespace on the sandbox's bridge, reachable from the root namespace; down and half-created starts leave no namespace, veth or bridge.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  allocateNetwork,
  attachMemberNetwork,
  createNetwork,
  detachMemberNetwork,
  networkLeftovers,
  networkNames,
  readNetwork,
  removeNetwork,
  runCommand,
} from '../../sandbox/netns.js';
import { restartMembers, sandboxDown, sandboxList, sandboxUp } from '../../sandbox/index.js';

const IS_ROOT = process.getuid?.() === 0;

/** What is left of these sandboxes' networks (other helpers may run netns sandboxes of their own). */
async function leftovers(stateDir: string, sandboxes: readonly string[]): Promise<string[]> {
  const found = await Promise.all(sandboxes.map((sandbox) => networkLeftovers(stateDir, sandbox)));
  return found.flatMap(({ namespaces, links }) => [...namespaces, ...links]);
}

describe('netns sandbox', { skip: !IS_ROOT && 'needs root', timeout: 60_000 }, () => {
  let stateDir: string;
  const names = ['nx', 'half', 'orphan'];
  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-netns-'));
  });
  after(async () => {
    for (const listing of await sandboxList(stateDir))
      await sandboxDown(stateDir, listing.name, { graceMs: 500 }).catch(() => undefined);
    for (const name of names) await removeNetwork(stateDir, name);
    const left = await leftovers(stateDir, names);
    await rm(stateDir, { recursive: true, force: true });
    assert.deepEqual(left, [], 'no namespace, veth or bridge is left');
  });

  test('etcd: members in their own namespaces on private addresses, reached from here', async () => {
    const record = await sandboxUp({ stateDir, name: 'nx', kind: 'etcd', netns: true });
    const network = await readNetwork(stateDir, 'nx');
    assert.ok(network, 'network.json is recorded');
    const ownNetns = await readlink('/proc/self/ns/net');
    for (const [index, member] of record.members.entries()) {
      assert.equal(member.host, network.members[index]?.address);
      assert.match(member.host ?? '', /^10\.213\.\d+\.1[1-3]$/);
      assert.equal(member.netns, networkNames(stateDir, 'nx').netns(member.name));
      assert.ok(member.clientUrl.startsWith(`http://${member.host ?? ''}:`));
      // ip netns exec execs: the recorded PID is etcd itself, in another namespace.
      const commandLine = await readFile(`/proc/${member.pid}/cmdline`, 'utf8');
      assert.equal(commandLine.split('\0')[0], 'etcd');
      assert.notEqual(await readlink(`/proc/${member.pid}/ns/net`), ownNetns);
      const health = await fetch(`${member.clientUrl}/health`, {
        signal: AbortSignal.timeout(2000),
      });
      assert.equal(health.status, 200);
      const inside = await runCommand('ip', [
        'netns',
        'exec',
        member.netns ?? '',
        'ip',
        '-o',
        'link',
      ]);
      assert.match(inside.stdout, /\blo: <LOOPBACK,UP/, 'loopback is up inside');
      assert.match(inside.stdout, /\beth0@/, 'the veth end is eth0');
    }
    // down --keep-data removes the network too; a restart builds the recorded one again.
    await sandboxDown(stateDir, 'nx', { graceMs: 1000, keepData: true });
    assert.deepEqual(await leftovers(stateDir, ['nx']), []);
    const restarted = await restartMembers(stateDir, 'nx');
    assert.deepEqual(
      restarted.members.map((member) => member.host),
      record.members.map((member) => member.host),
    );
    for (const member of restarted.members) {
      const health = await fetch(`${member.clientUrl}/health`, {
        signal: AbortSignal.timeout(2000),
      });
      assert.equal(health.status, 200, `${member.name} after restart`);
    }
    await sandboxDown(stateDir, 'nx', { graceMs: 1000 });
    assert.deepEqual(await leftovers(stateDir, ['nx']), []);
  });

  test('down of a half-created netns sandbox (network made, no state file) removes it', async () => {
    const network = await allocateNetwork({
      stateDir,
      sandbox: 'half',
      kind: 'etcd',
      members: ['n1', 'n2'],
    });
    await createNetworkIn(stateDir, network);
    assert.equal((await leftovers(stateDir, ['half'])).length, 2 + 2 + 1);
    // A joining member gets the next address; leaving removes its namespace and veth.
    const joined = await attachMemberNetwork(stateDir, 'half', 'n3');
    assert.equal(joined?.address.split('.')[3], '13');
    assert.equal((await leftovers(stateDir, ['half'])).length, 3 + 3 + 1);
    await detachMemberNetwork(stateDir, 'half', 'n3');
    assert.equal((await leftovers(stateDir, ['half'])).length, 2 + 2 + 1);
    assert.deepEqual(
      (await readNetwork(stateDir, 'half'))?.members.map((member) => member.name),
      ['n1', 'n2'],
    );
    const record = await sandboxDown(stateDir, 'half');
    assert.equal(record.members.length, 0);
    assert.deepEqual(await leftovers(stateDir, ['half']), []);
  });

  test('leftovers without network.json (a crash before it was written) are found by name', async () => {
    const network = await allocateNetwork({
      stateDir,
      sandbox: 'orphan',
      kind: 'etcd',
      members: ['n1'],
    });
    await createNetworkIn(stateDir, network);
    await rm(join(stateDir, 'sandboxes', 'orphan'), { recursive: true, force: true });
    const removed = await removeNetwork(stateDir, 'orphan');
    const names = networkNames(stateDir, 'orphan');
    // The host veth usually goes with its namespace; the namespace and the bridge are deleted by name.
    assert.ok(removed.includes(`netns ${names.netns('n1')}`), removed.join(', '));
    assert.ok(removed.includes(`link ${names.bridge}`), removed.join(', '));
    assert.deepEqual(await leftovers(stateDir, ['orphan']), []);
    assert.deepEqual(await removeNetwork(stateDir, 'orphan'), [], 'idempotent');
  });
});

async function createNetworkIn(
  stateDir: string,
  network: Awaited<ReturnType<typeof allocateNetwork>>,
): Promise<void> {
  await mkdir(join(stateDir, 'sandboxes', network.sandbox), { recursive: true });
  await createNetwork(stateDir, network);
}
