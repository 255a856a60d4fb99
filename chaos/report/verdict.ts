/**
 * Each expectation of a scenario judged against what the drill observed, and the verdict:
 * FAIL on any failed expectation (a lost write, a non-linearizable history, a missed leader
 * or recovery time), INCONCLUSIVE when the checker ran out of time or the workload never
 * got going, PASS otherwise.
 */
import type { CheckResult } from '../checker/history.js';
import type { DrillExpectations } from '../drills/scenario.js';
import type { DrillVerdict, ExpectationResult } from './drill-report.js';

export interface DrillObservations {
  expectations: DrillExpectations;
  /** Limits actually applied (the scenario's, or the kind's defaults). */
  maxTimeToNewLeaderMs: number;
  maxRecoveryMs: number;
  /** Did any fault act on the leader of its moment (the expectation only applies then). */
  faultHitLeader: boolean;
  timeToNewLeaderMs: number | null;
  /** Leaders other than the one before the fault seen from the first fault on. */
  otherLeadersSeen: string[];
  leaderBefore: string | null;
  recoveryMs: number | null;
  acknowledgedBeforeFault: number;
  /** null: the writes could not be read back (`readBackError` says why). */
  lostWrites: number | null;
  readBackError?: string;
  checker: Pick<CheckResult, 'verdict' | 'durationMs' | 'reason' | 'failingKey'>;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export function judgeDrill(observed: DrillObservations): {
  expectations: ExpectationResult[];
  verdict: DrillVerdict;
  reasons: string[];
} {
  const { expectations } = observed;
  const results: ExpectationResult[] = [];

  results.push({
    name: 'workload',
    description: 'the workload had writes acknowledged before the fault (else nothing was tested)',
    status: observed.acknowledgedBeforeFault > 0 ? 'passed' : 'inconclusive',
    expected: 'at least 1 acknowledged write before the fault',
    observed: `${observed.acknowledgedBeforeFault}`,
  });

  if (expectations.leaderChange === 'required') {
    const time = observed.timeToNewLeaderMs;
    results.push({
      name: 'new-leader',
      description: 'a new leader is elected after the fault hits the leader',
      status: !observed.faultHitLeader
        ? 'inconclusive'
        : time !== null && time <= observed.maxTimeToNewLeaderMs
          ? 'passed'
          : 'failed',
      expected: `within ${seconds(observed.maxTimeToNewLeaderMs)}`,
      observed: !observed.faultHitLeader
        ? 'no fault acted on the leader'
        : time === null
          ? 'no new leader seen'
          : seconds(time),
    });
  } else if (expectations.leaderChange === 'forbidden') {
    results.push({
      name: 'leader-unchanged',
      description: 'the leader keeps leading through the fault',
      status: observed.otherLeadersSeen.length === 0 ? 'passed' : 'failed',
      expected: `${observed.leaderBefore ?? '(none)'} throughout`,
      observed:
        observed.otherLeadersSeen.length === 0
          ? 'unchanged'
          : `also led: ${observed.otherLeadersSeen.join(', ')}`,
    });
  }

  results.push({
    name: 'recovery',
    description: 'writes are acknowledged again after the fault is healed',
    status:
      observed.recoveryMs !== null && observed.recoveryMs <= observed.maxRecoveryMs
        ? 'passed'
        : 'failed',
    expected: `within ${seconds(observed.maxRecoveryMs)} of the heal`,
    observed:
      observed.recoveryMs === null
        ? 'no write acknowledged after the heal'
        : seconds(observed.recoveryMs),
  });

  const lost = observed.lostWrites;
  results.push({
    name: 'lost-writes',
    description: 'every acknowledged write is found after heal',
    status:
      lost === null ? 'inconclusive' : lost <= expectations.maxLostWrites ? 'passed' : 'failed',
    expected: `at most ${expectations.maxLostWrites} lost`,
    observed:
      lost === null
        ? `could not read the writes back: ${observed.readBackError ?? 'no answer'}`
        : `${lost} lost`,
  });

  if (expectations.linearizable) {
    const verdict = observed.checker.verdict;
    results.push({
      name: 'linearizable',
      description: 'the recorded history is linearizable (each key checked on its own)',
      status:
        verdict === 'linearizable'
          ? 'passed'
          : verdict === 'not-linearizable'
            ? 'failed'
            : 'inconclusive',
      expected: 'linearizable',
      observed:
        verdict === 'not-linearizable'
          ? `not linearizable${observed.checker.failingKey === undefined ? '' : ` (key ${observed.checker.failingKey})`}`
          : verdict === 'unknown'
            ? `unknown: ${observed.checker.reason ?? 'the checker ran out of time'}`
            : `linearizable (checked in ${observed.checker.durationMs.toFixed(0)} ms)`,
    });
  }

  const reasons = results
    .filter((result) => result.status !== 'passed')
    .map((result) => `${result.name}: expected ${result.expected}, observed ${result.observed}`);
  const verdict: DrillVerdict = results.some((result) => result.status === 'failed')
    ? 'FAIL'
    : results.some((result) => result.status === 'inconclusive')
      ? 'INCONCLUSIVE'
      : 'PASS';
  return { expectations: results, verdict, reasons };
}
