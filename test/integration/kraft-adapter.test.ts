// The KRaft adapter and membership calls against the fake controller quorum (real TCP on loopback).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { isQuorumctlError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { assessHealth } from '../../core/health.js';
import type { ClusterStatus } from '../../core/model.js';
import type { ConnectOptions } from '../../core/ports.js';
import { KraftAdapter } from '../../systems/kraft/adapter.js';
import { addRaftVoter, removeRaftVoter } from '../../systems/kraft/membership.js';
import { REPO_ROOT } from '../support/cli.js';
import { assertValidClusterStatus } from '../support/cluster-status-schema.js';
import {
  directoryIdFor,
  FakeApi,
  FakeKraftCluster,
  type FakeClusterOptions,
} from '../support/kraft-fake-controller.js';

const OPTIONS: ConnectOptions = { timeoutMs: 1000 };

async function withCluster(
  options: FakeClusterOptions,
  use: (cluster: FakeKraftCluster) => Promise<void>,
): Promise<void> {
  const cluster = await FakeKraftCluster.start(options);
  try {
    await use(cluster);
  } finally {
    await cluster.stop();
  }
}

function statusOf(
  cluster: FakeKraftCluster,
  nodeIds: number[],
  options: ConnectOptions = OPTIONS,
): Promise<ClusterStatus> {
  const endpoints = nodeIds.map((nodeId) => cluster.controller(nodeId).url);
  return new KraftAdapter({ name: 'fake', kind: 'kraft', endpoints }, options).status();
}

const byId = (status: ClusterStatus) =>
  new Map(status.members.map((member) => [member.id, member]));
const asked = (cluster: FakeKraftCluster, apiKey: number) =>
  cluster.requests
    .filter((request) => request.apiKey === apiKey)
    .map((request) => `${request.nodeId}:v${request.apiVersion}`);

const THREE = { nodeIds: [3000, 3001, 3002], leaderId: 3001 };

