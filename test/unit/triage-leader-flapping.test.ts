import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../core/findings.js';
import { leaderTimeline, triageLeaderFlapping } from '../../core/triage/leader-flapping.js';

function finding(ruleId: string, subject: string, message: string): Finding {
  return {
    ruleId,
    severity: 'warn',
    message,
    subject,
    remedy: `fix ${ruleId}`,
    docs: 'docs/checks.md',
  };
}

describe('leader-flapping triage', () => {
  it('turns samples into tenures, leaderless gaps included', () => {
    const timeline = leaderTimeline(
      [
        { atMs: 0, leader: 'n1' },
        { atMs: 500, leader: 'n1' },
        { atMs: 1000 },
        { atMs: 1500, leader: 'n2' },
      ],
      2000,
    );
    assert.deepEqual(timeline, [
      { leader: 'n1', fromMs: 0, toMs: 1000 },
      { fromMs: 1000, toMs: 1500 },
      { leader: 'n2', fromMs: 1500, toMs: 2000 },
    ]);
  });

  it('names a slow disk first, then a slow network, then lagging members', () => {
    const triage = triageLeaderFlapping({
      windowMs: 30_000,
      samples: [
        { atMs: 0, leader: 'n1', term: 4 },
        { atMs: 10_000, leader: 'n2', term: 5 },
        { atMs: 20_000, leader: 'n1', term: 7 },
      ],
      findings: [
        finding('CLUSTER-MEMBER-LAGGING', 'n3', 'n3 is 5000 entries behind'),
        finding('ETCD-FSYNC-P99', 'n2', 'WAL fsync p99 is 180 ms'),
      ],
      rtts: [
        { peer: 'http://n1:2379', rttMs: 0.4 },
        { peer: 'http://n3:2379', rttMs: 75 },
        { peer: 'http://n2:2379', error: 'timeout' },
      ],
      heartbeatMs: 100,
    });
    assert.equal(triage.leaderChanges, 2);
    assert.equal(triage.termsElapsed, 3);
    assert.deepEqual(
      triage.suspects.map((suspect) => suspect.cause),
      ['slow-disk', 'network-latency', 'lagging-member'],
    );
    assert.match(triage.suspects[1]!.evidence, /http:\/\/n3:2379 is 75\.0 ms/);
  });

  it('says so when leadership changed with nothing else wrong, and nothing when it did not change', () => {
    const base = {
      windowMs: 10_000,
      findings: [],
      rtts: [{ peer: 'p', rttMs: 1 }],
      heartbeatMs: 100,
    };
    const flapped = triageLeaderFlapping({
      ...base,
      samples: [
        { atMs: 0, leader: 'n1' },
        { atMs: 5000, leader: 'n2' },
      ],
    });
    assert.deepEqual(
      flapped.suspects.map((suspect) => suspect.cause),
      ['unexplained'],
    );
    const stable = triageLeaderFlapping({ ...base, samples: [{ atMs: 0, leader: 'n1' }] });
    assert.equal(stable.leaderChanges, 0);
    assert.deepEqual(stable.suspects, []);
  });
});
