/**
 * Runbooks as data: parameters, steps that call quorumctl operations by name, gates that must
 * hold before a step, manual confirmations, and what to do when a step fails.
 */
import type { SourceLocation } from '../findings.js';
import type { SystemKind } from '../model.js';

export const PARAMETER_TYPES = ['string', 'number', 'boolean', 'duration'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export type ParameterValue = string | number | boolean;

export interface RunbookParameter {
  name: string;
  type: ParameterType;
  description: string;
  /** Absent = the parameter is required. */
  default?: ParameterValue;
  location: SourceLocation;
}

export const GATE_OPERATORS = ['==', '!=', '>=', '<=', '>', '<'] as const;
export type GateOperator = (typeof GATE_OPERATORS)[number];

/** `require: quorumMargin >= 1`: a fact of the cluster compared with a literal. */
export interface Gate {
  /** As written, for messages. */
  expression: string;
  fact: string;
  operator: GateOperator;
  value: ParameterValue;
  location: SourceLocation;
}

interface StepBase {
  /** Unique within the runbook: the key of the journal and of `steps.<id>` templates. */
  id: string;
  /** What the step does, for people. */
  name: string;
  /** Checked before the step runs, also when a run is resumed. */
  gates: Gate[];
  location: SourceLocation;
}

/** Calls a quorumctl operation (`defrag`, `members.add`, ...) with templated arguments. */
export interface OperationStep extends StepBase {
  type: 'operation';
  operation: string;
  args: Record<string, unknown>;
}

/** Pauses for the operator; fails without a terminal unless the run has --yes. */
export interface ConfirmStep extends StepBase {
  type: 'confirm';
  text: string;
}

/** Arbitrary shell: refused unless the run has --allow-shell. */
export interface ShellStep extends StepBase {
  type: 'shell';
  command: string;
}

/** Only gates: a checkpoint ("the cluster is healthy before we go on"). */
export interface GateStep extends StepBase {
  type: 'gate';
}

export type RunbookStep = OperationStep | ConfirmStep | ShellStep | GateStep;

export type FailurePolicy = { action: 'stop' } | { action: 'cleanup'; steps: RunbookStep[] };

export interface Runbook {
  name: string;
  description: string;
  /** The systems it applies to; empty = any. */
  kinds: SystemKind[];
  parameters: RunbookParameter[];
  steps: RunbookStep[];
  onFailure: FailurePolicy;
  /** Where it was read from, for messages and `runbook show`. */
  file: string;
}