describe('KRaft adapter against the fake quorum', { timeout: 60_000 }, () => {
  test('one follower endpoint: DescribeCluster names the leader, DescribeQuorum is asked there', async () => {
    await withCluster(THREE, async (cluster) => {
      cluster.state.observers.push({
        id: 1,
        logEndOffset: 990,
        lastFetchMsAgo: 150,
        lastCaughtUpMsAgo: 700,
      });
      cluster.state.voters[2]!.logEndOffset = 997;
      const status = await statusOf(cluster, [3000]);
      assertValidClusterStatus(status);
      assert.deepEqual(asked(cluster, FakeApi.DescribeQuorum), ['3000:v2', '3001:v2']);
      assert.deepEqual(asked(cluster, FakeApi.DescribeCluster), ['3000:v1', '3001:v1']);
      // 3002 was only probed: one ApiVersions, nothing else.
      assert.deepEqual(asked(cluster, FakeApi.ApiVersions), ['3000:v4', '3001:v4', '3002:v4']);
      assert.equal(status.leaderId, '3001');
      assert.equal(status.term, 2);
      assert.equal(status.clusterId, cluster.state.clusterId);
      const members = byId(status);
      assert.deepEqual(
        [...members.values()].map((m) => [m.id, m.role, m.voter, m.reachable]),
        [
          ['1', 'observer', false, true],
          ['3000', 'follower', true, true],
          ['3001', 'leader', true, true],
          ['3002', 'follower', true, true],
        ],
      );
      assert.equal(members.get('3002')?.lagEntries, 3);
      assert.equal(members.get('3002')?.endpoint, cluster.controller(3002).address);
      assert.equal(members.get('3000')?.attributes?.directoryId, directoryIdFor(3000));
      assert.equal(members.get('1')?.attributes?.lastCaughtUpMsAgo, 700);
      assert.deepEqual(status.attributes, {
        highWatermark: 1000,
        maxFollowerLag: 3,
        maxFollowerLagMs: 102,
        kraftVersion: 1,
      });
      assert.equal(status.quorum.quorumMargin, 1);
      assert.equal(assessHealth(status).verdict, 'ok');
    });
  });

  test('every controller given: the leader answers directly, no extra hop or probe', async () => {
    await withCluster(THREE, async (cluster) => {
      const status = await statusOf(cluster, [3000, 3001, 3002]);
      assert.equal(status.leaderId, '3001');
      assert.equal(cluster.requests.length, 9, 'ApiVersions, DescribeCluster, DescribeQuorum each');
      assert.ok(cluster.requests.every((request) => request.clientId === 'quorumctl'));
    });
  });

  test('a voter that is down: unreachable with the reason, quorum margin 0, degraded', async () => {
    await withCluster(THREE, async (cluster) => {
      await cluster.controller(3002).stop();
      cluster.state.voters[2]!.lastFetchMsAgo = 8000;
      const status = await statusOf(cluster, [3000, 3001, 3002]);
      const dead = byId(status).get('3002');
      assert.equal(dead?.reachable, false);
      assert.equal(dead?.error?.code, 'ECONNREFUSED');
      assert.equal(dead?.attributes?.lastFetchMsAgo, 8000);
      assert.equal(status.quorum.quorumMargin, 0);
      const health = assessHealth(status);
      assert.equal(health.verdict, 'degraded');
      assert.ok(health.reasons.some((reason) => reason.code === 'NO_FAULT_TOLERANCE'));
    });
  });

  test('Kafka 3.3-3.8 shape: ApiVersions v3 after v4 is refused, DescribeQuorum v1, no controller list', async () => {
    await withCluster({ nodeIds: [1, 2, 3], leaderId: 1 }, async (cluster) => {
      for (const controller of cluster.controllers) {
        controller.versions = { 18: 3, 55: 1, 60: 0, 80: 0, 81: 0 };
      }
      cluster.state.voters[2]!.lastFetchMsAgo = 60_000;
      const status = await statusOf(cluster, [1]);
      assert.deepEqual(asked(cluster, FakeApi.ApiVersions), ['1:v4', '1:v3']);
      assert.deepEqual(asked(cluster, FakeApi.DescribeQuorum), ['1:v1']);
      assert.deepEqual(
        asked(cluster, FakeApi.DescribeCluster),
        [],
        'v0 cannot describe controllers',
      );
      const members = byId(status);
      // No endpoints to probe: the leader's last fetch decides.
      assert.equal(members.get('2')?.reachable, true);
      assert.equal(members.get('2')?.endpoint, '');
      assert.equal(members.get('3')?.reachable, false);
      assert.equal(members.get('3')?.error?.code, 'FETCH_STALE');
      assert.equal(
        members.get('1')?.attributes?.directoryId,
        undefined,
        'directory IDs arrive in v2',
      );
      assert.equal(status.clusterId, undefined);
    });
  });

  test('an election (no leader): followers answer NOT_LEADER_OR_FOLLOWER, status says so', async () => {
    await withCluster({ ...THREE, leaderId: -1 }, async (cluster) => {
      const status = await statusOf(cluster, [3000, 3001]);
      assertValidClusterStatus(status);
      assert.equal(status.leaderId, undefined);
      // The controllers DescribeCluster lists stand in for the voters; 3002 was probed too.
      assert.deepEqual(
        status.members.map((m) => [m.id, m.role, m.reachable]),
        [
          ['3000', 'unknown', true],
          ['3001', 'unknown', true],
          ['3002', 'unknown', true],
        ],
      );
      assert.match(status.members[0]?.reportedErrors?.[0] ?? '', /NOT_LEADER_OR_FOLLOWER \(6\)/);
      const health = assessHealth(status);
      assert.equal(health.verdict, 'critical');
      assert.ok(health.reasons.some((reason) => reason.code === 'NO_LEADER'));
    });
  });

  test('the leader down and still named by DescribeCluster: the hop fails, the leader shows unreachable', async () => {
    await withCluster(THREE, async (cluster) => {
      await cluster.controller(3001).stop();
      const status = await statusOf(cluster, [3000, 3002]);
      assert.equal(status.leaderId, undefined);
      const leader = byId(status).get('3001');
      assert.equal(leader?.reachable, false);
      assert.equal(leader?.error?.code, 'ECONNREFUSED');
      assert.equal(status.quorum.healthyVoters, 2);
    });
  });

  test('a controller that never answers costs one timeout, not the status', async () => {
    await withCluster(THREE, async (cluster) => {
      cluster.controller(3002).script = () => 'silent';
      const started = Date.now();
      const status = await statusOf(cluster, [3000, 3001, 3002], { timeoutMs: 400 });
      assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
      assert.equal(status.leaderId, '3001');
      const silent = byId(status).get('3002');
      assert.equal(silent?.reachable, false);
      assert.equal(silent?.error?.code, 'TIMEOUT');
      assert.match(silent?.error?.message ?? '', /no answer to ApiVersions within 400 ms/);
    });
  });

  test('nobody answers: CLUSTER_UNREACHABLE (exit 3) naming every endpoint', async () => {
    await withCluster(THREE, async (cluster) => {
      const endpoints = cluster.controllers.map((controller) => controller.url);
      await cluster.stop();
      await assert.rejects(
        new KraftAdapter({ name: 'gone', kind: 'kraft', endpoints }, OPTIONS).status(),
        (error: unknown) => {
          assert.ok(isQuorumctlError(error));
          assert.equal(error.code, 'CLUSTER_UNREACHABLE');
          assert.equal(error.exitCode, ExitCode.unreachable);
          for (const endpoint of endpoints) assert.ok(error.message.includes(endpoint));
          assert.match(error.message, /connection refused/);
          return true;
        },
      );
    });
  });

  test('DescribeQuorum refused by ACLs everywhere: CLUSTER_AUTHORIZATION_FAILED (exit 2)', async () => {
    await withCluster(THREE, async (cluster) => {
      for (const controller of cluster.controllers) controller.describeQuorumError = 31;
      await assert.rejects(statusOf(cluster, [3000, 3001]), (error: unknown) => {
        assert.ok(isQuorumctlError(error));
        assert.equal(error.code, 'CLUSTER_AUTHORIZATION_FAILED');
        assert.equal(error.exitCode, ExitCode.usage);
        assert.match(error.actions.join('\n'), /DESCRIBE on CLUSTER/);
        return true;
      });
    });
  });

  test('a listener that needs SASL closes the connection after ApiVersions: said so', async () => {
    await withCluster({ nodeIds: [1], leaderId: 1 }, async (cluster) => {
      cluster.controller(1).script = (request) =>
        request.apiKey === FakeApi.ApiVersions ? undefined : 'close';
      await assert.rejects(statusOf(cluster, [1]), (error: unknown) => {
        assert.ok(isQuorumctlError(error));
        assert.equal(error.code, 'QUORUM_NOT_DESCRIBED');
        assert.match(error.message, /closed the connection after ApiVersions .*SASL/);
        return true;
      });
    });
  });

  test('SASL credentials are refused up front (exit 2)', async () => {
    await withCluster({ nodeIds: [1], leaderId: 1 }, async (cluster) => {
      await assert.rejects(
        statusOf(cluster, [1], { timeoutMs: 500, auth: { username: 'admin', password: 'x' } }),
        { code: 'SASL_NOT_SUPPORTED' },
      );
      assert.equal(cluster.requests.length, 0, 'nothing was sent');
    });
  });

  test('an abort signal stops a status that waits on a silent server', async () => {
    await withCluster({ nodeIds: [1], leaderId: 1 }, async (cluster) => {
      cluster.controller(1).script = () => 'silent';
      const controller = new AbortController();
      setTimeout(() => {
        controller.abort();
      }, 100);
      const started = Date.now();
      await assert.rejects(
        statusOf(cluster, [1], { timeoutMs: 10_000, signal: controller.signal }),
        (error: unknown) => {
          assert.ok(isQuorumctlError(error));
          assert.match(error.message, /request aborted/);
          return true;
        },
      );
      assert.ok(Date.now() - started < 2000);
    });
  });
});

