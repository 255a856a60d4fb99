import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  latencyChart,
  leaderSegments,
  leaderTimelineLines,
  rateChart,
  sparkBars,
  termChurn,
} from '../../core/dashboard/charts.js';
import { compactBytes, gauge, shortDuration } from '../../core/dashboard/format.js';
import { quickCheck } from '../../core/dashboard/quick-check.js';
import { DashboardStore } from '../../core/dashboard/store.js';
import {
  clusterListRows,
  memberTableRows,
  quotaText,
  worstFinding,
} from '../../core/dashboard/tables.js';
import {
  groupSummaryLines,
  logLines,
  memberDetailLines,
} from '../../core/dashboard/text-panels.js';
import {
  clusterStatus,
  etcdSample,
  failedOutcome,
  okOutcome,
  T0,
} from '../support/dashboard-polls.js';

function storeWithLeaderMove(): DashboardStore {
  const store = new DashboardStore();
  store.addCluster('prod', 'etcd');
  store.addCluster('queue', 'nats');
  store.record(okOutcome(clusterStatus(0, { n1: { leader: true }, n2: {}, n3: {} })));
  store.record(okOutcome(clusterStatus(1, { n1: { leader: true }, n2: {}, n3: {} })));
  store.record(
    okOutcome(clusterStatus(2, { n1: { down: true }, n2: { term: 3 }, n3: { term: 3 } })),
  );
  store.record(
    okOutcome(
      clusterStatus(3, { n1: { down: true }, n2: { leader: true, term: 3 }, n3: { term: 3 } }),
    ),
  );
  store.record(failedOutcome(3, 'queue', 'nats'));
  return store;
}

describe('cluster list', () => {
  it('one row per cluster: leader, term, margin, health and the worst finding', () => {
    const rows = clusterListRows(storeWithLeaderMove()).rows;
    assert.deepEqual(rows[0]?.cells.slice(0, 6), [
      'prod',
      'etcd',
      'n2',
      '3',
      '0 (2/3)',
      'degraded',
    ]);
    assert.match(rows[0]?.cells[6] ?? '', /quorum margin 0|unreachable/);
    assert.equal(rows[1]?.health, 'critical');
    assert.deepEqual(rows[1]?.cells.slice(0, 3), ['queue', 'nats', 'unreachable']);
    assert.match(rows[1]?.cells[6] ?? '', /cannot reach queue/);
  });

  it('a cluster not polled yet is waiting; one without a leader says NONE', () => {
    const store = new DashboardStore();
    store.addCluster('new', 'etcd');
    assert.equal(clusterListRows(store).rows[0]?.health, 'waiting');
    assert.equal(clusterListRows(store).rows[0]?.cells[2], '...');
    store.record(okOutcome(clusterStatus(0, { n1: {}, n2: {} }, { cluster: 'new' })));
    assert.equal(clusterListRows(store).rows[0]?.cells[2], 'NONE');
    assert.equal(clusterListRows(store).rows[0]?.health, 'critical');
  });

  it('the worst finding prefers critical over degraded, check findings included', () => {
    const store = storeWithLeaderMove();
    const track = store.cluster('prod');
    assert.ok(track !== undefined);
    store.setCheck('prod', {
      atMs: T0,
      findings: [
        {
          ruleId: 'ETCD-FSYNC-1',
          severity: 'critical',
          message: 'WAL fsync p99 80 ms',
          remedy: '',
          docs: '',
        },
      ],
      notes: [],
    });
    assert.equal(worstFinding(track), 'ETCD-FSYNC-1: WAL fsync p99 80 ms');
  });
});

