// End to end: status and health of a live NATS JetStream sandbox through the quorumctl binary.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as connectNats } from '@nats-io/transport-node';
import type { ClusterStatus } from '../../core/model.js';
import type { SandboxRecord } from '../../sandbox/index.js';
import { createCliHome, type CliHome } from '../support/cli.js';
import { assertValidClusterStatus } from '../support/cluster-status-schema.js';

interface StatusDocument {
  apiVersion: string;
  kind: string;
  status: number;
  result: ClusterStatus;
}

describe('status and health against a live NATS sandbox', { timeout: 120_000 }, () => {
  let home: CliHome;
  let record: SandboxRecord;
  const hostPort = (url: string) => url.replace(/^http:\/\//, '');

  before(async () => {
    home = await createCliHome();
    record = await home.sandboxUp('js', ['--kind', 'nats']);
    const nc = await connectNats({ servers: record.endpoints, timeout: 5000 });
    try {
      const jsm = await jetstreamManager(nc, { timeout: 20_000 });
      await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'], num_replicas: 3 });
    } finally {
      await nc.close();
    }
  });

  after(async () => {
    await home.cleanup();
  });

  test('status --endpoints nats://... -o json: a valid ClusterStatus of the meta group', async () => {
    const monitorUrls = record.monitorUrls ?? [];
    const endpoints = `nats://${monitorUrls.map(hostPort).join(',')}`;
    const result = await home.run(['status', '--endpoints', endpoints, '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const document = JSON.parse(result.stdout) as StatusDocument;
    assert.equal(document.kind, 'ClusterStatus');
    assertValidClusterStatus(document.result);
    const { members, leaderId, groups } = document.result;
    assert.equal(document.result.kind, 'nats');
    assert.deepEqual(
      members.map((member) => [member.name, member.endpoint, member.reachable]),
      record.members.map((member, index) => [member.name, monitorUrls[index], true]),
    );
    assert.equal(members.filter((member) => member.role === 'leader').length, 1);
    assert.equal(leaderId, members.find((member) => member.role === 'leader')?.id);
    assert.equal(groups?.total, 1);
    assert.equal(groups.leaderless, 0);
  });

  test("the meta leader's monitoring port alone is enough to list every member", async () => {
    const all = JSON.parse((await home.run(['status', '-o', 'json'])).stdout) as StatusDocument;
    const leader = all.result.members.find((member) => member.id === all.result.leaderId);
    assert.ok(leader !== undefined);
    const result = await home.run([
      'status',
      '--endpoints',
      `nats://${hostPort(leader.endpoint)}`,
      '-o',
      'json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const document = JSON.parse(result.stdout) as StatusDocument;
    assertValidClusterStatus(document.result);
    assert.deepEqual(
      document.result.members.map((member) => [member.name, member.reachable]),
      [
        ['n1', true],
        ['n2', true],
        ['n3', true],
      ],
    );
    assert.equal(document.result.quorum.quorumMargin, 1);
  });

  test('the table: the meta leader, a row per server, the Raft group line', async () => {
    const result = await home.run(['status']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^sandbox-js \(nats\): leader n\d, quorum margin 1/);
    assert.match(result.stdout, /^meta cluster size 3$/m);
    for (const [index, member] of record.members.entries())
      assert.match(
        result.stdout,
        new RegExp(
          `^${member.name}\\s+${record.monitorUrls?.[index] ?? ''}\\s+(leader|follower)`,
          'm',
        ),
      );
    assert.match(result.stdout, /^Raft groups: 1 \(1 stream\), 0 leaderless, 0 under-replicated$/m);
  });

  test('health of a healthy NATS sandbox is ok (exit 0)', async () => {
    const result = await home.run(['health']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^OK: sandbox-js \(nats\), quorum margin 1/);
  });
});