describe('malformed answers on the wire', { timeout: 60_000 }, () => {
  const frame = (hex: string) => Buffer.from(hex, 'hex');

  test('garbage, huge sizes, wrong correlation IDs and TLS records: typed errors, quickly', async () => {
    await withCluster({ nodeIds: [1], leaderId: 1 }, async (cluster) => {
      const cutShort = (id: number) => {
        const body = Buffer.from('0000000213', 'hex');
        const header = Buffer.alloc(5);
        header.writeInt32BE(id);
        const size = Buffer.alloc(4);
        size.writeInt32BE(header.length + body.length);
        return Buffer.concat([size, header, body]);
      };
      const cases: [string, number, (correlationId: number) => Buffer, RegExp][] = [
        [
          'a 2 GiB frame',
          FakeApi.ApiVersions,
          () => frame('7fffffff00000001'),
          /response frame size 2147483647/,
        ],
        ['a negative size', FakeApi.ApiVersions, () => frame('ffffffff'), /response frame size -1/],
        [
          'another correlation ID',
          FakeApi.ApiVersions,
          () => frame('000000060000ffff0000'),
          /correlation ID 65535/,
        ],
        [
          'a TLS alert',
          FakeApi.ApiVersions,
          () => frame('150303000202280000'),
          /answered with TLS: use a kraft\+https/,
        ],
        [
          'a DescribeQuorum body cut short',
          FakeApi.DescribeQuorum,
          cutShort,
          /DescribeQuorum v2 response: truncated/,
        ],
      ];
      for (const [name, apiKey, reply, expected] of cases) {
        cluster.controller(1).script = (request) =>
          request.apiKey === apiKey ? reply(request.correlationId) : undefined;
        const started = Date.now();
        await assert.rejects(statusOf(cluster, [1]), (error: unknown) => {
          assert.ok(isQuorumctlError(error), `${name}: ${String(error)}`);
          assert.match(error.message, expected, name);
          return true;
        });
        assert.ok(Date.now() - started < 1500, `${name} took ${Date.now() - started} ms`);
      }
    });
  });

  test('fuzzed DescribeQuorum answers: a status or a typed error, never a crash or a hang', async () => {
    await withCluster({ nodeIds: [1], leaderId: 1 }, async (cluster) => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), async (body) => {
          cluster.controller(1).script = (request) => {
            if (request.apiKey !== FakeApi.DescribeQuorum) return undefined;
            const header = Buffer.alloc(5);
            header.writeInt32BE(request.correlationId);
            const size = Buffer.alloc(4);
            size.writeInt32BE(header.length + body.length);
            return Buffer.concat([size, header, Buffer.from(body)]);
          };
          try {
            await statusOf(cluster, [1], { timeoutMs: 300 });
          } catch (error) {
            assert.ok(isQuorumctlError(error), String(error));
          }
        }),
        { numRuns: 200 },
      );
    });
  });
});