describe('member table', () => {
  it('roles, index, lag, quota gauge and reachability', () => {
    const store = new DashboardStore();
    store.record(
      okOutcome(
        clusterStatus(0, {
          n1: {
            leader: true,
            commitIndex: 120,
            dbSizeBytes: 1_600_000_000,
            quotaBytes: 2 * 1024 ** 3,
          },
          n2: { commitIndex: 100 },
          n3: { down: true },
        }),
      ),
    );
    const rows = memberTableRows(store.cluster('prod')).rows;
    assert.deepEqual(rows[0]?.cells.slice(0, 5), ['n1', 'leader', '2', '120', '0']);
    assert.match(rows[0]?.cells[5] ?? '', /^1\.5G\/2\.0G \[######--\] 75%$/);
    assert.equal(rows[0]?.isLeader, true);
    assert.equal(rows[1]?.cells[4], '20');
    assert.deepEqual(
      [rows[2]?.cells[1], rows[2]?.cells[6], rows[2]?.reachable],
      ['down', 'ECONNREFUSED', false],
    );
  });

  it('while the cluster is unreachable the last members are shown, all without answer', () => {
    const store = storeWithLeaderMove();
    store.record(failedOutcome(4));
    const rows = memberTableRows(store.cluster('prod')).rows;
    assert.equal(rows.length, 3);
    assert.ok(rows.every((row) => !row.reachable && row.cells[6] === 'no answer'));
    assert.deepEqual(memberTableRows(undefined).rows, []);
  });

  it('quota text without a quota is the size alone', () => {
    assert.equal(quotaText({ dbSizeBytes: 2048 }), '2.0K');
    assert.equal(quotaText({}), '-');
  });
});

describe('charts', () => {
  it('latency lines per member in milliseconds, one member when focused', () => {
    const store = new DashboardStore();
    const members = { n1: { leader: true }, n2: {} };
    store.record(
      okOutcome(
        clusterStatus(0, members),
        etcdSample({
          n1: { fast: 10, slow: 0, proposals: 1 },
          n2: { fast: 10, slow: 0, proposals: 1 },
        }),
      ),
    );
    store.record(
      okOutcome(
        clusterStatus(1, members),
        etcdSample({
          n1: { fast: 10, slow: 5, proposals: 6 },
          n2: { fast: 20, slow: 0, proposals: 6 },
        }),
      ),
    );
    const track = store.cluster('prod');
    const chart = latencyChart(track, 'fsync');
    assert.deepEqual(
      chart.lines.map((line) => line.title),
      ['n1', 'n2'],
    );
    assert.equal(chart.note, undefined);
    assert.ok((chart.lines[0]?.y.at(-1) ?? 0) > 1, 'n1 saw 50 ms fsyncs');
    assert.ok((chart.lines[1]?.y.at(-1) ?? 0) <= 1, 'n2 saw 1 ms fsyncs');
    assert.deepEqual(chart.lines[0]?.x, ['-1s', '-0s']);
    assert.deepEqual(
      latencyChart(track, 'fsync', { memberId: 'id-n2' }).lines.map((line) => line.title),
      ['n2'],
    );
    const rates = rateChart(track);
    assert.deepEqual(
      rates.lines.map((line) => line.title),
      ['commits', 'proposals'],
    );
    assert.equal(rates.lines[1]?.y.at(-1), 5);
  });

  it('says why a chart is flat', () => {
    const store = new DashboardStore();
    store.record(okOutcome(clusterStatus(0, { n1: { leader: true } }, { kind: 'zookeeper' })));
    assert.equal(latencyChart(store.cluster('prod'), 'commit').note, 'not exported');
    assert.equal(latencyChart(undefined, 'commit').note, 'no cluster selected');
  });
});

describe('leader timeline and term churn', () => {
  it('merges polls with one leader and marks the change', () => {
    const track = storeWithLeaderMove().cluster('prod');
    const segments = leaderSegments(track?.leaders.values() ?? []);
    assert.deepEqual(
      segments.map((segment) => [segment.state, segment.leaderName, segment.change]),
      [
        ['leader', 'n1', false],
        ['no-leader', undefined, false],
        ['leader', 'n2', true],
      ],
    );
    const lines = leaderTimelineLines(track, 10);
    assert.match(lines[0]?.text ?? '', /^12:00:03 n2 \(term 3\) 0ms <- new, was n1$/);
    assert.equal(lines[0]?.tone, 'change');
    assert.match(lines[1]?.text ?? '', /NO LEADER/);
    assert.equal(leaderTimelineLines(track, 1).length, 1);
  });

  it('a re-election of the same member at a higher term is a change too', () => {
    const segments = leaderSegments([
      { atMs: 0, reached: true, leaderId: 'a', leaderName: 'n1', term: 2 },
      { atMs: 1000, reached: true, leaderId: 'a', leaderName: 'n1', term: 2 },
      { atMs: 2000, reached: true, leaderId: 'a', leaderName: 'n1', term: 3 },
      { atMs: 3000, reached: false },
    ]);
    assert.deepEqual(
      segments.map((segment) => [segment.state, segment.change, segment.toMs]),
      [
        ['leader', false, 1000],
        ['leader', true, 2000],
        ['unreachable', false, 3000],
      ],
    );
  });

  it('term churn counts terms per bucket', () => {
    const track = storeWithLeaderMove().cluster('prod');
    const churn = termChurn(track, T0 + 10_000, 5, 2000);
    assert.equal(churn.total, 1);
    assert.deepEqual(churn.values, [0, 1, 0, 0, 0]);
    assert.equal(churn.bars, '\u2581\u2588\u2581\u2581\u2581');
    assert.match(churn.caption, /^1 election in 10s/);
    assert.equal(sparkBars([0, 0]), '\u2581\u2581');
    assert.equal(sparkBars([1, 2, 4, 8]).length, 4);
  });
});

describe('text panels', () => {
  it('Multi-Raft groups: totals, per type and the worst groups', () => {
    const store = new DashboardStore();
    store.record(
      okOutcome(
        clusterStatus(
          0,
          { n1: { leader: true } },
          {
            kind: 'nats',
            groups: {
              total: 12,
              leaderless: 1,
              underReplicated: 2,
              byType: [
                { type: 'stream', total: 4, leaderless: 1, underReplicated: 1 },
                { type: 'consumer', total: 8, leaderless: 0, underReplicated: 1 },
              ],
              worst: [
                {
                  id: 'stream ORDERS',
                  type: 'stream',
                  replicas: 3,
                  healthyReplicas: 1,
                  problems: ['no leader'],
                },
              ],
            },
          },
        ),
      ),
    );
    const lines = groupSummaryLines(store.cluster('prod'), 10);
    assert.equal(lines[0]?.text, '12 groups: 1 leaderless, 2 under-replicated');
    assert.equal(lines[0]?.tone, 'critical');
    assert.match(lines[1]?.text ?? '', /stream: 4/);
    assert.match(lines[3]?.text ?? '', /stream ORDERS leader NONE 1\/3: no leader/);
    assert.equal(groupSummaryLines(store.cluster('prod'), 2).length, 2);
    const single = new DashboardStore();
    single.record(okOutcome(clusterStatus(0, { n1: { leader: true } })));
    assert.match(groupSummaryLines(single.cluster('prod'), 5)[0]?.text ?? '', /single group/);
  });

  it("the log: events oldest first, then the selected cluster's current reasons", () => {
    const store = storeWithLeaderMove();
    const lines = logLines(store, store.cluster('prod'), 50);
    const texts = lines.map((line) => line.text);
    const change = texts.findIndex((text) => text.includes('leader-change'));
    const now = texts.findIndex((text) => text.startsWith('now prod'));
    assert.ok(change >= 0 && now > change, texts.join('\n'));
    assert.ok(texts.some((text) => text.includes('queue cluster-unreachable')));
    assert.equal(logLines(store, store.cluster('prod'), 2).length, 2);
    assert.ok(
      logLines(store, store.cluster('prod'), 2).every((line) => line.text.startsWith('now')),
    );
  });

  it('member detail names everything known about the member', () => {
    const store = storeWithLeaderMove();
    const lines = memberDetailLines(store.cluster('prod'), 'id-n1')?.map((line) => line.text);
    assert.ok(lines?.some((line) => /^reachable\s+no: connection refused$/.test(line)));
    assert.equal(memberDetailLines(store.cluster('prod'), 'nobody'), undefined);
  });

  it('quick check runs the core rules over the last two polls', () => {
    const store = storeWithLeaderMove();
    const track = store.cluster('prod');
    assert.ok(track !== undefined);
    const snapshot = quickCheck(track, T0 + 5000);
    assert.ok(snapshot.findings.length > 0);
    assert.ok(
      snapshot.findings.some((finding) => finding.subject === 'n1' || /n1/.test(finding.message)),
    );
    assert.match(snapshot.notes[0] ?? '', /rules ran over the last 1 s/);
    const down = store.cluster('queue');
    assert.ok(down !== undefined);
    assert.deepEqual(quickCheck(down, T0).findings, []);
  });
});

describe('cell formats', () => {
  it('bytes, gauges and durations fit narrow cells', () => {
    assert.equal(compactBytes(undefined), '-');
    assert.equal(compactBytes(512), '512B');
    assert.equal(compactBytes(1536), '1.5K');
    assert.equal(compactBytes(100 * 1024 * 1024), '100M');
    assert.equal(gauge(0.5, 4), '[##--]');
    assert.equal(gauge(1.7, 4), '[####]');
    assert.equal(gauge(undefined, 3), '[?  ]');
    assert.equal(shortDuration(850), '850ms');
    assert.equal(shortDuration(4200), '4.2s');
    assert.equal(shortDuration(190_000), '3m10s');
    assert.equal(shortDuration(7_500_000), '2h05m');
  });
});
