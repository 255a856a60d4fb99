/**
 * `members` and `leader` through the real CLI for ZooKeeper (live sandbox: a 4th server added
 * and removed, every server on the same configuration version), NATS (live sandbox: meta
 * step-down, peer removal refused while running and done once stopped) and KRaft (the
 * protocol fake: AddRaftVoter and RemoveRaftVoter).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MaintenanceReport } from '../../core/maintenance/plan.js';
import { stopMember, type SandboxRecord } from '../../sandbox/index.js';
import { sendFourLetterWord } from '../../systems/zookeeper/four-letter-words.js';
import { parseConf } from '../../systems/zookeeper/parsers.js';
import { createCliHome, type CliHome, type CliResult } from '../support/cli.js';
import { directoryIdFor, FakeApi, FakeKraftCluster } from '../support/kraft-fake-controller.js';

const MUTATE = ['--yes', '--no-backup', '-o', 'json'];

interface Envelope {
  status: number;
  result?: MaintenanceReport & { members?: { name: string; voter: boolean }[] };
  error?: { code: string; message: string; actions: string[] };
}

function parsed(run: CliResult): Envelope {
  try {
    return JSON.parse(run.stdout) as Envelope;
  } catch {
    assert.fail(`not one JSON document (exit ${String(run.code)}):\n${run.stdout}\n${run.stderr}`);
  }
}

function succeeded(run: CliResult): MaintenanceReport {
  const document = parsed(run);
  assert.equal(run.code, 0, `exit ${String(run.code)}: ${run.stdout}\n${run.stderr}`);
  assert.ok(document.result !== undefined);
  assert.equal(document.result.result, 'succeeded');
  return document.result;
}

async function configVersions(endpoints: readonly string[]): Promise<string[]> {
  return Promise.all(
    endpoints.map(async (endpoint) => {
      const reply = await sendFourLetterWord(endpoint, 'conf', { timeoutMs: 3000 });
      return parseConf(reply).membership?.version ?? `none from ${endpoint}`;
    }),
  );
}

describe('members and leader commands per kind (CLI)', { timeout: 240_000 }, () => {
  let home: CliHome;

  before(async () => {
    home = await createCliHome();
  });

  after(async () => {
    await home.cleanup();
  });

  test('ZooKeeper: a 4th server added and removed through reconfig; versions agree', async () => {
    const record: SandboxRecord = await home.sandboxUp('zkm', ['--kind', 'zookeeper']);
    const added = succeeded(await home.run(['members', 'add', '--sandbox', 'zkm', ...MUTATE]));
    const addStep = added.outcomes.find((outcome) => outcome.details?.configVersion !== undefined);
    const version = String(addStep?.details?.configVersion);
    assert.match(version, /^[0-9a-f]+$/);

    const list = parsed(await home.run(['members', 'list', '--sandbox', 'zkm', '-o', 'json']));
    const joined = list.result?.members?.find((member) => member.name === 'server.4');
    assert.equal(joined?.voter, true);
    const withJoiner = await configVersions([
      ...record.endpoints,
      `tcp://127.0.0.1:${await clientPortOfServer4(home)}`,
    ]);
    assert.deepEqual(new Set(withJoiner), new Set([version]), withJoiner.join(', '));

    const removed = succeeded(
      await home.run(['members', 'remove', 'server.4', '--sandbox', 'zkm', ...MUTATE]),
    );
    assert.ok(removed.outcomes.every((outcome) => outcome.status !== 'failed'));
    const after = await configVersions(record.endpoints);
    assert.equal(new Set(after).size, 1, after.join(', '));
    assert.notEqual(after[0], version);
    const voters = parsed(
      await home.run(['members', 'list', '--sandbox', 'zkm', '-o', 'json']),
    ).result?.members?.filter((member) => member.voter);
    assert.deepEqual(voters?.map((member) => member.name).sort(), [
      'server.1',
      'server.2',
      'server.3',
    ]);
  });

  test('NATS: meta step-down hands over within 5 s; peer remove only once the server is stopped', async () => {
    await home.sandboxUp('natsm', ['--kind', 'nats']);
    const started = Date.now();
    const transfer = succeeded(
      await home.run(['leader', 'transfer', '--sandbox', 'natsm', ...MUTATE]),
    );
    const moved = transfer.outcomes.find((outcome) => outcome.details?.to !== undefined);
    assert.ok(moved?.details !== undefined);
    assert.notEqual(moved.details.to, moved.details.from);
    assert.ok(moved.durationMs < 5000, `step took ${moved.durationMs} ms`);
    assert.ok(Date.now() - started < 15_000);

    const list = parsed(await home.run(['members', 'list', '--sandbox', 'natsm', '-o', 'json']));
    const victim = list.result?.members?.find(
      (member) => member.voter && member.name !== moved.details?.to,
    );
    assert.ok(victim !== undefined);

    const refused = await home.run([
      'members',
      'remove',
      victim.name,
      '--sandbox',
      'natsm',
      ...MUTATE,
    ]);
    assert.equal(refused.code, 4, refused.stdout + refused.stderr);
    const refusedStep = parsed(refused).result?.outcomes.find((outcome) => outcome.error);
    assert.equal(refusedStep?.error?.code, 'PEER_STILL_ONLINE');
    assert.match(refusedStep.error.message, /is still online/);

    await stopMember(home.stateDir, 'natsm', victim.name);
    succeeded(await home.run(['members', 'remove', victim.name, '--sandbox', 'natsm', ...MUTATE]));
    const voters = parsed(
      await home.run(['members', 'list', '--sandbox', 'natsm', '-o', 'json']),
    ).result?.members?.filter((member) => member.voter);
    assert.equal(voters?.length, 2);
    assert.ok(voters.every((member) => member.name !== victim.name));
  });

  test('KRaft (protocol fake): a voter added and removed; wire requests reach the leader', async () => {
    const cluster = await FakeKraftCluster.start({ nodeIds: [3000, 3001, 3002], leaderId: 3001 });
    try {
      const endpoints = cluster.controllers.map((controller) => controller.endpoint).join(',');
      succeeded(
        await home.run([
          'members',
          'add',
          '--endpoints',
          endpoints,
          '--name',
          '3003',
          '--id',
          '3003',
          '--directory-id',
          directoryIdFor(3003),
          '--peer-urls',
          'CONTROLLER://controller-4:9093',
          ...MUTATE,
        ]),
      );
      const add = cluster.requests.find((request) => request.apiKey === FakeApi.AddRaftVoter);
      assert.equal(add?.nodeId, 3001);
      assert.deepEqual(add.body?.Listeners, [
        { Name: 'CONTROLLER', Host: 'controller-4', Port: 9093 },
      ]);
      assert.ok(cluster.state.voters.some((voter) => voter.id === 3003));

      succeeded(await home.run(['members', 'remove', '3002', '--endpoints', endpoints, ...MUTATE]));
      const remove = cluster.requests.find((request) => request.apiKey === FakeApi.RemoveRaftVoter);
      assert.equal(remove?.body?.VoterDirectoryId, directoryIdFor(3002));
      assert.deepEqual(cluster.state.voters.map((voter) => voter.id).sort(), [3000, 3001, 3003]);
    } finally {
      await cluster.stop();
    }
  });
});

/** The sandbox record after `members add` names the 4th member's client port. */
async function clientPortOfServer4(home: CliHome): Promise<number> {
  const listing = parsed(await home.run(['sandbox', 'ls', '-o', 'json'])) as unknown as {
    result: SandboxRecord[];
  };
  const member = listing.result
    .find((sandbox) => sandbox.name === 'zkm')
    ?.members.find((candidate) => candidate.name === 'n4');
  assert.ok(member !== undefined, 'the sandbox records n4');
  return member.ports.client ?? 0;
}