describe('TLS listeners (kraft+https://)', { timeout: 60_000 }, () => {
  let dir: string;
  let key: string;
  let cert: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quorumctl-kraft-tls-'));
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    key = await readFile(join(dir, 'key.pem'), 'utf8');
    cert = await readFile(join(dir, 'cert.pem'), 'utf8');
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('with the CA: status over TLS, voters probed over TLS too', async () => {
    await withCluster({ ...THREE, tls: { key, cert } }, async (cluster) => {
      const status = await statusOf(cluster, [3000], { timeoutMs: 2000, tls: { ca: cert } });
      assert.equal(status.leaderId, '3001');
      assert.ok(status.members.every((member) => member.reachable));
    });
  });

  test('without the CA: untrusted certificate, exit 3 with the reason', async () => {
    await withCluster({ nodeIds: [1], leaderId: 1, tls: { key, cert } }, async (cluster) => {
      await assert.rejects(statusOf(cluster, [1]), (error: unknown) => {
        assert.ok(isQuorumctlError(error));
        assert.equal(error.code, 'CLUSTER_UNREACHABLE');
        assert.match(error.message, /self-signed server certificate: pass --cacert/);
        return true;
      });
    });
  });

  test('plain kraft:// against a TLS listener: told to use kraft+https://', async () => {
    await withCluster({ nodeIds: [1], leaderId: 1, tls: { key, cert } }, async (cluster) => {
      const plain = cluster.controller(1).url.replace('https://', 'http://');
      await assert.rejects(
        new KraftAdapter({ name: 'x', kind: 'kraft', endpoints: [plain] }, OPTIONS).status(),
        /kraft\+https/,
      );
    });
  });
});

