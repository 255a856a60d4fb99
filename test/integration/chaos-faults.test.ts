// Faults on a live 3-member etcd netns sandbox (root): isolate the leader, pause, kill, latency, a heal that fails (exit 5), and a SIGKILLed injector healed by `quorumctl chaos heal`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openFaultInjector, readJournal, type FaultInjector } from '../../chaos/faults/index.js';
import { countTaggedRules } from '../../chaos/faults/iptables.js';
import { processState } from '../../chaos/faults/process-faults.js';
import { sandboxDown, sandboxUp, type SandboxRecord } from '../../sandbox/index.js';
import { networkLeftovers } from '../../sandbox/netns.js';
import { readRecord } from '../../sandbox/state.js';
import { REPO_ROOT } from '../support/cli.js';

const IS_ROOT = process.getuid?.() === 0;
const BIN = join(REPO_ROOT, 'bin', 'quorumctl');
const SANDBOX = 'faults';

interface EtcdStatus {
  leader?: string;
  header?: { member_id?: string };
}

/** A member's own view, asked from the root namespace (through the bridge). */
async function status(clientUrl: string): Promise<EtcdStatus | undefined> {
  try {
    const response = await fetch(`${clientUrl}/v3/maintenance/status`, {
      method: 'POST',
      body: '{}',
      signal: AbortSignal.timeout(1000),
    });
    return (await response.json()) as EtcdStatus;
  } catch {
    return undefined;
  }
}

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The leader's name when every listed member agrees on one. */
async function agreedLeader(
  record: SandboxRecord,
  names: readonly string[],
): Promise<string | undefined> {
  const members = record.members.filter((member) => names.includes(member.name));
  const views = await Promise.all(members.map((member) => status(member.clientUrl)));
  const leaders = new Set(views.map((view) => view?.leader));
  if (leaders.size !== 1 || views.some((view) => view?.leader === undefined)) return undefined;
  const leaderId = [...leaders][0];
  const index = views.findIndex((view) => view?.header?.member_id === leaderId);
  if (index !== -1) return members[index]?.name;
  // The leader is outside the listed members: name it by asking everyone.
  for (const member of record.members)
    if ((await status(member.clientUrl))?.header?.member_id === leaderId) return member.name;
  return undefined;
}

/**
 * Milliseconds a put took; undefined when it failed. Switching peer connections to or from
 * the proxies drops what is in flight on them, and etcd times such a proposal out after 7 s:
 * a short client timeout retries sooner.
 */
async function put(clientUrl: string, key: string): Promise<number | undefined> {
  const started = performance.now();
  try {
    const response = await fetch(`${clientUrl}/v3/kv/put`, {
      method: 'POST',
      body: JSON.stringify({
        key: Buffer.from(key).toString('base64'),
        value: Buffer.from('v').toString('base64'),
      }),
      signal: AbortSignal.timeout(3000),
    });
    await response.text();
    return response.status === 200 ? performance.now() - started : undefined;
  } catch {
    return undefined;
  }
}

