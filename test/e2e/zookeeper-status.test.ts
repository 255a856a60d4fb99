// End to end: quorumctl status and health against a real 3-server ZooKeeper sandbox.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SandboxRecord } from '../../sandbox/index.js';
import { createCliHome, type CliHome } from '../support/cli.js';
import { assertValidClusterStatus } from '../support/cluster-status-schema.js';

interface StatusDocument {
  apiVersion: string;
  kind: string;
  status: number;
  result: {
    leaderId?: string;
    term?: number;
    quorum: { voters: number; quorumMargin: number };
    attributes?: Record<string, string | number | boolean>;
    members: {
      id: string;
      name: string;
      endpoint: string;
      role: string;
      voter: boolean;
      reachable: boolean;
      attributes?: Record<string, string | number | boolean>;
    }[];
  };
  error?: { code: string; message: string; actions: string[] };
}

describe('status and health against a real ZooKeeper sandbox', { timeout: 120_000 }, () => {
  let home: CliHome;
  let record: SandboxRecord;

  before(async () => {
    home = await createCliHome();
    record = await home.sandboxUp('zk', ['--kind', 'zookeeper']);
  });

  after(async () => {
    await home.cleanup();
  });

  test('status --endpoints zookeeper://HOST:PORT -o json: a valid ClusterStatus of all three servers', async () => {
    const port = record.members[1]?.ports.client ?? 0;
    const result = await home.run([
      'status',
      '--endpoints',
      `zookeeper://127.0.0.1:${port}`,
      '-o',
      'json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const document = JSON.parse(result.stdout) as StatusDocument;
    assert.equal(document.apiVersion, 'quorumctl/v1');
    assert.equal(document.kind, 'ClusterStatus');
    assertValidClusterStatus(document.result);
    const { members, quorum, leaderId } = document.result;
    assert.equal(members.length, 3, 'the other two servers found through conf');
    assert.equal(members.filter((member) => member.role === 'leader').length, 1);
    assert.equal(leaderId, members.find((member) => member.role === 'leader')?.id);
    assert.equal(quorum.voters, 3);
    assert.equal(quorum.quorumMargin, 1);
    for (const member of members) {
      assert.match(String(member.attributes?.zxid), /^0x[0-9a-f]+$/);
      assert.equal(typeof member.attributes?.znodeCount, 'number');
    }
    assert.equal(document.result.attributes?.syncedFollowers, 2);
  });

  test('the table (sandbox context) shows the ZooKeeper columns and the leader-only facts', async () => {
    const result = await home.run(['status']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^sandbox-zk \(zookeeper\): leader server\.\d at term \d+, quorum margin 1/,
    );
    assert.match(
      result.stdout,
      /^synced followers 2, synced observers 0, pending syncs 0, learners 2, config version 0x[0-9a-f]+$/m,
    );
    const header = result.stdout.split('\n').find((line) => line.startsWith('NAME'));
    for (const column of [
      'ZXID',
      'OUTSTANDING REQUESTS',
      'LATENCY AVG MS',
      'LATENCY MAX MS',
      'ZNODE COUNT',
    ])
      assert.ok(header?.includes(column), `${column} in ${header}`);
    for (const member of record.members)
      assert.match(result.stdout, new RegExp(`^server\\.\\d\\s+${member.clientUrl}\\s`, 'm'));
  });

  test('health of a healthy ensemble is ok (exit 0)', async () => {
    const result = await home.run(['health']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^OK: sandbox-zk \(zookeeper\), quorum margin 1/);
  });

  test('nothing listening: exit 3 naming the TCP endpoint that was dialled', async () => {
    const result = await home.run([
      'status',
      '--endpoints',
      'zookeeper://127.0.0.1:1',
      '-o',
      'json',
    ]);
    assert.equal(result.code, 3);
    const document = JSON.parse(result.stdout) as StatusDocument;
    assert.equal(document.error?.code, 'CLUSTER_UNREACHABLE');
    assert.match(document.error?.message ?? '', /tcp:\/\/127\.0\.0\.1:1 \(connection refused/);
  });
});
