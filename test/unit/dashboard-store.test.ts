import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RingBuffer } from '../../core/dashboard/ring-buffer.js';
import {
  commitsPerSecond,
  latencyP99Seconds,
  proposalsPerSecond,
} from '../../core/dashboard/series.js';
import { DashboardStore } from '../../core/dashboard/store.js';
import {
  clusterStatus,
  etcdSample,
  failedOutcome,
  okOutcome,
  T0,
} from '../support/dashboard-polls.js';

describe('RingBuffer', () => {
  it('keeps the newest values, oldest first', () => {
    const buffer = new RingBuffer<number>(3);
    assert.deepEqual(buffer.values(), []);
    assert.equal(buffer.latest(), undefined);
    for (const value of [1, 2, 3, 4, 5]) buffer.push(value);
    assert.deepEqual(buffer.values(), [3, 4, 5]);
    assert.equal(buffer.latest(), 5);
    assert.equal(buffer.size, 3);
  });

  it('refuses a capacity that cannot hold anything', () => {
    assert.throws(() => new RingBuffer(0), RangeError);
    assert.throws(() => new RingBuffer(1.5), RangeError);
  });
});

describe('dashboard series', () => {
  it('p99 over the interval comes from the histogram delta, not the lifetime histogram', () => {
    // Lifetime: mostly fast; in the interval only slow observations were added.
    const before = etcdSample({ n1: { fast: 1000, slow: 0, proposals: 10 } });
    const after = etcdSample({ n1: { fast: 1000, slow: 20, proposals: 30 } });
    const p99 = latencyP99Seconds(before, after, 'id-n1', 'fsync');
    assert.ok(p99 !== undefined && p99 > 0.001 && p99 <= 0.064, `p99 ${p99}`);
  });

  it('an idle interval, a reset counter or a missing metric is a gap, not zero', () => {
    const idle = etcdSample({ n1: { fast: 10, slow: 0, proposals: 1 } });
    assert.equal(latencyP99Seconds(idle, idle, 'id-n1', 'commit'), undefined);
    const reset = etcdSample({ n1: { fast: 1, slow: 0, proposals: 0 } });
    assert.equal(latencyP99Seconds(idle, reset, 'id-n1', 'commit'), undefined);
    assert.equal(latencyP99Seconds(undefined, idle, 'id-n1', 'commit'), undefined);
    assert.equal(latencyP99Seconds(idle, idle, 'id-other', 'commit'), undefined);
  });

  it('a quantile gauge (KRaft) is used as it is', () => {
    const sample = {
      members: [
        {
          memberId: 'id-c1',
          values: {},
          quantiles: { quorum_commit_latency_seconds: { '0.99': 0.012 } },
          histograms: {},
        },
      ],
      errors: [],
    };
    assert.equal(latencyP99Seconds(undefined, sample, 'id-c1', 'commit'), 0.012);
  });

  it('rates: commit index growth and the largest proposal counter growth per second', () => {
    const before = clusterStatus(0, {
      n1: { leader: true, commitIndex: 100 },
      n2: { commitIndex: 98 },
    });
    const after = clusterStatus(2, {
      n1: { leader: true, commitIndex: 160 },
      n2: { commitIndex: 159 },
    });
    assert.equal(commitsPerSecond(before, after, 2), 30);
    assert.equal(commitsPerSecond(undefined, after, 2), undefined);
    const sampleBefore = etcdSample({
      n1: { fast: 0, slow: 0, proposals: 100 },
      n2: { fast: 0, slow: 0, proposals: 90 },
    });
    const sampleAfter = etcdSample({
      n1: { fast: 0, slow: 0, proposals: 140 },
      // A restarted member's counter starts over: ignored, not negative.
      n2: { fast: 0, slow: 0, proposals: 3 },
    });
    assert.equal(proposalsPerSecond(sampleBefore, sampleAfter, 2), 20);
  });
});

