// Sandbox state files: atomic round-trip, validation of what is read back, ports other sandboxes hold.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { UsageError } from '../../core/errors.js';
import { sandboxLayout } from '../../sandbox/layout.js';
import {
  parseRecord,
  portsInUse,
  readAllRecords,
  readRecord,
  writeRecord,
} from '../../sandbox/state.js';
import type { SandboxRecord } from '../../sandbox/types.js';

function record(name: string, stateDir: string, firstPort: number): SandboxRecord {
  const dir = sandboxLayout(stateDir, name).dir;
  return {
    name,
    kind: 'nats',
    version: '2.9.10',
    createdAt: '2026-11-29T00:00:00.000Z',
    dir,
    members: [1, 2].map((index) => ({
      name: `n${index}`,
      pid: 1000 + index,
      clientUrl: `nats://127.0.0.1:${firstPort + index * 10}`,
      ports: { client: firstPort + index * 10, cluster: firstPort + index * 10 + 1 },
      dataDir: join(dir, 'data', `n${index}`),
      logFile: join(dir, 'logs', `n${index}.log`),
      monitorUrl: `http://127.0.0.1:${firstPort + index * 10 + 2}`,
    })),
    endpoints: [`nats://127.0.0.1:${firstPort + 10}`, `nats://127.0.0.1:${firstPort + 20}`],
    monitorUrls: [`http://127.0.0.1:${firstPort + 12}`, `http://127.0.0.1:${firstPort + 22}`],
  };
}

async function save(stateDir: string, value: SandboxRecord): Promise<void> {
  const layout = sandboxLayout(stateDir, value.name);
  await mkdir(layout.dir, { recursive: true });
  await writeRecord(layout.stateFile, value);
}

describe('sandbox state files', () => {
  let stateDir: string;
  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-test-'));
  });
  after(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  test('a written record reads back equal, and no temp file is left behind', async () => {
    const written = record('alpha', stateDir, 20000);
    await save(stateDir, written);
    assert.deepEqual(await readRecord(stateDir, 'alpha'), written);
    assert.deepEqual(await readdir(sandboxLayout(stateDir, 'alpha').dir), ['sandbox.json']);
  });

  test('rewriting replaces the whole file (a longer old version leaves no tail)', async () => {
    const long = { ...record('beta', stateDir, 20100), version: 'x'.repeat(500) };
    await save(stateDir, long);
    const short = record('beta', stateDir, 20100);
    await save(stateDir, short);
    assert.deepEqual(await readRecord(stateDir, 'beta'), short);
  });

  test('an absent sandbox reads as undefined', async () => {
    assert.equal(await readRecord(stateDir, 'absent'), undefined);
  });

  test('all records in name order; broken ones and directories without a state file are skipped', async () => {
    await mkdir(sandboxLayout(stateDir, 'empty-dir').dir, { recursive: true });
    const broken = sandboxLayout(stateDir, 'broken');
    await mkdir(broken.dir, { recursive: true });
    await writeFile(broken.stateFile, '{"name": "broken", "kind": ');
    assert.deepEqual(
      (await readAllRecords(stateDir)).map((found) => found.name),
      ['alpha', 'beta'],
    );
    await assert.rejects(readRecord(stateDir, 'broken'), (error) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.code, 'SANDBOX_STATE_INVALID');
      assert.match(error.message, /broken\/sandbox\.json is not a sandbox record: not JSON/);
      return true;
    });
  });

  test('ports of every recorded sandbox count as taken, dead members included', async () => {
    const taken = portsInUse(await readAllRecords(stateDir));
    assert.deepEqual([...taken].sort(), [20010, 20011, 20020, 20021, 20110, 20111, 20120, 20121]);
  });
});

describe('state file validation', () => {
  const valid = record('v', '/s', 20000);
  const problem = (value: unknown): string => {
    try {
      parseRecord(JSON.stringify(value), '/s/sandbox.json');
    } catch (error) {
      assert.ok(error instanceof UsageError);
      return error.message;
    }
    assert.fail('expected SANDBOX_STATE_INVALID');
  };

  test('a valid record passes unchanged', () => {
    assert.deepEqual(parseRecord(JSON.stringify(valid), '/s/sandbox.json'), valid);
  });

  test('fields the manager acts on are checked: PIDs it signals, the kind, the paths', () => {
    assert.match(problem([]), /not an object/);
    assert.match(problem({ ...valid, kind: 'kafka' }), /unknown kind kafka/);
    assert.match(problem({ ...valid, dir: 7 }), /"dir" is not a string/);
    const withMember = (change: Record<string, unknown>) => ({
      ...valid,
      members: [{ ...valid.members[0], ...change }],
    });
    assert.match(problem(withMember({ pid: 0 })), /member n1 has no valid pid/);
    assert.match(problem(withMember({ pid: '123' })), /member n1 has no valid pid/);
    assert.match(problem(withMember({ logFile: null })), /member n1 has no logFile/);
    assert.match(problem(withMember({ ports: { client: 'x' } })), /member n1 has invalid ports/);
  });
});
