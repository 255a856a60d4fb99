/** Gates evaluated against facts of the cluster: pure, so `plan` and `resume` agree with `run`. */
import type { Gate, ParameterValue } from './model.js';

/**
 * What gates can name. `health`: ok | degraded | critical; `criticalFindings`: from a
 * `check` run; the rest from status. A fact that could not be read is absent.
 */
export type GateFacts = Readonly<Record<string, ParameterValue | undefined>>;

/** The facts the engine can provide, for messages and validation. */
export const GATE_FACTS = [
  'health',
  'hasLeader',
  'quorumMargin',
  'voters',
  'healthyVoters',
  'learners',
  'maxLagEntries',
  'alarms',
  'criticalFindings',
] as const;

export interface GateResult {
  gate: Gate;
  passed: boolean;
  /** "quorumMargin is 0, needs >= 1". */
  explanation: string;
}

export function evaluateGate(gate: Gate, facts: GateFacts): GateResult {
  const actual = facts[gate.fact];
  if (actual === undefined) {
    return {
      gate,
      passed: false,
      explanation: `${gate.fact} is unknown (could not be read), needs ${gate.operator} ${String(gate.value)}`,
    };
  }
  const passed = compare(actual, gate.operator, gate.value);
  return {
    gate,
    passed,
    explanation: `${gate.fact} is ${String(actual)}, needs ${gate.operator} ${String(gate.value)}`,
  };
}

export function evaluateGates(gates: readonly Gate[], facts: GateFacts): GateResult[] {
  return gates.map((gate) => evaluateGate(gate, facts));
}

function compare(actual: ParameterValue, operator: Gate['operator'], expected: ParameterValue) {
  switch (operator) {
    case '==':
      return actual === expected;
    case '!=':
      return actual !== expected;
    default: {
      if (typeof actual !== 'number' || typeof expected !== 'number') return false;
      if (operator === '>=') return actual >= expected;
      if (operator === '<=') return actual <= expected;
      if (operator === '>') return actual > expected;
      return actual < expected;
    }
  }
}

/** Whether any gate needs a check run (slower than status): only then is one made. */
export function needsCheck(gates: readonly Gate[]): boolean {
  return gates.some((gate) => gate.fact === 'criticalFindings');
}
