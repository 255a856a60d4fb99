// The NATS adapter over loopback HTTP servers replaying recorded 2.9.10 answers: probes, errors, the assembled status.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { UnreachableError, UsageError } from '../../core/errors.js';
import { connect } from '../../systems/nats/adapter.js';
import { clientUrlOf, clusterClientUrls } from '../../systems/nats/monitoring.js';
import type { Varz } from '../../systems/nats/monitoring-types.js';
import { assertValidClusterStatus } from '../support/cluster-status-schema.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'nats-2.9.10');

interface RecordedServer {
  varz?: unknown;
  jsz?: unknown;
  healthz?: unknown;
  healthzStatus?: number;
  routez?: unknown;
}

function recorded(file: string): Record<string, RecordedServer> {
  return JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Record<string, RecordedServer>;
}

const servers: { close(): void }[] = [];
after(() => {
  for (const server of servers) server.close();
});

async function listening(server: Server | ReturnType<typeof createTcpServer>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A monitoring port answering from a recording, with per-path overrides (status, body). */
function replay(
  answers: RecordedServer,
  overrides: Record<string, [number, string]> = {},
): Promise<string> {
  return listening(
    createHttpServer((request, response) => {
      const path = (request.url ?? '').split('?')[0] ?? '';
      const override = overrides[path];
      const [status, body] =
        override ??
        (path === '/varz'
          ? [200, JSON.stringify(answers.varz)]
          : path === '/jsz'
            ? [200, JSON.stringify(answers.jsz)]
            : path === '/healthz'
              ? [answers.healthzStatus ?? 200, JSON.stringify(answers.healthz)]
              : path === '/routez'
                ? [200, JSON.stringify(answers.routez)]
                : [404, 'not found']);
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(body);
    }),
  );
}

/** A port nothing listens on (listened on, then closed). */
async function closedPort(): Promise<string> {
  const server = createTcpServer();
  const url = await listening(server);
  await new Promise((resolve) => server.close(resolve));
  return url;
}

describe('NATS adapter over replayed monitoring answers', { timeout: 20_000 }, () => {
  test('meta leader killed: new leader, the dead one unreachable by name, groups under-replicated', async () => {
    const killed = recorded('sandbox-meta-leader-n2-killed.json');
    const endpoints = [await replay(killed.n1!), await closedPort(), await replay(killed.n3!)];
    const adapter = connect({ name: 'x', kind: 'nats', endpoints }, { timeoutMs: 2000 });
    assert.deepEqual([...adapter.capabilities], ['status', 'membership', 'transferLeader']);
    const status = await adapter.status();
    assertValidClusterStatus(JSON.parse(JSON.stringify(status)));
    assert.equal(status.kind, 'nats');
    assert.equal(status.clusterId, 'x');
    assert.deepEqual(status.attributes, { metaClusterSize: 3 });
    assert.deepEqual(
      status.members.map((member) => [member.name, member.role, member.reachable]),
      [
        ['n1', 'leader', true],
        ['n2', 'unknown', false],
        ['n3', 'follower', true],
      ],
    );
    const n2 = status.members[1]!;
    assert.equal(n2.endpoint, endpoints[1]);
    assert.equal(n2.error?.code, 'ECONNREFUSED');
    assert.equal(status.leaderId, 'fjFyEjc1');
    assert.equal(status.quorum.quorumMargin, 0);
    assert.equal(status.groups?.total, 6);
    assert.equal(status.groups?.leaderless, 0);
    assert.equal(status.groups?.underReplicated, 6);
    await adapter.close();
  });

  test('a server whose /jsz fails is still a member, with the failure reported', async () => {
    const healthy = recorded('sandbox-healthy.json');
    const endpoints = [
      await replay(healthy.n1!),
      await replay(healthy.n2!, { '/jsz': [500, 'boom'] }),
      await replay(healthy.n3!),
    ];
    const status = await connect(
      { name: 'x', kind: 'nats', endpoints },
      { timeoutMs: 2000 },
    ).status();
    const n2 = status.members.find((member) => member.name === 'n2');
    assert.equal(n2?.reachable, true);
    assert.equal(n2?.role, 'leader');
    assert.deepEqual(n2?.reportedErrors, ['/jsz answered HTTP 500: boom']);
    // n2's own view is lost, so the groups it leads are judged from the followers' views.
    const s4 = status.groups?.worst.find((group) => group.id === '$G > S4');
    assert.equal(s4, undefined, 'S4 is neither leaderless nor under-replicated');
    assert.equal(status.groups?.leaderless, 0);
  });

  test('/healthz 503 is an answer: its reason becomes a reported error', async () => {
    const healthy = recorded('sandbox-healthy.json');
    const reason = 'JetStream is not current with the meta leader';
    const endpoints = [
      await replay(healthy.n1!, {
        '/healthz': [503, JSON.stringify({ status: 'unavailable', error: reason })],
      }),
    ];
    const status = await connect(
      { name: 'x', kind: 'nats', endpoints },
      { timeoutMs: 2000 },
    ).status();
    assert.deepEqual(status.members.find((member) => member.name === 'n1')?.reportedErrors, [
      reason,
    ]);
  });

  test('the client port given instead of the monitoring port: NOT_HTTP, with what to do', async () => {
    const sockets = new Set<Socket>();
    const clientPort = createTcpServer((socket) => {
      sockets.add(socket);
      socket.write('INFO {"server_id":"N","version":"2.9.10"}\r\n');
    });
    const endpoint = await listening(clientPort);
    try {
      await assert.rejects(
        connect({ name: 'c', kind: 'nats', endpoints: [endpoint] }, { timeoutMs: 2000 }).status(),
        (error: unknown) => {
          assert.ok(error instanceof UnreachableError);
          assert.equal(error.code, 'CLUSTER_UNREACHABLE');
          assert.match(error.message, /not in HTTP: is this the NATS client port\?/);
          assert.deepEqual(
            (error.details.errors as { code: string }[]).map((e) => e.code),
            ['NOT_HTTP'],
          );
          assert.ok(error.actions.some((action) => action.includes('monitoring')));
          return true;
        },
      );
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });

  test('every endpoint wants credentials: AUTH_FAILED usage error, not an outage', async () => {
    const endpoint = await replay({}, { '/varz': [401, 'unauthorized'] });
    await assert.rejects(
      connect({ name: 'p', kind: 'nats', endpoints: [endpoint] }, { timeoutMs: 2000 }).status(),
      (error: unknown) => error instanceof UsageError && error.code === 'AUTH_FAILED',
    );
  });

  test('a server that never answers is bounded by the timeout and is a member with TIMEOUT', async () => {
    const sockets = new Set<Socket>();
    const silent = createTcpServer((socket) => sockets.add(socket));
    const killed = recorded('sandbox-meta-leader-n2-killed.json');
    const endpoints = [await replay(killed.n1!), await listening(silent), await replay(killed.n3!)];
    try {
      const started = Date.now();
      const status = await connect(
        { name: 'x', kind: 'nats', endpoints },
        { timeoutMs: 400 },
      ).status();
      assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
      const n2 = status.members.find((member) => member.name === 'n2');
      assert.equal(n2?.reachable, false);
      assert.equal(n2?.error?.code, 'TIMEOUT');
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });

  test('monitorUrls win over endpoints when the inventory has both', async () => {
    const healthy = recorded('sandbox-healthy.json');
    const monitor = await replay(healthy.n1!);
    const status = await connect(
      { name: 'x', kind: 'nats', endpoints: ['nats://127.0.0.1:4222'], monitorUrls: [monitor] },
      { timeoutMs: 2000 },
    ).status();
    assert.equal(status.members.find((member) => member.name === 'n1')?.endpoint, monitor);
  });
});

describe('client URLs from /varz', () => {
  const varz = JSON.parse(readFileSync(join(FIXTURES, 'varz_n1.json'), 'utf8')) as Varz;

  test("the answering server's own client URL, and the cluster's", () => {
    assert.equal(clientUrlOf(varz, 'http://127.0.0.1:8222'), 'nats://127.0.0.1:4222');
    assert.deepEqual(clusterClientUrls(varz), [
      'nats://127.0.0.1:4222',
      'nats://127.0.0.1:4223',
      'nats://127.0.0.1:4224',
    ]);
  });

  test('a server listening on every interface is reached where its monitoring port is', () => {
    assert.equal(
      clientUrlOf({ ...varz, host: '0.0.0.0' }, 'http://nats-1.example:8222'),
      'nats://nats-1.example:4222',
    );
  });
});