describe('DashboardStore', () => {
  it('derives a leader change and logs it when the leader moves', () => {
    const store = new DashboardStore();
    store.record(okOutcome(clusterStatus(0, { n1: { leader: true }, n2: {}, n3: {} })));
    const events = store.record(
      okOutcome(
        clusterStatus(1, { n1: { down: true }, n2: { leader: true, term: 3 }, n3: { term: 3 } }),
      ),
    );
    const types = events.map((event) => event.type);
    assert.ok(types.includes('leader-change'), types.join(','));
    assert.ok(types.includes('member-unreachable'), types.join(','));
    const messages = store.log.values().map((entry) => entry.message);
    assert.ok(messages.some((message) => message.includes('leader changed from n1 to n2')));
    const track = store.cluster('prod');
    assert.equal(track?.health?.verdict, 'degraded');
    assert.equal(track?.leaders.size, 2);
  });

  it('a failed poll makes the cluster critical, keeps its last status and leaves gaps', () => {
    const store = new DashboardStore();
    store.record(
      okOutcome(
        clusterStatus(0, { n1: { leader: true }, n2: {} }),
        etcdSample({ n1: { fast: 1, slow: 0, proposals: 1 } }),
      ),
    );
    const events = store.record(failedOutcome(1));
    assert.deepEqual(
      events.map((event) => event.type),
      ['cluster-unreachable'],
    );
    // A second failure in a row is not another event.
    assert.deepEqual(store.record(failedOutcome(2)), []);
    const track = store.cluster('prod');
    assert.equal(track?.health?.verdict, 'critical');
    assert.equal(track?.health?.reasons[0]?.code, 'CLUSTER_UNREACHABLE');
    assert.equal(track?.consecutiveFailures, 2);
    assert.ok(track?.lastStatus !== undefined);
    assert.equal(track.commitsPerSecond.latest()?.value, undefined);
    assert.equal(track.leaders.latest()?.reached, false);
    assert.equal(track.members.get('id-n1')?.fsyncP99Seconds.latest()?.value, undefined);
    // And back.
    const back = store.record(okOutcome(clusterStatus(3, { n1: { leader: true }, n2: {} })));
    assert.ok(back.some((event) => event.type === 'cluster-back'));
    assert.equal(store.cluster('prod')?.health?.verdict, 'ok');
  });

  it('does not derive events while an agent streams them', () => {
    const store = new DashboardStore();
    store.addCluster('prod', 'etcd', 'agent');
    store.setStreamingEvents('prod', true);
    store.record(okOutcome(clusterStatus(0, { n1: { leader: true }, n2: {} })));
    const events = store.record(
      okOutcome(clusterStatus(1, { n1: {}, n2: { leader: true, term: 3 } })),
    );
    assert.deepEqual(events, []);
    store.recordEvents([
      {
        type: 'leader-change',
        cluster: 'prod',
        kind: 'etcd',
        at: new Date(T0 + 1000).toISOString(),
        message: 'leader changed from n1 to n2',
        details: {},
      },
    ]);
    assert.equal(store.log.latest()?.source, 'leader-change');
  });

  it('revision moves with every change, so a view can skip identical frames', () => {
    const store = new DashboardStore();
    const before = store.revision;
    store.record(okOutcome(clusterStatus(0, { n1: { leader: true } })));
    assert.ok(store.revision > before);
  });

  it('keeps clusters in the order they were added, before their first poll', () => {
    const store = new DashboardStore({ seriesCapacity: 5 });
    store.addCluster('b', 'nats');
    store.addCluster('a', 'etcd');
    store.addCluster('b', 'nats');
    assert.deepEqual(
      store.clusters().map((track) => track.name),
      ['b', 'a'],
    );
    for (let second = 0; second < 20; second += 1)
      store.record(okOutcome(clusterStatus(second, { n1: { leader: true } }, { cluster: 'a' })));
    assert.equal(store.cluster('a')?.leaders.size, 5);
  });
});
