import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { readingFromAgentSeries } from '../../core/dashboard/agent-reading.js';
import type { PollOutcome } from '../../core/dashboard/store.js';
import { UnreachableError } from '../../core/errors.js';
import type { ClusterEvent } from '../../core/metrics/events.js';
import { watchLine } from '../../cli/render/watch-line.js';
import {
  agentSource,
  clusterEventOf,
  SseParser,
  subscribeAgentEvents,
  type SseFrame,
} from '../../ops/dashboard/agent-source.js';
import { DashboardPoller, failureOf, type ClusterSource } from '../../ops/dashboard/poller.js';
import { parsePromText } from '../../systems/transport/prometheus-text.js';
import { REPO_ROOT } from '../support/cli.js';
import { clusterStatus, T0 } from '../support/dashboard-polls.js';

function source(name: string, read: ClusterSource['read']): ClusterSource {
  return { name, kind: 'etcd', via: 'direct', read, close: () => Promise.resolve() };
}

describe('DashboardPoller', () => {
  it('a hung cluster fails at its deadline and never delays the others', async () => {
    const outcomes: (PollOutcome & { seenAt: number })[] = [];
    let hungCalls = 0;
    let release: () => void = () => undefined;
    const hung = source('hung', () => {
      hungCalls += 1;
      return new Promise((_, reject) => {
        release = () => {
          reject(new Error('late'));
        };
      });
    });
    const fast = source('fast', () =>
      Promise.resolve({ status: clusterStatus(0, { n1: { leader: true } }) }),
    );
    const started = Date.now();
    const poller = new DashboardPoller([hung, fast], {
      intervalMs: 60_000,
      timeoutMs: 150,
      onOutcome: (outcome) => outcomes.push({ ...outcome, seenAt: Date.now() - started }),
    });
    poller.pollNow();
    await new Promise((resolve) => setTimeout(resolve, 400));
    const fastOutcome = outcomes.find((outcome) => outcome.cluster === 'fast');
    const hungOutcome = outcomes.find((outcome) => outcome.cluster === 'hung');
    assert.ok(fastOutcome?.ok === true);
    assert.ok(fastOutcome.seenAt < 100, `fast answered after ${fastOutcome.seenAt} ms`);
    assert.ok(hungOutcome !== undefined && !hungOutcome.ok);
    assert.equal(hungOutcome.error.code, 'POLL_TIMEOUT');
    assert.ok(hungOutcome.seenAt >= 140, `timed out after ${hungOutcome.seenAt} ms`);
    // Still hanging: the next round does not send it a second request.
    poller.pollNow();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(hungCalls, 1);
    assert.equal(outcomes.filter((outcome) => outcome.cluster === 'fast').length, 2);
    // Its late answer is not reported over the timeout.
    release();
    await poller.settled();
    assert.equal(outcomes.filter((outcome) => outcome.cluster === 'hung').length, 1);
    poller.pollNow();
    assert.equal(hungCalls, 2);
    // A read that ignores every deadline is abandoned after five of them (750 ms here).
    const abandonedAt = Date.now();
    await poller.settled();
    assert.ok(Date.now() - abandonedAt >= 500, `abandoned after ${Date.now() - abandonedAt} ms`);
    await poller.stop();
    release();
  });

  it('failures carry the typed error code or the socket code', () => {
    assert.deepEqual(failureOf(new UnreachableError('NO_MEMBER', 'nobody answers', {})), {
      code: 'NO_MEMBER',
      message: 'nobody answers',
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    assert.equal(failureOf(refused).code, 'ECONNREFUSED');
    assert.equal(failureOf('odd').code, 'POLL_FAILED');
  });
});

const AGENT_METRICS = `# HELP quorum_up whether the last poll got a status
quorum_up{cluster="prod",kind="etcd"} 1
quorum_member_up{cluster="prod",kind="etcd",member="n1"} 1
quorum_member_up{cluster="prod",kind="etcd",member="n2"} 1
quorum_member_up{cluster="prod",kind="etcd",member="n3"} 0
quorum_is_leader{cluster="prod",kind="etcd",member="n1"} 0
quorum_is_leader{cluster="prod",kind="etcd",member="n2"} 1
quorum_is_voter{cluster="prod",kind="etcd",member="n1"} 1
quorum_is_voter{cluster="prod",kind="etcd",member="n2"} 1
quorum_term{cluster="prod",kind="etcd",member="n1"} 7
quorum_term{cluster="prod",kind="etcd",member="n2"} 7
quorum_commit_index{cluster="prod",kind="etcd",member="n1"} 90
quorum_commit_index{cluster="prod",kind="etcd",member="n2"} 100
quorum_db_size_bytes{cluster="prod",kind="etcd",member="n2"} 2048
quorum_quota_bytes{cluster="prod",kind="etcd",member="n2"} 4096
quorum_proposals_committed_total{cluster="prod",kind="etcd",member="n2"} 555
quorum_wal_fsync_duration_seconds_bucket{cluster="prod",kind="etcd",member="n2",le="0.001"} 5
quorum_wal_fsync_duration_seconds_bucket{cluster="prod",kind="etcd",member="n2",le="+Inf"} 6
quorum_wal_fsync_duration_seconds_sum{cluster="prod",kind="etcd",member="n2"} 0.1
quorum_wal_fsync_duration_seconds_count{cluster="prod",kind="etcd",member="n2"} 6
quorum_raft_groups{cluster="prod",kind="etcd",group_type="stream"} 4
quorum_raft_groups_leaderless{cluster="prod",kind="etcd",group_type="stream"} 1
`;

describe('reading a cluster through its agent', () => {
  it('rebuilds the status and metric sample from the quorum_* series', () => {
    const { status, sample } = readingFromAgentSeries(
      parsePromText(AGENT_METRICS),
      'prod',
      'etcd',
      new Date(T0),
      'http://agent:9464',
    );
    assert.equal(status.leaderId, 'n2');
    assert.equal(status.term, 7);
    assert.deepEqual(
      status.members.map((member) => [member.name, member.role, member.reachable]),
      [
        ['n1', 'follower', true],
        ['n2', 'leader', true],
        ['n3', 'unknown', false],
      ],
    );
    assert.equal(status.members[0]?.lagEntries, 10);
    assert.equal(status.quorum.healthyVoters, 2);
    assert.equal(status.groups?.leaderless, 1);
    const n2 = sample.members.find((member) => member.memberId === 'n2');
    assert.equal(n2?.values.quorum_proposals_committed_total, 555);
    assert.equal(n2?.histograms.quorum_wal_fsync_duration_seconds?.count, 6);
    assert.equal(n2?.histograms.quorum_wal_fsync_duration_seconds?.buckets.at(-1)?.le, Infinity);
  });

  it('an agent that cannot reach its cluster, or has nothing, is an unreachable error', () => {
    assert.throws(
      () =>
        readingFromAgentSeries(
          parsePromText('quorum_up{cluster="prod",kind="etcd"} 0\n'),
          'prod',
          'etcd',
          new Date(T0),
          'http://a',
        ),
      { code: 'AGENT_REPORTS_DOWN' },
    );
    assert.throws(() => readingFromAgentSeries([], 'prod', 'etcd', new Date(T0), 'http://a'), {
      code: 'AGENT_NO_DATA',
    });
  });

  it('an agent started with --endpoints labels its one cluster differently: still read', () => {
    const text = AGENT_METRICS.replaceAll('cluster="prod"', 'cluster="etcd://h:2379"');
    const { status } = readingFromAgentSeries(
      parsePromText(text),
      'prod',
      'etcd',
      new Date(T0),
      'a',
    );
    assert.equal(status.cluster, 'prod');
    assert.equal(status.members.length, 3);
  });
});

describe('agent over HTTP', () => {
  let server: Server;
  let base: string;
  const event: ClusterEvent = {
    type: 'leader-change',
    cluster: 'prod',
    kind: 'etcd',
    at: new Date(T0).toISOString(),
    message: 'leader changed from n1 to n2',
    details: { from: 'n1', to: 'n2' },
  };

  before(async () => {
    server = createServer((request, response) => {
      if (request.url === '/metrics') {
        response.end(AGENT_METRICS);
        return;
      }
      if (request.url === '/events') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(': hello\n\n');
        response.write(
          `id: 7\nevent: leader-change\ndata: ${JSON.stringify({ id: 7, ...event })}\n\n`,
        );
        return;
      }
      response.statusCode = 404;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads /metrics from the first agent that answers', async () => {
    const reader = agentSource({
      cluster: 'prod',
      kind: 'etcd',
      // Port 9 (discard) refuses on loopback: the second agent is used.
      agents: ['http://127.0.0.1:9', base],
      parseExposition: parsePromText,
    });
    const reading = await reader.read(AbortSignal.timeout(3000));
    assert.equal(reading.status.leaderId, 'n2');
    const none = agentSource({
      cluster: 'prod',
      kind: 'etcd',
      agents: ['http://127.0.0.1:9'],
      parseExposition: parsePromText,
    });
    await assert.rejects(none.read(AbortSignal.timeout(3000)), { code: 'AGENT_UNREACHABLE' });
  });

  it('follows /events and reports the connection', async () => {
    const received: ClusterEvent[] = [];
    const states: boolean[] = [];
    const subscription = subscribeAgentEvents(
      { cluster: 'prod', kind: 'etcd', agents: [base], parseExposition: parsePromText },
      { onEvents: (events) => received.push(...events), onConnected: (up) => states.push(up) },
    );
    try {
      const deadline = Date.now() + 3000;
      while (received.length === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(received[0]?.message, 'leader changed from n1 to n2');
      assert.equal(states[0], true);
    } finally {
      subscription.close();
    }
  });
});

describe('server-sent events parsing', () => {
  it('frames split across chunks, comments and CRLF', () => {
    const frames: SseFrame[] = [];
    const parser = new SseParser((frame) => frames.push(frame));
    parser.push(': keep-alive\r\n\r\nid: 3\nevent: x\nda');
    parser.push('ta: {"a":1}\n\n');
    assert.deepEqual(frames, [{ id: '3', event: 'x', data: '{"a":1}' }]);
  });

  it("only well-formed cluster events pass, filed under the dashboard's cluster name", () => {
    assert.equal(clusterEventOf('not json', 'prod'), undefined);
    assert.equal(clusterEventOf('{"type":"nonsense","message":"m","at":"t"}', 'prod'), undefined);
    const event = clusterEventOf(
      '{"id":1,"type":"member-back","cluster":"etcd://h:2379","kind":"etcd","at":"t","message":"n1 answers again","details":{}}',
      'prod',
    );
    assert.equal(event?.cluster, 'prod');
    assert.equal(event?.type, 'member-back');
  });
});

describe('watch line', () => {
  it('one line: time, summary and verdict; unreachable says why', () => {
    const status = clusterStatus(0, { n1: { leader: true }, n2: {}, n3: {} });
    assert.equal(
      watchLine({ at: status.observedAt, cluster: 'prod', kind: 'etcd', status, verdict: 'ok' }),
      `${status.observedAt} prod (etcd): leader n1 at term 2, quorum margin 1 (3/3 voters reachable, majority 2) [ok]\n`,
    );
    assert.equal(
      watchLine({
        at: 'T',
        cluster: 'prod',
        kind: 'etcd',
        error: { code: 'POLL_TIMEOUT', message: 'no answer within 800 ms' },
        verdict: 'critical',
        reason: 'cannot reach prod',
      }),
      'T prod (etcd): UNREACHABLE (POLL_TIMEOUT: no answer within 800 ms) [critical] cannot reach prod\n',
    );
  });
});

describe('scripts/ansi-to-svg.mjs', () => {
  it('renders colours, reverse video and escapes text', async () => {
    const module = (await import(
      pathToFileURL(join(REPO_ROOT, 'scripts', 'ansi-to-svg.mjs')).href
    )) as {
      ansiToSvg(text: string, options?: { title?: string }): string;
      parseAnsi(text: string): { text: string; column: number; style: { fg?: string } }[][];
    };
    const lines = module.parseAnsi(
      'ab\u001b[31mred\u001b[0m \u001b[38;5;33mx\u001b[m\n\u001b[7m<&>\u001b[27m\n',
    );
    assert.equal(lines.length, 2);
    assert.deepEqual(
      lines[0]?.map((run) => [run.text, run.column, run.style.fg]),
      [
        ['ab', 0, undefined],
        ['red', 2, '#cd3131'],
        [' ', 5, undefined],
        ['x', 6, '#0087ff'],
      ],
    );
    const svg = module.ansiToSvg('\u001b[7m<&>\u001b[27m ok\n', { title: 'demo' });
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /&lt;&amp;&gt;/);
    assert.match(svg, /<rect x="12.0"[^>]*fill="#d4d4d4"\/>/);
    assert.match(svg, />demo</);
  });
});