async function qctlRules(record: SandboxRecord): Promise<number> {
  let count = 0;
  for (const member of record.members) {
    count += await countTaggedRules(member.netns ?? '', 'filter');
    count += await countTaggedRules(member.netns ?? '', 'nat');
  }
  return count;
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 90_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

describe(
  'faults on a live etcd netns sandbox',
  { skip: !IS_ROOT && 'needs root', timeout: 150_000 },
  () => {
    let stateDir: string;
    let record: SandboxRecord;
    let injector: FaultInjector;
    before(async () => {
      stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-faults-'));
      record = await sandboxUp({ stateDir, name: SANDBOX, kind: 'etcd', netns: true });
      injector = openFaultInjector({ stateDir, sandbox: SANDBOX });
    });
    // Heal and tear down even when a test failed half-way; then nothing of ours may be left.
    after(async () => {
      await injector.healAll().catch(() => undefined);
      await sandboxDown(stateDir, SANDBOX, { graceMs: 1000 }).catch(() => undefined);
      const left = await networkLeftovers(stateDir, SANDBOX);
      await rm(stateDir, { recursive: true, force: true });
      assert.deepEqual(
        [...left.namespaces, ...left.links],
        [],
        'no namespace, veth or bridge left',
      );
    });

    test('isolate the leader: it still answers from here, the others elect a leader without it; heal makes it whole', async () => {
      const names = record.members.map((member) => member.name);
      const leader = await eventually('a leader', () => agreedLeader(record, names));
      const others = names.filter((name) => name !== leader);
      const fault = await injector.inject({ kind: 'isolate', members: [leader] });
      assert.deepEqual(
        (await readJournal(stateDir)).map((entry) => entry.id),
        [fault.id],
      );
      const isolated = record.members.find((member) => member.name === leader);
      assert.ok(isolated?.netns);
      assert.equal(await countTaggedRules(isolated.netns, 'filter', fault.id), 4);

      const newLeader = await eventually('a leader among the others', async () => {
        const agreed = await agreedLeader(record, others);
        return agreed !== undefined && agreed !== leader ? agreed : undefined;
      });
      assert.ok(others.includes(newLeader));
      assert.ok(await status(isolated.clientUrl), 'the isolated member still answers status');

      await injector.heal(fault);
      assert.equal(await qctlRules(record), 0, 'no qctl rule left in any namespace');
      assert.deepEqual(await readJournal(stateDir), []);
      await eventually('all three agree on a leader again', () => agreedLeader(record, names));
      await eventually('a write after heal', () =>
        put(record.members[0]?.clientUrl ?? '', 'healed'),
      );
    });

    test('pause then heal: the process runs again (state not T)', async () => {
      const member = record.members[1];
      assert.ok(member);
      const fault = await injector.inject({ kind: 'pause', members: [member.name] });
      assert.equal(await processState(member.pid), 'T');
      await injector.heal(fault);
      assert.notEqual(await processState(member.pid), 'T');
      assert.ok(await status(member.clientUrl));
    });

    test('kill then heal: the member is started again and the cluster has a leader', async () => {
      const fault = await injector.inject({ kind: 'kill', members: ['n3'] });
      const killedPid = record.members[2]?.pid ?? 0;
      assert.equal(await processState(killedPid), undefined, 'SIGKILLed');
      await injector.heal(fault);
      const restarted = (await readRecordMembers(stateDir)).find((member) => member.name === 'n3');
      assert.ok(restarted && restarted.pid !== killedPid);
      record = { ...record, members: await readRecordMembers(stateDir) };
      await eventually('a leader agreed by all', () =>
        agreedLeader(
          record,
          record.members.map((member) => member.name),
        ),
      );
    });

    test('latency: peer traffic of two members goes through delaying proxies; heal removes the redirects', async () => {
      const client = record.members[2]?.clientUrl ?? '';
      await eventually('a warm-up write', () => put(client, 'warm-up'));
      const fault = await injector.inject({
        kind: 'latency',
        members: ['n1', 'n2'],
        latencyMs: 150,
      });
      // Every pair has a faulted member: a commit waits for at least one delayed round trip.
      const slow = await eventually('a slow put', async () => {
        const ms = await put(client, 'slow');
        return ms !== undefined && ms >= 300 ? ms : undefined;
      });
      assert.ok(slow >= 300, `put took ${slow.toFixed(0)} ms`);
      await injector.heal(fault);
      assert.equal(await qctlRules(record), 0);
      const fast = await eventually('a fast put', async () => {
        const ms = await put(client, 'fast');
        return ms !== undefined && ms < 250 ? ms : undefined;
      });
      assert.ok(fast < 250);
    });

    test('a kill whose restart fails stays recorded: chaos heal exits 5, then 0 once fixed', async () => {
      await injector.inject({ kind: 'kill', members: ['n2'] });
      const dataDir = record.members[1]?.dataDir ?? '';
      await rename(dataDir, `${dataDir}.moved`);
      await writeFile(dataDir, 'not a directory');
      try {
        const failed = await runCli(['chaos', 'heal', '--state-dir', stateDir, '-o', 'json']);
        assert.equal(failed.code, 5, failed.stderr);
        const envelope = JSON.parse(failed.stdout) as {
          kind: string;
          result: { failed: unknown[] };
        };
        assert.equal(envelope.kind, 'HealReport');
        assert.equal(envelope.result.failed.length, 1);
        assert.equal((await readJournal(stateDir)).length, 1, 'the record stays');
      } finally {
        await rm(dataDir, { force: true });
        await rename(`${dataDir}.moved`, dataDir);
      }
      const healed = await runCli(['chaos', 'heal', '--state-dir', stateDir]);
      assert.equal(healed.code, 0, healed.stderr);
      assert.match(healed.stdout, /healed {2}kill-[0-9a-f]{8} {2}faults {2}kill n2/);
      assert.deepEqual(await readJournal(stateDir), []);
      record = { ...record, members: await readRecordMembers(stateDir) };
    });

    test('a partition injected by a process killed with SIGKILL is removed by chaos heal', async () => {
      const child = spawn(
        BIN,
        [
          'chaos',
          'inject',
          '--state-dir',
          stateDir,
          '-s',
          SANDBOX,
          '--fault',
          'partition',
          '--groups',
          'n1/n2,n3',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise((resolve) => child.on('close', resolve));
      try {
        await eventually('the injection', () =>
          Promise.resolve(stderr.includes('injected partition-') ? true : undefined),
        );
      } finally {
        child.kill('SIGKILL');
        await exited;
      }
      assert.ok((await qctlRules(record)) > 0, 'the partition outlives its injector');
      const listed = await runCli(['chaos', 'faults', '--state-dir', stateDir, '-o', 'json']);
      const faults = (
        JSON.parse(listed.stdout) as { result: { faults: { ownerAlive: boolean }[] } }
      ).result.faults;
      assert.deepEqual(
        faults.map((fault) => fault.ownerAlive),
        [false],
      );

      const healed = await runCli(['chaos', 'heal', '--state-dir', stateDir, '--sandbox', SANDBOX]);
      assert.equal(healed.code, 0, healed.stderr);
      assert.match(healed.stdout, /healed {2}partition-/);
      assert.equal(await qctlRules(record), 0, 'no rule left');
      assert.deepEqual(await readJournal(stateDir), [], 'journal empty');
      const nothing = await runCli(['chaos', 'heal', '--state-dir', stateDir]);
      assert.equal(nothing.code, 0);
      assert.match(nothing.stdout, /nothing to heal/);
    });
  },
);

async function readRecordMembers(stateDir: string): Promise<SandboxRecord['members']> {
  return (await readRecord(stateDir, SANDBOX))?.members ?? [];
}
