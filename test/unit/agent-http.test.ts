// The agent end to end in-process, against a scriptable fake adapter: HTTP endpoints, the
// bearer token, SSE events, failed and slow polls, no overlap, clean close.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, describe, it } from 'node:test';
import { createAgent, type Agent } from '../../agent/index.js';
import { jitteredDelayMs, PollLoop, waitAfterRunMs } from '../../agent/schedule.js';
import { isLoopbackHost, parseListenAddress } from '../../agent/listen.js';
import { parseVmRssBytes } from '../../agent/node-probes.js';
import { assembleClusterStatus } from '../../core/cluster-status.js';
import { UnreachableError } from '../../core/errors.js';
import type { ClusterStatus, MemberStatus } from '../../core/model.js';
import type { Capability, ClusterAdapter } from '../../core/ports.js';
import { findSample, parsePromText } from '../../systems/transport/prometheus-text.js';

type Script = () => Promise<ClusterStatus>;

/** An adapter whose next answer the test decides; counts calls and concurrent calls. */
class FakeAdapter implements ClusterAdapter {
  readonly kind = 'etcd' as const;
  readonly capabilities = new Set<Capability>(['status']);
  calls = 0;
  inFlight = 0;
  maxInFlight = 0;
  closed = false;
  constructor(public script: Script) {}
  async status(): Promise<ClusterStatus> {
    this.calls += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      return await this.script();
    } finally {
      this.inFlight -= 1;
    }
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

function clusterWithLeader(leader: string, term: number): ClusterStatus {
  const member = (name: string): MemberStatus => ({
    id: `id-${name}`,
    name,
    endpoint: `http://${name}:2379`,
    role: name === leader ? 'leader' : 'follower',
    voter: true,
    reachable: true,
    term,
    commitIndex: 100,
    alarms: [],
  });
  return assembleClusterStatus({
    cluster: 'fake',
    kind: 'etcd',
    members: ['a', 'b', 'c'].map(member),
    observedAt: new Date(),
  });
}

const unreachable = () =>
  Promise.reject(new UnreachableError('CLUSTER_UNREACHABLE', 'no endpoint answered'));

function get(
  agent: Agent,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const address = agent.address!;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: address.host, port: address.port, path, headers, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Opens /events and collects frames until `until` says enough or the timeout passes. */
function readEvents(
  agent: Agent,
  token: string,
  until: (frames: string[]) => boolean,
  timeoutMs = 5000,
): Promise<string[]> {
  const address = agent.address!;
  return new Promise((resolve, reject) => {
    const frames: string[] = [];
    let buffer = '';
    const req = request(
      {
        host: address.host,
        port: address.port,
        path: '/events',
        headers: { authorization: `Bearer ${token}` },
        agent: false,
      },
      (res) => {
        assert.equal(res.statusCode, 200);
        assert.match(String(res.headers['content-type']), /text\/event-stream/);
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (!frame.startsWith(':')) frames.push(frame);
            end = buffer.indexOf('\n\n');
          }
          if (until(frames)) {
            clearTimeout(timer);
            req.destroy();
            resolve(frames);
          }
        });
        // The agent ended the stream (closing): what arrived is the answer.
        res.on('end', () => {
          clearTimeout(timer);
          resolve(frames);
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`events seen before the timeout: ${JSON.stringify(frames)}`));
    }, timeoutMs);
    req.on('error', (error) => {
      if (!req.destroyed) reject(error);
    });
    req.end();
  });
}

