// members and leader commands through the real CLI against a 3-member etcd sandbox.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AuditRecord } from '../../core/maintenance/audit.js';
import type { MaintenancePlan, MaintenanceReport } from '../../core/maintenance/plan.js';
import type { ClusterStatus } from '../../core/model.js';
import { stopMember, type SandboxRecord } from '../../sandbox/index.js';
import { connect } from '../../systems/etcd/adapter.js';
import { createCliHome, type CliHome } from '../support/cli.js';
import { startEtcdWriter } from '../support/etcd-writer.js';

const SANDBOX = 'members';

interface Envelope<T> {
  kind: string;
  status: number;
  result?: T;
  error?: { code: string; message: string };
}

function parse<T>(stdout: string): Envelope<T> {
  return JSON.parse(stdout) as Envelope<T>;
}

/** Polls status every ~200 ms and keeps every answer (or the failure). */
function startPoller(read: () => Promise<ClusterStatus>) {
  let stopped = false;
  const seen: (ClusterStatus | Error)[] = [];
  const done = (async () => {
    while (!stopped) {
      seen.push(await read().catch((error: unknown) => error as Error));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await done;
      return seen;
    },
  };
}

describe('members and leader commands on a live etcd sandbox', { timeout: 150_000 }, () => {
  let home: CliHome;
  let record: SandboxRecord;

  before(async () => {
    home = await createCliHome();
    record = await home.sandboxUp(SANDBOX, ['--kind', 'etcd']);
  });

  after(async () => {
    await home.cleanup();
  });

  const statusNow = async () =>
    connect(
      { name: SANDBOX, kind: 'etcd', endpoints: record.endpoints },
      { timeoutMs: 1500 },
    ).status();

  test('members replace under a write load: learner, caught up, promoted, old removed; never below 2 healthy voters', async () => {
    const before = await statusNow();
    const leader = before.members.find((member) => member.id === before.leaderId);
    // Replace a follower so the writer's leader stays put; the leader case is the planner's move-leader.
    const victim = before.members.find((member) => member.id !== before.leaderId)?.name ?? 'n2';
    const survivors = record.endpoints.filter((_, index) => record.members[index]?.name !== victim);
    const writer = startEtcdWriter(() => survivors);
    const poller = startPoller(statusNow);
    const replaced = await home.run(
      ['members', 'replace', victim, '--sandbox', SANDBOX, '--yes', '-o', 'json'],
      {
        timeoutMs: 90_000,
      },
    );
    const seen = await poller.stop();
    const load = await writer.stop();

    assert.equal(replaced.code, 0, replaced.stderr + replaced.stdout);
    const report = parse<MaintenanceReport>(replaced.stdout).result;
    assert.ok(report !== undefined);
    assert.equal(report.result, 'succeeded');
    assert.ok(report.safetyBackup !== undefined, 'a safety backup was taken first');
    assert.deepEqual(
      report.plan.steps.map((step) => step.action),
      ['add-learner', 'start-member', 'wait-caught-up', 'promote', 'remove', 'stop-member'],
    );
    // Promoted only after catch-up: the wait step finished (in sync) before the promote step began.
    const [wait, promote] = [3, 4].map((index) => report.outcomes.find((o) => o.index === index));
    assert.equal(wait?.status, 'done');
    assert.ok(Number(wait?.details?.catchUpPercent) >= 90);
    assert.ok(
      Date.parse(promote?.startedAt ?? '') >=
        Date.parse(wait?.startedAt ?? '') + (wait?.durationMs ?? 0) - 5,
    );

    // The polls: never fewer than 2 healthy voters, never without quorum, the learner seen as a learner.
    const statuses = seen.filter((entry): entry is ClusterStatus => !(entry instanceof Error));
    assert.ok(statuses.length >= 5, `only ${statuses.length} polls`);
    assert.equal(
      statuses.length,
      seen.length,
      `status failed: ${seen.filter((s) => s instanceof Error).join('; ')}`,
    );
    const lowest = Math.min(...statuses.map((status) => status.quorum.healthyVoters));
    assert.ok(lowest >= 2, `healthy voters fell to ${lowest}`);
    assert.ok(statuses.every((status) => status.quorum.hasQuorum));
    assert.ok(
      statuses.some((status) => status.members.some((member) => member.role === 'learner')),
      'the new member was seen as a learner before voting',
    );

    process.stderr.write(
      `members replace under load: ${load.ok} puts, ${load.errors.length} errors${load.errors.length > 0 ? ` (${load.errors.slice(0, 3).join('; ')})` : ''}; ${statuses.length} polls, lowest healthy voters ${lowest}\n`,
    );
    assert.deepEqual(load.errors, [], 'the writer saw errors');
    assert.ok(load.ok > 20);

    const after = await statusNow();
    assert.deepEqual(
      after.members.map((member) => member.name),
      [
        ...before.members.map((member) => member.name).filter((name) => name !== victim),
        'n4',
      ].sort(),
    );
    assert.equal(after.quorum.voters, 3);
    assert.equal(after.quorum.healthyVoters, 3);
    assert.ok(leader !== undefined);

    const audit = (await readFile(join(home.stateDir, 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditRecord);
    const last = audit.at(-1);
    assert.equal(last?.report.plan.operation, 'members replace');
    assert.equal(last?.report.result, 'succeeded');
    assert.deepEqual(last?.argv.slice(0, 3), ['members', 'replace', victim]);
  });

  test('leader transfer --to and leader evacuate --from', async () => {
    const start = await statusNow();
    const target = start.members.find((member) => member.id !== start.leaderId);
    assert.ok(target !== undefined);
    const moved = await home.run(
      [
        'leader',
        'transfer',
        '--to',
        target.name,
        '--sandbox',
        SANDBOX,
        '--yes',
        '--no-backup',
        '-o',
        'json',
      ],
      { timeoutMs: 30_000 },
    );
    assert.equal(moved.code, 0, moved.stderr + moved.stdout);
    const leading = await statusNow();
    assert.equal(
      leading.members.find((member) => member.id === leading.leaderId)?.name,
      target.name,
    );

    const evacuated = await home.run(
      [
        'leader',
        'evacuate',
        '--from',
        target.name,
        '--sandbox',
        SANDBOX,
        '--yes',
        '--no-backup',
        '-o',
        'json',
      ],
      { timeoutMs: 30_000 },
    );
    assert.equal(evacuated.code, 0, evacuated.stderr + evacuated.stdout);
    const report = parse<MaintenanceReport>(evacuated.stdout).result;
    assert.equal(report?.outcomes[0]?.details?.from, target.name);
    const after = await statusNow();
    assert.ok(after.leaderId !== undefined);
    assert.notEqual(
      after.members.find((member) => member.id === after.leaderId)?.name,
      target.name,
    );

    // A member that does not lead: nothing to do, exit 0.
    const noop = await home.run([
      'leader',
      'evacuate',
      '--from',
      target.name,
      '--sandbox',
      SANDBOX,
      '-o',
      'json',
    ]);
    assert.equal(noop.code, 0, noop.stderr);
    assert.equal(parse<MaintenancePlan>(noop.stdout).result?.steps.length, 0);
  });

  test('members remove in a 2-of-3 healthy cluster: refused with exit 4 and the arithmetic; no TTY and no --yes: exit 2', async () => {
    const status = await statusNow();
    const followers = status.members.filter((member) => member.id !== status.leaderId);
    const [dead, healthy] = followers;
    assert.ok(dead !== undefined && healthy !== undefined);
    await stopMember(home.stateDir, SANDBOX, dead.name, 'SIGKILL');
    await waitFor(async () => (await statusNow()).quorum.healthyVoters === 2);

    const refused = await home.run([
      'members',
      'remove',
      healthy.name,
      '--sandbox',
      SANDBOX,
      '--yes',
    ]);
    assert.equal(refused.code, 4, refused.stderr);
    assert.match(
      refused.stderr,
      new RegExp(`removing ${healthy.name} leaves 1 of 2 healthy voters; majority of 2 is 2`),
    );
    const refusedJson = await home.run([
      'members',
      'remove',
      healthy.name,
      '--sandbox',
      SANDBOX,
      '--yes',
      '-o',
      'json',
    ]);
    assert.equal(refusedJson.code, 4);
    assert.equal(parse(refusedJson.stdout).error?.code, 'QUORUM_GUARD');

    // Removing the dead member is allowed, but without a terminal it needs --yes.
    const unconfirmed = await home.run(['members', 'remove', dead.name, '--sandbox', SANDBOX]);
    assert.equal(unconfirmed.code, 2, unconfirmed.stderr);
    assert.match(unconfirmed.stderr, /CONFIRMATION_REQUIRED/);
    const plan = await home.run([
      'members',
      'remove',
      dead.name,
      '--sandbox',
      SANDBOX,
      '--dry-run',
      '-o',
      'json',
    ]);
    assert.equal(plan.code, 0, plan.stderr);
    assert.equal(parse(plan.stdout).kind, 'MaintenancePlan');

    const what = await home.run([
      'members',
      'plan',
      `remove:${healthy.name}`,
      '--sandbox',
      SANDBOX,
    ]);
    assert.equal(what.code, 4);
    assert.match(what.stdout, /CRITICAL QUORUM_LOST/);

    const unchanged = await statusNow();
    assert.equal(unchanged.members.length, 3, 'nothing changed');
    assert.equal(unchanged.quorum.voters, 3);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
