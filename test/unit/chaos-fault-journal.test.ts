// The fault journal: atomic, serialized across writers, stale locks taken over, bad files named; heal on signals.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { installHealOnExit } from '../../chaos/faults/heal-on-exit.js';
import { listFaults } from '../../chaos/faults/heal.js';
import {
  appendRecord,
  journalPath,
  readJournal,
  removeRecord,
} from '../../chaos/faults/journal.js';
import type { FaultInjector, FaultRecord, HealReport } from '../../chaos/faults/types.js';
import { UsageError } from '../../core/errors.js';

function record(id: string, sandbox = 's1', ownerPid = process.pid): FaultRecord {
  return {
    id,
    scope: { stateDir: '/unused', sandbox },
    spec: { kind: 'pause', members: ['n1'] },
    appliedAt: '2025-01-01T00:00:00.000Z',
    ownerPid,
    undo: { processes: [{ member: 'n1', pid: 1 }] },
  };
}

/** A PID that certainly does not exist any more: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('fault journal', () => {
  let stateDir: string;
  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-journal-'));
  });
  after(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  test('an absent journal is empty; records come back in the order they were added', async () => {
    assert.deepEqual(await readJournal(stateDir), []);
    await appendRecord(stateDir, record('a'));
    await appendRecord(stateDir, record('b'));
    assert.deepEqual(
      (await readJournal(stateDir)).map((entry) => entry.id),
      ['a', 'b'],
    );
    await removeRecord(stateDir, 'a');
    assert.deepEqual(
      (await readJournal(stateDir)).map((entry) => entry.id),
      ['b'],
    );
    await removeRecord(stateDir, 'b');
    const file = JSON.parse(await readFile(journalPath(stateDir), 'utf8')) as unknown;
    assert.deepEqual(file, { apiVersion: 'quorumctl/v1', faults: [] });
  });

  test('concurrent writers lose no record (the lock serializes read-modify-write)', async () => {
    const ids = Array.from({ length: 25 }, (_, index) => `c${index}`);
    await Promise.all(ids.map((id) => appendRecord(stateDir, record(id))));
    const stored = (await readJournal(stateDir)).map((entry) => entry.id).sort();
    assert.deepEqual(stored, [...ids].sort());
    await Promise.all(ids.map((id) => removeRecord(stateDir, id)));
    assert.deepEqual(await readJournal(stateDir), []);
  });

  test('a lock left by a dead process is taken over', async () => {
    await writeFile(`${journalPath(stateDir)}.lock`, String(deadPid()));
    const started = Date.now();
    await appendRecord(stateDir, record('after-crash'));
    assert.ok(Date.now() - started < 5000);
    await removeRecord(stateDir, 'after-crash');
  });

  test('listing tells faults of a live owner from those a crash left', async () => {
    await appendRecord(stateDir, record('mine'));
    await appendRecord(stateDir, record('orphan', 's2', deadPid()));
    const listing = await listFaults(stateDir);
    assert.deepEqual(
      listing.faults.map((fault) => [fault.id, fault.ownerAlive]),
      [
        ['mine', true],
        ['orphan', false],
      ],
    );
    assert.deepEqual(
      (await listFaults(stateDir, 's2')).faults.map((fault) => fault.id),
      ['orphan'],
    );
    await removeRecord(stateDir, 'mine');
    await removeRecord(stateDir, 'orphan');
  });

  test('a file that is not a journal is a usage error naming it', async () => {
    const other = await mkdtemp(join(tmpdir(), 'quorumctl-journal-bad-'));
    try {
      await mkdir(join(other, 'chaos'));
      await writeFile(journalPath(other), '{"faults": [{"id": 3}]}');
      await assert.rejects(readJournal(other), (error) => {
        assert.ok(error instanceof UsageError);
        assert.equal(error.code, 'FAULT_JOURNAL_INVALID');
        assert.ok(error.message.includes(journalPath(other)));
        return true;
      });
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});

describe('installHealOnExit', () => {
  function fakeInjector(onHeal: () => void): FaultInjector {
    return {
      inject: () => Promise.reject(new Error('not used')),
      heal: () => Promise.resolve(),
      active: () => Promise.resolve([]),
      healAll: (): Promise<HealReport> => {
        onHeal();
        return Promise.resolve({ healed: [record('x')], failed: [] });
      },
    };
  }

  test('SIGTERM heals everything, reports it, then exits 143', async () => {
    let heals = 0;
    const listenersBefore = process.listenerCount('SIGTERM');
    const exited = Promise.withResolvers<number>();
    let reported: HealReport | undefined;
    const uninstall = installHealOnExit(
      fakeInjector(() => (heals += 1)),
      {
        signals: ['SIGTERM'],
        exit: (code) => {
          exited.resolve(code);
        },
        onHealed: (report) => (reported = report),
      },
    );
    try {
      process.emit('SIGTERM', 'SIGTERM');
      assert.equal(await exited.promise, 143);
      assert.equal(heals, 1);
      assert.equal(reported?.healed[0]?.id, 'x');
    } finally {
      uninstall();
    }
    assert.equal(
      process.listenerCount('SIGTERM'),
      listenersBefore,
      'uninstall removes the handler',
    );
  });

  test('a second signal while healing exits at once', () => {
    const codes: number[] = [];
    const uninstall = installHealOnExit(
      { ...fakeInjector(() => undefined), healAll: () => new Promise<HealReport>(() => undefined) },
      { signals: ['SIGHUP'], exit: (code) => codes.push(code) },
    );
    try {
      process.emit('SIGHUP', 'SIGHUP');
      assert.deepEqual(codes, []);
      process.emit('SIGHUP', 'SIGHUP');
      assert.deepEqual(codes, [129]);
    } finally {
      uninstall();
    }
  });
});