describe('agent over HTTP with a fake adapter', () => {
  const agents: Agent[] = [];
  after(async () => {
    await Promise.all(agents.map((agent) => agent.close()));
  });

  function startAgent(
    adapter: FakeAdapter,
    options: Partial<Parameters<typeof createAgent>[0]> = {},
  ) {
    const agent = createAgent({
      target: { name: 'fake', kind: 'etcd', endpoints: ['http://a:2379'] },
      adapter,
      intervalMs: 50,
      listen: { host: '127.0.0.1', port: 0 },
      processMetrics: false,
      ...options,
    });
    agents.push(agent);
    return agent;
  }

  it('serves /metrics, /healthz and 404s; loopback by default', async () => {
    const adapter = new FakeAdapter(() => Promise.resolve(clusterWithLeader('a', 2)));
    const agent = startAgent(adapter, { intervalMs: 60_000 });
    await agent.start();
    assert.equal(agent.address?.host, '127.0.0.1');
    await agent.pollNow();
    const metrics = await get(agent, '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(String(metrics.headers['content-type']), /text\/plain; version=0.0.4/);
    const samples = parsePromText(metrics.body);
    assert.equal(findSample(samples, 'quorum_up', { cluster: 'fake' }), 1);
    assert.equal(findSample(samples, 'quorum_is_leader', { member: 'a' }), 1);
    assert.equal(findSample(samples, 'quorum_is_leader', { member: 'b' }), 0);
    const health = await get(agent, '/healthz');
    assert.equal(health.status, 200);
    const parsed = JSON.parse(health.body) as { up: boolean; polls: number; cluster: string };
    assert.equal(parsed.up, true);
    assert.equal(parsed.cluster, 'fake');
    assert.ok(parsed.polls >= 1);
    assert.equal((await get(agent, '/nope')).status, 404);
  });

  it('a failing poll reports quorum_up 0 with the error, keeps serving, and recovers', async () => {
    const adapter = new FakeAdapter(() => Promise.resolve(clusterWithLeader('a', 2)));
    const agent = startAgent(adapter, { intervalMs: 60_000 });
    await agent.start();
    // The poll start() begins at once; the interval keeps any other from starting.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(adapter.calls, 1);
    adapter.script = unreachable;
    await agent.pollNow();
    await agent.pollNow();
    let samples = parsePromText((await get(agent, '/metrics')).body);
    assert.equal(findSample(samples, 'quorum_up'), 0);
    assert.equal(findSample(samples, 'quorum_poll_failures_total'), 2);
    assert.equal(findSample(samples, 'quorum_member_up', { member: 'b' }), 0);
    const health = JSON.parse((await get(agent, '/healthz')).body) as {
      up: boolean;
      lastError: { code: string };
    };
    assert.equal(health.up, false);
    assert.equal(health.lastError.code, 'CLUSTER_UNREACHABLE');
    adapter.script = () => Promise.resolve(clusterWithLeader('a', 2));
    await agent.pollNow();
    samples = parsePromText((await get(agent, '/metrics')).body);
    assert.equal(findSample(samples, 'quorum_up'), 1);
    assert.equal(findSample(samples, 'quorum_member_up', { member: 'b' }), 1);
  });

  it('a hanging poll times out as failed, and the next poll never overlaps it', async () => {
    let release: (() => void) | undefined;
    const adapter = new FakeAdapter(
      () =>
        new Promise<ClusterStatus>((resolve) => {
          release = () => {
            resolve(clusterWithLeader('a', 2));
          };
        }),
    );
    const agent = startAgent(adapter, { intervalMs: 20, pollTimeoutMs: 100 });
    await agent.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Timed out (quorum_up 0) yet still running: no second call was started.
    assert.equal(adapter.calls, 1);
    assert.equal(findSample(parsePromText(await agent.metricsText()), 'quorum_up'), 0);
    assert.equal(agent.health().lastError?.code, 'POLL_TIMEOUT');
    adapter.script = () => Promise.resolve(clusterWithLeader('a', 2));
    release?.();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(adapter.calls > 2, `calls ${adapter.calls}`);
    assert.equal(adapter.maxInFlight, 1);
    assert.equal(findSample(parsePromText(await agent.metricsText()), 'quorum_up'), 1);
  });

  it('/events needs the bearer token and streams a leader change with its facts', async () => {
    let leader = 'a';
    let term = 2;
    const adapter = new FakeAdapter(() => Promise.resolve(clusterWithLeader(leader, term)));
    const agent = startAgent(adapter, { token: 's3cret', intervalMs: 30 });
    await agent.start();
    assert.equal((await get(agent, '/events')).status, 401);
    assert.equal((await get(agent, '/events', { authorization: 'Bearer wrong' })).status, 401);
    const frames = readEvents(agent, 's3cret', (seen) =>
      seen.some((frame) => frame.includes('event: leader-change')),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    leader = 'b';
    term = 3;
    const seen = await frames;
    const change = seen.find((frame) => frame.includes('event: leader-change'))!;
    const data = JSON.parse(/^data: (.*)$/m.exec(change)![1]!) as {
      type: string;
      details: { from: string; to: string; term: number };
      at: string;
      id: number;
    };
    assert.equal(data.type, 'leader-change');
    assert.deepEqual([data.details.from, data.details.to, data.details.term], ['a', 'b', 3]);
    assert.ok(!Number.isNaN(Date.parse(data.at)));
    assert.match(change, /^id: \d+$/m);
    assert.equal(
      findSample(parsePromText(await agent.metricsText()), 'quorum_leader_changes_total'),
      1,
    );
    assert.equal(agent.health().leaderChanges, 1);
  });

  it('a reconnecting client gets what it missed after Last-Event-ID', async () => {
    let leader = 'a';
    const adapter = new FakeAdapter(() => Promise.resolve(clusterWithLeader(leader, 2)));
    const agent = startAgent(adapter, { intervalMs: 60_000 });
    await agent.start();
    await agent.pollNow();
    leader = 'b';
    await agent.pollNow();
    leader = 'c';
    await agent.pollNow();
    const address = agent.address!;
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: address.host,
          port: address.port,
          path: '/events',
          headers: { 'last-event-id': '1' },
          agent: false,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
            if (text.includes('id: 2\n')) {
              req.destroy();
              resolve(text);
            }
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.ok(!body.includes('id: 1\n'));
    assert.match(body, /id: 2\nevent: leader-change\n/);
  });

  it('close() stops polling, ends event streams and closes the adapter', async () => {
    const adapter = new FakeAdapter(() => Promise.resolve(clusterWithLeader('a', 2)));
    const agent = startAgent(adapter, { intervalMs: 10 });
    await agent.start();
    const stream = readEvents(agent, '', () => false, 2000).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await agent.close();
    const calls = adapter.calls;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(adapter.calls, calls);
    assert.equal(adapter.closed, true);
    await stream;
    await assert.rejects(get(agent, '/healthz'));
  });

  it('the backup hook feeds quorum_backup_age_seconds', async () => {
    let now = Date.UTC(2026, 0, 1, 12);
    const adapter = new FakeAdapter(() => Promise.resolve(clusterWithLeader('a', 2)));
    const agent = startAgent(adapter, { listen: false, now: () => now });
    assert.equal(
      findSample(parsePromText(await agent.metricsText()), 'quorum_backup_age_seconds'),
      undefined,
    );
    agent.setLastBackupCompletedAt(new Date(now - 3600_000));
    now += 60_000;
    await agent.pollNow();
    assert.equal(
      findSample(parsePromText(await agent.metricsText()), 'quorum_backup_age_seconds'),
      3660,
    );
  });
});

describe('agent scheduling and parsing', () => {
  it('jitter stays within ±ratio of the interval', () => {
    assert.equal(
      jitteredDelayMs(1000, 0.1, () => 0),
      900,
    );
    assert.equal(
      jitteredDelayMs(1000, 0.1, () => 1),
      1100,
    );
    assert.equal(
      jitteredDelayMs(1000, 0, () => 0.7),
      1000,
    );
    assert.equal(waitAfterRunMs(1000, 1500), 0);
    assert.equal(waitAfterRunMs(1000, 300), 700);
  });

  it('a poll loop runs one task at a time even when runNow races the timer', async () => {
    let inFlight = 0;
    let max = 0;
    let runs = 0;
    const loop = new PollLoop(
      async () => {
        inFlight += 1;
        max = Math.max(max, inFlight);
        runs += 1;
        await new Promise((resolve) => setTimeout(resolve, 15));
        inFlight -= 1;
      },
      { intervalMs: 5, jitterRatio: 0 },
    );
    loop.start();
    await Promise.all([loop.runNow(), loop.runNow(), loop.runNow()]);
    await loop.stop();
    assert.equal(max, 1);
    assert.ok(runs >= 4);
  });

  it('listen addresses', () => {
    assert.deepEqual(parseListenAddress('127.0.0.1:9464'), { host: '127.0.0.1', port: 9464 });
    assert.deepEqual(parseListenAddress('[::1]:0'), { host: '::1', port: 0 });
    assert.throws(() => parseListenAddress('9464'), { code: 'LISTEN_INVALID' });
    assert.throws(() => parseListenAddress('h:70000'), { code: 'LISTEN_INVALID' });
    assert.equal(isLoopbackHost('127.0.0.1'), true);
    assert.equal(isLoopbackHost('localhost'), true);
    assert.equal(isLoopbackHost('::1'), true);
    assert.equal(isLoopbackHost('0.0.0.0'), false);
    assert.equal(isLoopbackHost('10.0.0.1'), false);
  });

  it('resident memory from /proc/PID/status', () => {
    assert.equal(parseVmRssBytes('Name:\tetcd\nVmRSS:\t   51200 kB\nThreads: 9\n'), 52_428_800);
    assert.equal(parseVmRssBytes('Name:\tkthreadd\n'), undefined);
  });
});
