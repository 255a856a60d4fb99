// Drill reports as JUnit XML, a self-contained HTML page and a table.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RecordedHistory } from '../../chaos/checker/history.js';
import type { DrillReport } from '../../chaos/report/drill-report.js';
import { renderDrillHtml } from '../../chaos/report/html.js';
import { renderJunit } from '../../chaos/report/junit.js';
import { parseMix } from '../../cli/commands/chaos/drill.js';
import { renderDrillReport } from '../../cli/render/drill.js';

const HISTORY: RecordedHistory = {
  model: 'register',
  operations: [
    {
      client: 0,
      key: 'k0',
      op: 'write',
      value: 'w0-1',
      outcome: 'ok',
      invokeMs: 10,
      completeMs: 20,
    },
    {
      client: 1,
      key: 'k0',
      op: 'read',
      result: 'w0-1',
      outcome: 'ok',
      invokeMs: 25,
      completeMs: 30,
    },
    {
      client: 1,
      key: 'k1',
      op: 'cas',
      value: [null, 'w1-1'],
      outcome: 'fail',
      invokeMs: 1200,
      completeMs: 1210,
    },
    { client: 0, key: 'k1', op: 'write', value: 'w0-2', outcome: 'unknown', invokeMs: 1300 },
    {
      client: 2,
      key: 'k1',
      op: 'write',
      value: 'w0-3',
      outcome: 'ok',
      invokeMs: 2600,
      completeMs: 2610,
    },
  ],
};

function report(overrides: Partial<DrillReport> = {}): DrillReport {
  return {
    scenario: {
      name: 'kill-leader',
      description: 'Kill the leader <script>alert(1)</script> & see.',
      source: 'built-in',
      target: { role: 'leader' },
      fault: { kind: 'kill' },
      durationMs: 1000,
      clients: 2,
      keys: 2,
      opTimeoutMs: 1000,
    },
    cluster: { name: 'sandbox-t', kind: 'etcd', sandbox: 't', members: ['n1', 'n2', 'n3'] },
    run: 'abc',
    seed: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:03.000Z',
    electionTimeout: { ms: 1000, source: 'etcd default' },
    targets: ['n1'],
    phases: [{ name: 'warmup', startMs: 0, endMs: 1000 }],
    faults: [
      {
        id: 'kill-1',
        kind: 'kill',
        members: ['n1'],
        requestedAtMs: 950,
        injectedAtMs: 1000,
        healedAtMs: 2000,
      },
    ],
    leaderTimeline: [
      { atMs: 5, leader: 'n1', term: 2 },
      { atMs: 1100, leader: null },
      { atMs: 1900, leader: 'n2', term: 3 },
    ],
    leaderBefore: 'n1',
    leaderAfter: 'n2',
    timeToNewLeaderMs: 900,
    writeUnavailability: { longestMs: 2590, fromMs: 20, toMs: 2610 },
    recoveryMs: 610,
    operations: {
      total: 5,
      ok: 3,
      fail: 1,
      unknown: 1,
      byType: { write: { ok: 2, fail: 0, unknown: 1 } },
      commonErrors: [{ reason: 'write: no answer within 1000 ms', count: 1 }],
    },
    acknowledgedWrites: 2,
    lostWrites: [
      { key: 'k1', value: 'w0-3', client: 2, receipt: 'rec/w0-3', acknowledgedAtMs: 2610 },
    ],
    workloadLocation: 'memory',
    checker: { verdict: 'linearizable', durationMs: 3, keys: 2 },
    expectations: [
      {
        name: 'new-leader',
        description: 'a new leader',
        status: 'passed',
        expected: 'within 3.00 s',
        observed: '0.90 s',
      },
      {
        name: 'lost-writes',
        description: 'nothing lost',
        status: 'failed',
        expected: 'at most 0 lost',
        observed: '1 lost <k1>',
      },
      {
        name: 'linearizable',
        description: 'linearizable',
        status: 'inconclusive',
        expected: 'linearizable',
        observed: 'unknown',
      },
    ],
    verdict: 'FAIL',
    reasons: ['lost-writes: expected at most 0 lost, observed 1 lost'],
    warnings: [],
    ...overrides,
  };
}

describe('renderJunit', () => {
  test('one test case per expectation: failures, skipped (inconclusive), escaped text', () => {
    const xml = renderJunit(report());
    assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>/);
    assert.match(
      xml,
      /<testsuites name="quorumctl chaos drill" tests="3" failures="1" skipped="1" time="3\.000">/,
    );
    assert.equal(xml.match(/<testcase /g)?.length, 3);
    assert.match(xml, /<failure message="expected at most 0 lost, observed 1 lost &lt;k1&gt;"/);
    assert.match(xml, /<skipped message="inconclusive: /);
    assert.match(xml, /LOST k1 = w0-3/);
    assert.doesNotMatch(xml, /<k1>/);
  });
});

describe('renderDrillHtml', () => {
  const html = renderDrillHtml(report(), HISTORY);

  test('is self-contained: no script, no external stylesheet, image or font', () => {
    assert.match(html, /^<!DOCTYPE html>/);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /\b(src|href)=/i);
    assert.doesNotMatch(html, /@import|url\(/i);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; see\./);
  });

  test('the timeline has a fault band, a leader change mark and one bar per operation', () => {
    assert.equal(html.match(/<svg /g)?.length, 1);
    assert.equal(html.match(/class="fault-band"/g)?.length, 1);
    assert.equal(html.match(/class="leader-change"/g)?.length, 1);
    assert.equal(html.match(/class="op (ok|fail|unknown)"/g)?.length, HISTORY.operations.length);
    assert.equal(html.match(/class="op unknown"/g)?.length, 1);
    assert.match(html, /<span class="verdict FAIL">FAIL<\/span>/);
    assert.match(html, /<td>k1<\/td><td>w0-3<\/td>/, 'the lost write is listed with its key');
  });
});

describe('renderDrillReport', () => {
  test('verdict first, the figures, the expectations and the lost writes', () => {
    const text = renderDrillReport(report());
    assert.match(text, /^FAIL: kill-leader\n/);
    assert.match(text, /Time to new leader\s+0\.90 s/);
    assert.match(text, /lost-writes\s+failed/);
    assert.match(text, /LOST WRITES\nKEY\s+VALUE/);
    assert.match(text, /k1\s+w0-3\s+2/);
    assert.doesNotMatch(renderDrillReport(report({ lostWrites: [] })), /LOST WRITES/);
  });
});

describe('--mix', () => {
  test('READ/WRITE/CAS weights; something must write', () => {
    assert.deepEqual(parseMix('50/50/0'), { read: 50, write: 50, cas: 0 });
    assert.throws(() => parseMix('100/0/0'), /some writes/);
    assert.throws(() => parseMix('1/2'), /READ\/WRITE\/CAS/);
    assert.throws(() => parseMix('a/b/c'), /READ\/WRITE\/CAS/);
  });
});