describe(
  'controller membership (AddRaftVoter / RemoveRaftVoter) routed to the leader',
  { timeout: 60_000 },
  () => {
    const target = (cluster: FakeKraftCluster, nodeIds: number[]) => ({
      name: 'fake',
      kind: 'kraft' as const,
      endpoints: nodeIds.map((nodeId) => cluster.controller(nodeId).url),
    });
    const newVoter = {
      clusterId: 'fMCL8kv1SWm87L_Md-I2hg',
      timeoutMs: 500,
      voterId: 3003,
      voterDirectoryId: directoryIdFor(3003),
      listeners: [{ name: 'CONTROLLER', host: 'localhost', port: 9096 }],
      ackWhenCommitted: false,
    };

    test('add from a follower endpoint lands at the leader, v1 with AckWhenCommitted', async () => {
      await withCluster(THREE, async (cluster) => {
        const result = await addRaftVoter(target(cluster, [3000]), OPTIONS, newVoter);
        assert.equal(result.leaderId, 3001);
        const sent = cluster.requests.filter((request) => request.apiKey === FakeApi.AddRaftVoter);
        assert.equal(sent.length, 1);
        assert.equal(sent[0]?.nodeId, 3001);
        assert.equal(sent[0]?.apiVersion, 1);
        assert.equal(sent[0]?.body?.AckWhenCommitted, false);
        assert.equal(sent[0]?.body?.VoterDirectoryId, directoryIdFor(3003));
        assert.ok(cluster.state.voters.some((voter) => voter.id === 3003));

        await assert.rejects(addRaftVoter(target(cluster, [3000]), OPTIONS, newVoter), {
          code: 'DUPLICATE_VOTER',
        });
      });
    });

    test('remove: unknown voter, wrong cluster ID, then the real one', async () => {
      await withCluster(THREE, async (cluster) => {
        const voter = { clusterId: null, voterId: 3002, voterDirectoryId: directoryIdFor(3002) };
        await assert.rejects(
          removeRaftVoter(target(cluster, [3000, 3002]), OPTIONS, { ...voter, voterId: 7 }),
          (error: unknown) => {
            assert.ok(isQuorumctlError(error));
            assert.equal(error.code, 'VOTER_NOT_FOUND');
            assert.equal(error.exitCode, ExitCode.usage);
            assert.match(error.message, /RemoveRaftVoter on http:\/\/127\.0\.0\.1:\d+ failed/);
            return true;
          },
        );
        await assert.rejects(
          removeRaftVoter(target(cluster, [3000]), OPTIONS, { ...voter, clusterId: 'other' }),
          { code: 'INCONSISTENT_CLUSTER_ID' },
        );
        await removeRaftVoter(target(cluster, [3000]), OPTIONS, voter);
        assert.deepEqual(
          cluster.state.voters.map((entry) => entry.id),
          [3000, 3001],
        );
      });
    });

    test('a static quorum (kraft.version 0) and servers before Kafka 4.2 say why not', async () => {
      await withCluster(THREE, async (cluster) => {
        cluster.state.kraftVersion = 0;
        await assert.rejects(
          addRaftVoter(target(cluster, [3001]), OPTIONS, newVoter),
          (error: unknown) => {
            assert.ok(isQuorumctlError(error));
            assert.equal(error.code, 'UNSUPPORTED_VERSION');
            assert.match(error.actions.join('\n'), /kraft\.version 1/);
            return true;
          },
        );
        cluster.state.kraftVersion = 1;
        for (const controller of cluster.controllers) controller.versions[80] = 0;
        await assert.rejects(addRaftVoter(target(cluster, [3001]), OPTIONS, newVoter), {
          code: 'ACK_WHEN_COMMITTED_UNSUPPORTED',
        });
        await addRaftVoter(target(cluster, [3001]), OPTIONS, {
          ...newVoter,
          ackWhenCommitted: true,
        });
        assert.deepEqual(asked(cluster, FakeApi.AddRaftVoter), ['3001:v1', '3001:v0']);
      });
    });

    test('no leader anywhere: NO_QUORUM_LEADER (exit 3)', async () => {
      await withCluster({ ...THREE, leaderId: -1 }, async (cluster) => {
        await assert.rejects(addRaftVoter(target(cluster, [3000, 3001, 3002]), OPTIONS, newVoter), {
          code: 'NO_QUORUM_LEADER',
        });
      });
    });
  },
);

