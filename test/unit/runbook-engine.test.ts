import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { assembleClusterStatus } from '../../core/cluster-status.js';
import type { MemberStatus } from '../../core/model.js';
import type { ClusterAdapter } from '../../core/ports.js';
import { SILENT_PROGRESS } from '../../core/progress.js';
import { parseRunbook } from '../../core/runbook/parse.js';
import { runRunbook, type RunOptions } from '../../runbooks/engine/engine.js';
import { JournalStore } from '../../runbooks/engine/journal-store.js';
import type { RunbookOperation } from '../../runbooks/engine/operations.js';
import { reachableMember, unreachableMember } from '../support/members.js';

/** A cluster whose members the test can take down and bring back. */
function scriptableCluster() {
  let members: MemberStatus[] = [
    reachableMember('n1', { role: 'leader', term: 2 }),
    reachableMember('n2'),
    reachableMember('n3'),
  ];
  const adapter: ClusterAdapter = {
    kind: 'etcd',
    capabilities: new Set(['status']),
    status: () =>
      Promise.resolve(
        assembleClusterStatus({ cluster: 'c1', kind: 'etcd', members, observedAt: new Date() }),
      ),
    close: () => Promise.resolve(),
  };
  return {
    adapter,
    down: (name: string) => {
      members = members.map((m) => (m.name === name ? unreachableMember(name) : m));
    },
    up: (name: string) => {
      members = members.map((m) => (m.name === name ? reachableMember(name) : m));
    },
  };
}

function operation(name: string, run: RunbookOperation['run']): RunbookOperation {
  return { name, description: name, mutates: true, run };
}

const RUNBOOK = `name: add-then-check
description: adds a member, then checks
parameters:
  - name: member
    type: string
    default: n4
steps:
  - id: add
    run: members.add
    with: { name: "{{ params.member }}" }
  - id: healthy
    require: [quorumMargin >= 1]
  - id: confirm
    confirm: Remove the old member of {{ cluster }}?
  - id: remove
    run: members.remove
    with: { after: "{{ steps.add.id }}" }
onFailure: cleanup
cleanup:
  - id: report
    run: report
`;

describe('runbook engine', () => {
  const dirs: string[] = [];
  after(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  async function setup(overrides: Partial<RunOptions> = {}) {
    const dir = await mkdtemp(join(tmpdir(), 'qctl-runbook-'));
    dirs.push(dir);
    const calls: string[] = [];
    const cluster = scriptableCluster();
    const registry = new Map<string, RunbookOperation>([
      [
        'members.add',
        operation('members.add', (args) => {
          calls.push(`add ${String(args.name)}`);
          return Promise.resolve({ id: 'id-4' });
        }),
      ],
      [
        'members.remove',
        operation('members.remove', (args) => {
          calls.push(`remove after ${String(args.after)}`);
          return Promise.resolve({});
        }),
      ],
      ['report', operation('report', () => (calls.push('report'), Promise.resolve({})))],
    ]);
    const runbook = parseRunbook(RUNBOOK, 'rb.yaml', { operations: new Set(registry.keys()) });
    const journal = new JournalStore(dir);
    const options: RunOptions = {
      runbook,
      params: { member: 'n4' },
      registry,
      context: {
        cluster: 'c1',
        kind: 'etcd',
        adapter: cluster.adapter,
        signal: new AbortController().signal,
        progress: SILENT_PROGRESS,
      },
      journal,
      hooks: {
        runShell: () => Promise.resolve({ exitCode: 0, output: '' }),
        runCheck: () => Promise.reject(new Error('not used')),
        now: () => new Date(),
      },
      yes: true,
      allowShell: false,
      user: 'op',
      ...overrides,
    };
    return { options, calls, cluster, journal };
  }

  it('runs every step in order, passing outputs to later steps, and journals each', async () => {
    const { options, calls, journal } = await setup();
    const { record, stop } = await runRunbook(options);
    assert.equal(stop, undefined);
    assert.equal(record.status, 'succeeded');
    assert.deepEqual(calls, ['add n4', 'remove after id-4']);
    const saved = await journal.load(record.runId);
    assert.deepEqual(
      saved.entries.filter((e) => e.state === 'done').map((e) => e.stepId),
      ['add', 'healthy', 'confirm', 'remove'],
    );
    assert.equal(
      saved.entries.find((e) => e.stepId === 'confirm' && e.state === 'done')?.outputs?.confirmedBy,
      '--yes',
    );
  });

  it('a failed gate stops the run (exit 4, runs cleanup); resume continues once it holds', async () => {
    const { options, calls, cluster, journal } = await setup();
    cluster.down('n2');
    cluster.down('n3');
    const first = await runRunbook(options);
    assert.equal(first.stop?.code, 'RUNBOOK_GATE_FAILED');
    assert.equal(first.stop?.exitCode, 4);
    assert.match(first.stop?.message ?? '', /quorumMargin >= 1 \(quorumMargin is -1, needs >= 1\)/);
    assert.equal(first.record.status, 'failed');
    assert.deepEqual(calls, ['add n4', 'report']);

    cluster.up('n2');
    cluster.up('n3');
    const resumed = await runRunbook({
      ...options,
      resume: await journal.load(first.record.runId),
    });
    assert.equal(resumed.stop, undefined);
    assert.equal(resumed.record.status, 'succeeded');
    // The add is not repeated: the journal says it is done.
    assert.deepEqual(calls, ['add n4', 'report', 'remove after id-4']);
  });

  it('without a terminal and without --yes a confirm step stops the run (exit 2)', async () => {
    const { options, calls } = await setup({ yes: false });
    const { stop, record } = await runRunbook(options);
    assert.equal(stop?.code, 'CONFIRMATION_REQUIRED');
    assert.equal(stop?.exitCode, 2);
    assert.equal(record.status, 'failed');
    assert.deepEqual(calls, ['add n4', 'report']);
  });

  it('refuses a runbook with shell steps before running anything, unless allowed', async () => {
    const { options, calls } = await setup();
    const runbook = parseRunbook(
      'name: s\ndescription: d\nsteps:\n  - id: sh\n    shell: "true"\n',
      'sh.yaml',
      { operations: new Set() },
    );
    await assert.rejects(runRunbook({ ...options, runbook }), /has shell steps: sh \(line 4\)/);
    assert.deepEqual(calls, []);
    const allowed = await runRunbook({ ...options, runbook, allowShell: true });
    assert.equal(allowed.record.status, 'succeeded');
  });

  it('a step left "started" by a crash is rerun on resume; a changed runbook is refused', async () => {
    const { options, calls, journal } = await setup();
    const { record } = await runRunbook(options);
    // Simulate a crash inside `remove`: its last entry is "started".
    record.entries = record.entries.filter((e) => !(e.stepId === 'remove' && e.state === 'done'));
    record.status = 'running';
    await journal.save(record);
    calls.length = 0;
    const resumed = await runRunbook({ ...options, resume: await journal.load(record.runId) });
    assert.equal(resumed.record.status, 'succeeded');
    assert.deepEqual(calls, ['remove after id-4']);

    const changed = parseRunbook(RUNBOOK.replace('id: healthy', 'id: gate'), 'rb.yaml', {
      operations: new Set(['members.add', 'members.remove', 'report']),
    });
    await assert.rejects(
      runRunbook({ ...options, runbook: changed, resume: record }),
      /changed since run/,
    );
  });
});
