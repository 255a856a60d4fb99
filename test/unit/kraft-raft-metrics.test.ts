// raft-metrics from JMX exporter pages in both namings (test/fixtures/kraft/jmx-exporter), and the status built from them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assessHealth } from '../../core/health.js';
import { statusFromMetrics } from '../../systems/kraft/metrics-status.js';
import { parseRaftMetrics, type RaftMetrics } from '../../systems/kraft/raft-metrics.js';
import { REPO_ROOT } from '../support/cli.js';
import { assertValidClusterStatus } from '../support/cluster-status-schema.js';

const page = (name: string) =>
  readFileSync(join(REPO_ROOT, 'test/fixtures/kraft/jmx-exporter', name), 'utf8');
const metricsOf = (name: string): RaftMetrics => {
  const metrics = parseRaftMetrics(page(name));
  assert.ok(metrics, name);
  return metrics;
};

describe('parseRaftMetrics', () => {
  test("the exporter's example rules (kafka_server_raft_metrics_*, state label on _info)", () => {
    assert.deepEqual(metricsOf('stock-leader.prom'), {
      naming: 'jmx-exporter',
      state: 'leader',
      currentLeader: 3001,
      currentEpoch: 5,
      highWatermark: 1834,
      logEndOffset: 1835,
      numberUnknownVoterConnections: 0,
    });
  });

  test("Strimzi's rules (kafka_server_raftmetrics_*, current_state label)", () => {
    assert.deepEqual(metricsOf('strimzi-leader.prom'), {
      naming: 'strimzi',
      state: 'leader',
      currentLeader: 2,
      currentEpoch: 9,
      highWatermark: 52011,
      logEndOffset: 52012,
      numberUnknownVoterConnections: 1,
      numberOfVoters: 3,
    });
  });

  test('a page without raft-metrics is undefined; a state sample of 0 is not the state', () => {
    assert.equal(parseRaftMetrics('jvm_threads_current 92.0\n# TYPE x gauge\n'), undefined);
    const metrics = parseRaftMetrics(
      'kafka_server_raftmetrics_current_state{current_state="candidate"} 0\n' +
        'kafka_server_raftmetrics_current_state{current_state="follower"} 1\n',
    );
    assert.equal(metrics?.state, 'follower');
  });
});

describe('statusFromMetrics', () => {
  test('stock pages: leader by current-leader, lag from log end offsets, a dead exporter unreachable', () => {
    const status = statusFromMetrics({
      cluster: 'k',
      scrapes: [
        { url: 'http://c1:7071/metrics', metrics: metricsOf('stock-leader.prom') },
        { url: 'http://c2:7071/metrics', metrics: metricsOf('stock-follower.prom') },
        {
          url: 'http://c3:7071/metrics',
          error: { code: 'ECONNREFUSED', message: 'connection refused' },
        },
      ],
      protocolError: 'SASL_NOT_SUPPORTED',
      now: new Date('2030-01-01T00:00:00Z'),
    });
    assertValidClusterStatus(status);
    assert.equal(status.leaderId, '3001');
    assert.equal(status.term, 5);
    assert.deepEqual(
      status.members.map((m) => [m.name, m.role, m.voter, m.reachable, m.lagEntries]),
      [
        ['3001 (c1:7071)', 'leader', true, true, 0],
        ['c2:7071', 'follower', true, true, 5],
        ['c3:7071', 'unknown', true, false, undefined],
      ],
    );
    assert.deepEqual(status.attributes, {
      source: 'jmx-exporter',
      highWatermark: 1834,
      maxFollowerLag: 5,
      protocolError: 'SASL_NOT_SUPPORTED',
    });
    assert.equal(status.quorum.quorumMargin, 0);
    assert.equal(assessHealth(status).verdict, 'degraded');
  });

  test('Strimzi pages: a broker is an observer; voters no page covers are counted as unmonitored', () => {
    const status = statusFromMetrics({
      cluster: 'k',
      scrapes: [
        { url: 'http://c2:9404/', metrics: metricsOf('strimzi-leader.prom') },
        { url: 'http://b1:9404/', metrics: metricsOf('strimzi-observer.prom') },
      ],
      now: new Date('2030-01-01T00:00:00Z'),
    });
    assertValidClusterStatus(status);
    const observer = status.members.find((m) => m.name === 'b1:9404');
    assert.equal(observer?.role, 'observer');
    assert.equal(observer?.voter, false);
    // number_of_voters is 3 and one voter page was given: two voters are not monitored.
    assert.equal(status.quorum.voters, 3);
    assert.equal(status.quorum.healthyVoters, 1);
    assert.deepEqual(
      status.members.filter((m) => m.error?.code === 'NOT_MONITORED').map((m) => m.id),
      ['unmonitored-1', 'unmonitored-2'],
    );
    assert.equal(
      status.members.find((m) => m.role === 'leader')?.attributes?.unknownVoterConnections,
      1,
    );
  });
});
