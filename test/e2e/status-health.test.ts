// End to end: status and health against a real 3-member etcd sandbox, then with members killed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { stopMember, type SandboxRecord } from '../../sandbox/index.js';
import { createCliHome, type CliHome } from '../support/cli.js';
import { assertValidClusterStatus } from '../support/cluster-status-schema.js';

interface StatusDocument {
  apiVersion: string;
  kind: string;
  status: number;
  result: {
    leaderId?: string;
    quorum: { voters: number; healthyVoters: number; quorumMargin: number; hasQuorum: boolean };
    members: {
      id: string;
      name: string;
      role: string;
      voter: boolean;
      reachable: boolean;
      error?: { code: string; message: string };
      dbSizeBytes?: number;
      quotaBytes?: number;
      term?: number;
    }[];
  };
}

describe('status and health against a real etcd sandbox', { timeout: 180_000 }, () => {
  let home: CliHome;
  let record: SandboxRecord;

  before(async () => {
    home = await createCliHome();
    record = await home.sandboxUp('e2e', ['--members', '3']);
  });

  after(async () => {
    await home.cleanup();
  });

  test('sandbox up with a running name: exit 2 naming the running sandbox', async () => {
    const again = await home.run(['sandbox', 'up', 'e2e']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /^Error \(SANDBOX_EXISTS\): sandbox "e2e" is already running/);
  });

  test('status -o json: one leader, three voters, quorum margin 1, db size > 0, quota 2 GiB', async () => {
    const result = await home.run(['status', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const document = JSON.parse(result.stdout) as StatusDocument;
    assert.equal(document.apiVersion, 'quorumctl/v1');
    assert.equal(document.kind, 'ClusterStatus');
    assertValidClusterStatus(document.result);
    const { members, quorum, leaderId } = document.result;
    assert.equal(members.filter((member) => member.role === 'leader').length, 1);
    assert.equal(members.filter((member) => member.voter).length, 3);
    assert.equal(quorum.quorumMargin, 1);
    assert.equal(leaderId, members.find((member) => member.role === 'leader')?.id);
    for (const member of members) {
      assert.ok((member.dbSizeBytes ?? 0) > 0, `${member.name} db size`);
      assert.equal(member.quotaBytes, 2 * 1024 ** 3);
      assert.match(member.id, /^\d+$/, 'member IDs are decimal strings');
    }
  });

  test('the table names every member and the leader', async () => {
    const result = await home.run(['status']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /leader n\d at term \d+, quorum margin 1/);
    for (const member of record.members)
      assert.match(result.stdout, new RegExp(`^${member.name}\\s+${member.clientUrl}`, 'm'));
  });

  test('health of a healthy sandbox is ok (exit 0)', async () => {
    const result = await home.run(['health']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^OK: sandbox-e2e \(etcd\), quorum margin 1/);
  });

  test('status --watch -o json streams one envelope per refresh (JSON Lines)', async () => {
    const lines = (stdout: string) => stdout.split('\n').filter((line) => line.trim() !== '');
    const result = await home.runUntil(
      ['status', '--watch', '--interval', '200ms', '-o', 'json'],
      (stdout) => lines(stdout).length >= 3,
    );
    const documents = lines(result.stdout).map((line) => JSON.parse(line) as StatusDocument);
    assert.ok(documents.length >= 3, `got ${documents.length} documents`);
    for (const document of documents) {
      assert.equal(document.kind, 'ClusterStatus');
      assert.equal(document.result.quorum.quorumMargin, 1);
    }
  });

  test('one follower killed: unreachable with the reason, margin 0, health degraded (exit 1)', async () => {
    // A follower, so no election is running when health looks (a killed leader reads NO_LEADER for about a second).
    const before = JSON.parse((await home.run(['status', '-o', 'json'])).stdout) as StatusDocument;
    const followerName = before.result.members.find((member) => member.role === 'follower')!.name;
    const victim = record.members.find((member) => member.name === followerName)!;
    await stopMember(home.stateDir, 'e2e', victim.name, 'SIGKILL');
    const started = Date.now();
    const status = await home.run(['status', '-o', 'json', '--timeout', '2s']);
    assert.ok(Date.now() - started < 10_000, 'status answers within its timeout');
    assert.equal(status.code, 0, status.stderr);
    const document = JSON.parse(status.stdout) as StatusDocument;
    assertValidClusterStatus(document.result);
    const dead = document.result.members.find((member) => member.name === victim.name);
    assert.equal(dead?.reachable, false);
    assert.equal(dead?.error?.code, 'ECONNREFUSED');
    assert.equal(document.result.quorum.quorumMargin, 0);

    const health = await home.run(['health']);
    assert.equal(health.code, 1);
    assert.match(health.stdout, /^DEGRADED: .*quorum margin 0/);
    assert.match(health.stdout, new RegExp(`MEMBER_UNREACHABLE: ${victim.name} `));
  });

  test('sandbox ls reports the crashed member', async () => {
    const result = await home.run(['sandbox', 'ls']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /e2e\s+etcd\s+degraded\s+.*n\d:DEAD/);
  });

  test('two members killed: health critical (no quorum), exit 1, nothing hangs', async () => {
    const survivors = JSON.parse(
      (await home.run(['status', '-o', 'json'])).stdout,
    ) as StatusDocument;
    const second = survivors.result.members.find((member) => member.reachable)!;
    await stopMember(home.stateDir, 'e2e', second.name, 'SIGKILL');
    const started = Date.now();
    const health = await home.run(['health', '-o', 'json', '--timeout', '2s']);
    assert.ok(Date.now() - started < 10_000, 'health answers within its timeout');
    assert.equal(health.code, 1);
    const document = JSON.parse(health.stdout) as {
      status: number;
      result: { verdict: string; reasons: { code: string }[]; quorum: { hasQuorum: boolean } };
    };
    assert.equal(document.status, 1);
    assert.equal(document.result.verdict, 'critical');
    assert.equal(document.result.quorum.hasQuorum, false);
    assert.ok(document.result.reasons.some((reason) => reason.code === 'NO_QUORUM'));
  });

  test('all members down: exit 3 naming every endpoint tried', async () => {
    for (const member of record.members)
      await stopMember(home.stateDir, 'e2e', member.name, 'SIGKILL');
    const result = await home.run(['status', '--timeout', '1s']);
    assert.equal(result.code, 3);
    assert.match(result.stderr, /^Error \(CLUSTER_UNREACHABLE\)/);
    for (const endpoint of record.endpoints)
      assert.ok(result.stderr.includes(endpoint), `names ${endpoint}`);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });
});
