// The agent against live etcd, ZooKeeper and NATS sandboxes, with a real Prometheus scraping
// it: catalog values match status, a stopped node turns quorum_up to 0 and back, killed
// leaders show up as leader_changes_total and as /events within two poll intervals.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createAgent, type Agent } from '../../agent/index.js';
import type { ClusterStatus } from '../../core/model.js';
import type { ClusterTarget } from '../../core/ports.js';
import {
  sandboxDown,
  sandboxTarget,
  sandboxUp,
  stopMember,
  type SandboxKind,
  type SandboxRecord,
} from '../../sandbox/index.js';
import { connectAdapter } from '../../systems/registry.js';
import {
  findSample,
  parsePromText,
  type PromSample,
} from '../../systems/transport/prometheus-text.js';
import { allStarted } from '../support/all-started.js';

const INTERVAL_MS = 500;
const KINDS: readonly SandboxKind[] = ['etcd', 'zookeeper', 'nats'];
const TOKEN = 'integration-token';

interface ReceivedEvent {
  receivedAt: number;
  type: string;
  data: { details: Record<string, string | number>; at: string; cluster: string };
}

interface Watched {
  kind: SandboxKind;
  record: SandboxRecord;
  target: ClusterTarget;
  agent: Agent;
  events: ReceivedEvent[];
  stopEvents: AbortController;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function statusOf(target: ClusterTarget): Promise<ClusterStatus> {
  const adapter = await connectAdapter(target, { timeoutMs: 1500 });
  try {
    return await adapter.status();
  } finally {
    await adapter.close();
  }
}

async function scrape(agent: Agent): Promise<PromSample[]> {
  const { host, port } = agent.address!;
  const response = await fetch(`http://${host}:${port}/metrics`);
  assert.equal(response.status, 200);
  return parsePromText(await response.text());
}

async function waitUntil<T>(
  what: string,
  read: () => Promise<T | undefined>,
  budgetMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${budgetMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Collects /events frames in the background until aborted. */
function collectEvents(agent: Agent, into: ReceivedEvent[], signal: AbortSignal): void {
  const { host, port } = agent.address!;
  void (async () => {
    const response = await fetch(`http://${host}:${port}/events`, {
      headers: { authorization: `Bearer ${TOKEN}` },
      signal,
    });
    assert.equal(response.status, 200);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body!) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: (.+)$/m.exec(frame)?.[1];
        const data = /^data: (.+)$/m.exec(frame)?.[1];
        if (type !== undefined && data !== undefined)
          into.push({
            receivedAt: Date.now(),
            type,
            data: JSON.parse(data) as ReceivedEvent['data'],
          });
        end = buffer.indexOf('\n\n');
      }
    }
  })().catch(() => undefined);
}