describe('JMX exporter pages as the fallback (monitorUrls)', { timeout: 60_000 }, () => {
  let server: Server;
  let base: string;

  before(async () => {
    const pages = join(REPO_ROOT, 'test/fixtures/kraft/jmx-exporter');
    server = createHttpServer((request, response) => {
      readFile(join(pages, (request.url ?? '/').slice(1)), 'utf8').then(
        (body) => response.writeHead(200, { 'content-type': 'text/plain' }).end(body),
        () => response.writeHead(404).end('not found'),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  test('SASL credentials with monitor URLs: status from raft-metrics, nothing sent to Kafka', async () => {
    await withCluster({ nodeIds: [1], leaderId: 1 }, async (cluster) => {
      const status = await new KraftAdapter(
        {
          name: 'sasl',
          kind: 'kraft',
          endpoints: [cluster.controller(1).url],
          monitorUrls: [
            `${base}/stock-leader.prom`,
            `${base}/stock-follower.prom`,
            `${base}/gone.prom`,
          ],
        },
        { timeoutMs: 1000, auth: { username: 'admin', password: 'secret' } },
      ).status();
      assertValidClusterStatus(status);
      assert.equal(cluster.requests.length, 0);
      assert.equal(status.leaderId, '3001');
      assert.equal(status.attributes?.protocolError, 'SASL_NOT_SUPPORTED');
      assert.equal(
        status.members.find((m) => m.endpoint.endsWith('gone.prom'))?.error?.code,
        'HTTP_404',
      );
    });
  });

  test('the protocol unreachable: raft-metrics, with the protocol error named', async () => {
    const lone = await FakeKraftCluster.start({ nodeIds: [1] });
    const endpoint = lone.controller(1).url;
    await lone.stop();
    const status = await new KraftAdapter(
      {
        name: 'down',
        kind: 'kraft',
        endpoints: [endpoint],
        monitorUrls: [`${base}/strimzi-leader.prom`],
      },
      OPTIONS,
    ).status();
    assert.equal(status.attributes?.protocolError, 'CLUSTER_UNREACHABLE');
    assert.equal(status.attributes?.source, 'jmx-exporter');
    assert.equal(status.leaderId, '2');
  });

  test('both unreachable: the protocol error stands', async () => {
    const lone = await FakeKraftCluster.start({ nodeIds: [1] });
    const endpoint = lone.controller(1).url;
    await lone.stop();
    await assert.rejects(
      new KraftAdapter(
        { name: 'down', kind: 'kraft', endpoints: [endpoint], monitorUrls: [`${base}/nothing`] },
        OPTIONS,
      ).status(),
      { code: 'CLUSTER_UNREACHABLE', message: /no endpoint answered/ },
    );
  });
});
