/**
 * The dashboard's `c`: core's check rules over what the store already holds (the last two
 * polls as the window), so checks run at once, without a network call or a wait (pure).
 * Hash and TLS rules are skipped: they need calls `quorumctl check` makes.
 */
import { buildCheckFacts } from '../check/facts.js';
import { buildCheckReport } from '../check/report.js';
import type { CheckSnapshot, ClusterTrack } from './store.js';

export function quickCheck(track: ClusterTrack, nowMs: number): CheckSnapshot {
  const status = track.lastStatus;
  if (status === undefined || track.lastOutcome?.ok !== true) {
    return {
      atMs: nowMs,
      findings: [],
      notes: ['no status to check: the cluster has not answered (see the events above)'],
    };
  }
  const facts = buildCheckFacts({
    statusBefore: track.previousStatus ?? status,
    status,
    ...(track.lastSample !== undefined && {
      samples: {
        ...(track.previousSample !== undefined && { before: track.previousSample }),
        after: track.lastSample,
      },
    }),
    certificates: [],
    now: new Date(nowMs),
  });
  const report = buildCheckReport(facts, 'warn');
  const skipped = report.rules.filter((rule) => rule.outcome === 'skipped').length;
  return {
    atMs: nowMs,
    findings: report.findings,
    notes: [
      `${report.rules.length - skipped} rules ran over the last ${report.windowSeconds} s` +
        (skipped > 0 ? `, ${skipped} skipped (quorumctl check -c ${status.cluster} runs all)` : ''),
    ],
  };
}