function sandboxMemberOf(record: SandboxRecord, endpoint: string): string | undefined {
  const port = /:(\d+)/.exec(endpoint.replace(/^[a-z+]+:\/\//, ''))?.[1];
  return record.members.find((member) =>
    Object.values(member.ports).some((memberPort) => String(memberPort) === port),
  )?.name;
}

describe('the agent against live sandboxes and a real Prometheus', { timeout: 150_000 }, () => {
  let stateDir: string;
  const watched = new Map<SandboxKind, Watched>();
  const extraAgents: Agent[] = [];
  let prometheus: ChildProcess | undefined;
  let prometheusUrl = '';

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-agent-it-'));
    const records = await allStarted(
      KINDS.map((kind) => sandboxUp({ stateDir, name: `agent-${kind}`, kind, members: 3 })),
    );
    for (const [index, kind] of KINDS.entries()) {
      const record = records[index]!;
      const target: ClusterTarget = { name: `it-${kind}`, kind, ...sandboxTarget(record) };
      const agent = createAgent({
        target,
        connect: { timeoutMs: 1000 },
        intervalMs: INTERVAL_MS,
        listen: { host: '127.0.0.1', port: 0 },
        token: TOKEN,
      });
      await agent.start();
      const stopEvents = new AbortController();
      const events: ReceivedEvent[] = [];
      collectEvents(agent, events, stopEvents.signal);
      watched.set(kind, { kind, record, target, agent, events, stopEvents });
    }
  });

  // Runs even when an assertion failed half-way: no server may outlive the tests.
  after(async () => {
    for (const entry of watched.values()) entry.stopEvents.abort();
    await Promise.all(
      [...watched.values()].map((entry) => entry.agent.close().catch(() => undefined)),
    );
    await Promise.all(extraAgents.map((agent) => agent.close().catch(() => undefined)));
    if (prometheus !== undefined && prometheus.exitCode === null) {
      prometheus.kill('SIGTERM');
      await new Promise((resolve) => prometheus!.once('exit', resolve));
    }
    await Promise.all(
      KINDS.map((kind) =>
        sandboxDown(stateDir, `agent-${kind}`, { graceMs: 500 }).catch(() => undefined),
      ),
    );
    await rm(stateDir, { recursive: true, force: true });
  });

  test('Prometheus scrapes the etcd and ZooKeeper agents: normalized series with the right labels', async () => {
    const etcd = watched.get('etcd')!;
    const zookeeper = watched.get('zookeeper')!;
    const port = await freePort();
    const config = join(stateDir, 'prometheus.yml');
    await writeFile(
      config,
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'scrape_configs:',
        '  - job_name: quorum-agents',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${etcd.agent.address!.port}', '127.0.0.1:${zookeeper.agent.address!.port}']`,
        '',
      ].join('\n'),
    );
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(stateDir, 'prometheus-data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: 'ignore' },
    );
    prometheusUrl = `http://127.0.0.1:${port}`;
    const query = async (promql: string) => {
      const response = await fetch(
        `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`,
      );
      const body = (await response.json()) as {
        status: string;
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      assert.equal(body.status, 'success');
      return body.data.result;
    };
    // Both targets scraped: quorum_up of each cluster is 1.
    const up = await waitUntil('both agents scraped', async () => {
      const result = await query('quorum_up == 1');
      return result.length === 2 ? result : undefined;
    });
    assert.deepEqual(up.map((series) => `${series.metric.cluster}/${series.metric.kind}`).sort(), [
      'it-etcd/etcd',
      'it-zookeeper/zookeeper',
    ]);
    assert.ok(up.every((series) => series.metric.job === 'quorum-agents'));

    for (const kind of ['etcd', 'zookeeper']) {
      const leaders = await query(`quorum_is_leader{kind="${kind}"}`);
      assert.equal(leaders.length, 3, `${kind}: one is_leader series per member`);
      assert.deepEqual(
        leaders.map((series) => Object.keys(series.metric).sort()),
        leaders.map(() => ['__name__', 'cluster', 'instance', 'job', 'kind', 'member']),
      );
      assert.equal(leaders.filter((series) => series.value[1] === '1').length, 1);
      const margin = await query(`quorum_margin{kind="${kind}"}`);
      assert.equal(margin[0]?.value[1], '1');
    }
    // etcd's fsync histogram with etcd's buckets, usable by histogram_quantile.
    const buckets = await query(
      'quorum_wal_fsync_duration_seconds_bucket{kind="etcd",member="n1"}',
    );
    assert.ok(buckets.some((series) => series.metric.le === '0.001'));
    assert.ok(buckets.some((series) => series.metric.le === '+Inf'));
    const p99 = await query(
      'histogram_quantile(0.99, sum by (le) (quorum_wal_fsync_duration_seconds_bucket{kind="etcd"}))',
    );
    assert.ok(Number(p99[0]?.value[1]) > 0);
    // ZooKeeper's averages as quantile gauges, in seconds.
    const latency = await query('quorum_commit_latency_seconds{kind="zookeeper"}');
    assert.deepEqual([...new Set(latency.map((series) => series.metric.quantile))].sort(), [
      '1',
      'avg',
    ]);
    const processMetrics = await query('process_resident_memory_bytes');
    assert.equal(processMetrics.length, 2);
  });

  test('every kind: /metrics agrees with status on leader, members, term and lag', async () => {
    for (const entry of watched.values()) {
      // Read until a status and the agent's latest poll agree (a poll may be mid-way).
      await waitUntil(`${entry.kind}: agent matches status`, async () => {
        const status = await statusOf(entry.target);
        const samples = await scrape(entry.agent);
        const labels = { cluster: entry.target.name, kind: entry.kind };
        if (findSample(samples, 'quorum_up', labels) !== 1) return undefined;
        for (const member of status.members) {
          const memberLabels = { ...labels, member: member.name };
          const isLeader = member.id === status.leaderId ? 1 : 0;
          if (findSample(samples, 'quorum_is_leader', memberLabels) !== isLeader) return undefined;
          if (findSample(samples, 'quorum_member_up', memberLabels) !== 1) return undefined;
          if (
            member.term !== undefined &&
            findSample(samples, 'quorum_term', memberLabels) !== member.term
          )
            return undefined;
          if (
            member.lagEntries !== undefined &&
            findSample(samples, 'quorum_follower_lag_entries', memberLabels) === undefined
          )
            return undefined;
        }
        if (findSample(samples, 'quorum_has_leader', labels) !== 1) return undefined;
        return true;
      });
    }
    const nats = await scrape(watched.get('nats')!.agent);
    assert.ok((findSample(nats, 'quorum_quota_bytes', { kind: 'nats' }) ?? 0) > 0);
    const etcd = await scrape(watched.get('etcd')!.agent);
    assert.ok((findSample(etcd, 'quorum_proposals_committed_total', { member: 'n1' }) ?? 0) > 0);
  });

  test('a stopped node: quorum_up 0 and the member down, the agent keeps serving, then recovers', async () => {
    const etcd = watched.get('etcd')!;
    const status = await statusOf(etcd.target);
    const follower = status.members.find((member) => member.id !== status.leaderId)!;
    // An agent in front of that one node only, as beside a member.
    const beside = createAgent({
      target: { name: 'beside', kind: 'etcd', endpoints: [follower.endpoint] },
      connect: { timeoutMs: 300 },
      intervalMs: 300,
      pollTimeoutMs: 600,
      listen: { host: '127.0.0.1', port: 0 },
      processMetrics: false,
    });
    extraAgents.push(beside);
    await beside.start();
    await waitUntil('beside agent up', async () =>
      findSample(await scrape(beside), 'quorum_up') === 1 ? true : undefined,
    );
    const sandboxName = sandboxMemberOf(etcd.record, follower.endpoint)!;
    await stopMember(stateDir, 'agent-etcd', sandboxName, 'SIGSTOP');
    try {
      await waitUntil('beside agent reports quorum_up 0', async () =>
        findSample(await scrape(beside), 'quorum_up') === 0 ? true : undefined,
      );
      await waitUntil('cluster agent reports the member down', async () =>
        findSample(await scrape(etcd.agent), 'quorum_member_up', { member: follower.name }) === 0
          ? true
          : undefined,
      );
      // The agent watching the whole cluster still gets a status: one member down is data.
      assert.equal(findSample(await scrape(etcd.agent), 'quorum_up'), 1);
      assert.equal(findSample(await scrape(etcd.agent), 'quorum_margin'), 0);
      const health = (await (
        await fetch(`http://127.0.0.1:${beside.address!.port}/healthz`)
      ).json()) as { up: boolean; lastError?: { code: string } };
      assert.equal(health.up, false);
      assert.match(health.lastError?.code ?? '', /TIMEOUT|UNREACHABLE/);
      assert.ok((findSample(await scrape(beside), 'quorum_poll_failures_total') ?? 0) >= 1);
      await waitUntil('member-unreachable event', () =>
        Promise.resolve(
          etcd.events.some((event) => event.type === 'member-unreachable') ? true : undefined,
        ),
      );
    } finally {
      await stopMember(stateDir, 'agent-etcd', sandboxName, 'SIGCONT');
    }
    await waitUntil('beside agent recovers', async () =>
      findSample(await scrape(beside), 'quorum_up') === 1 ? true : undefined,
    );
    await waitUntil('member back', () =>
      Promise.resolve(etcd.events.some((event) => event.type === 'member-back') ? true : undefined),
    );
  });

  test('leaders killed: leader_changes_total increments and /events streams leader-change within two intervals', async () => {
    await Promise.all(
      [...watched.values()].map(async (entry) => {
        const before = await statusOf(entry.target);
        const oldLeader = before.members.find((member) => member.id === before.leaderId)!;
        const labels = { cluster: entry.target.name };
        const changesBefore = findSample(
          await scrape(entry.agent),
          'quorum_leader_changes_total',
          labels,
        );
        assert.equal(changesBefore, 0, `${entry.kind}: no change yet`);
        const sandboxName = sandboxMemberOf(entry.record, oldLeader.endpoint);
        assert.ok(sandboxName, `${entry.kind}: sandbox member of ${oldLeader.endpoint}`);
        await stopMember(stateDir, `agent-${entry.kind}`, sandboxName, 'SIGKILL');
        // An independent watcher notes when a new leader is first visible.
        const seenAt = await waitUntil(
          `${entry.kind}: a new leader`,
          async () => {
            const status = await statusOf(entry.target);
            return status.leaderId !== undefined && status.leaderId !== oldLeader.id
              ? Date.now()
              : undefined;
          },
          30_000,
        );
        const event = await waitUntil(
          `${entry.kind}: leader-change event`,
          () => Promise.resolve(entry.events.find((received) => received.type === 'leader-change')),
          5000,
        );
        assert.equal(event.data.details.from, oldLeader.name);
        assert.notEqual(event.data.details.to, oldLeader.name);
        assert.equal(event.data.cluster, entry.target.name);
        const lateMs = event.receivedAt - seenAt;
        assert.ok(
          lateMs <= 2 * INTERVAL_MS,
          `${entry.kind}: event ${lateMs} ms after the new leader was visible`,
        );
        const samples = await scrape(entry.agent);
        assert.ok((findSample(samples, 'quorum_leader_changes_total', labels) ?? 0) >= 1);
        assert.equal(
          findSample(samples, 'quorum_member_up', { ...labels, member: oldLeader.name }),
          0,
        );
        assert.equal(findSample(samples, 'quorum_margin', labels), 0);
        assert.ok((findSample(samples, 'quorum_election_gap_seconds', labels) ?? 0) > 0);
      }),
    );
  });
});
