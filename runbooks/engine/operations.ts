/**
 * The operations a runbook step may call, as a port: the CLI (the composition root) registers
 * quorumctl's operations by name; the engine only knows this interface.
 */
import type { MaintenancePlan } from '../../core/maintenance/plan.js';
import type { SystemKind } from '../../core/model.js';
import type { ClusterAdapter } from '../../core/ports.js';
import type { ProgressSink } from '../../core/progress.js';
import type { ParameterValue } from '../../core/runbook/model.js';

export interface OperationContext {
  cluster: string;
  kind: SystemKind;
  adapter: ClusterAdapter;
  signal: AbortSignal;
  progress: ProgressSink;
  /** The run's id: operations may tag what they create with it (idempotent reruns). */
  runId: string;
}

export interface RunbookOperation {
  name: string;
  /** One line for `runbook show` and error messages. */
  description: string;
  /** Changes the cluster: `plan` shows its quorum effect. */
  mutates: boolean;
  /** The maintenance plan the step would execute, for `runbook plan` (mutating operations). */
  plan?(
    args: Readonly<Record<string, unknown>>,
    context: OperationContext,
  ): Promise<MaintenancePlan>;
  /**
   * Does the work, or detects it is already done (a resumed run reruns a step that was left
   * `started`). Returns outputs later steps can refer to as {{ steps.ID.KEY }}.
   */
  run(
    args: Readonly<Record<string, unknown>>,
    context: OperationContext,
  ): Promise<Record<string, ParameterValue>>;
}

export type OperationRegistry = ReadonlyMap<string, RunbookOperation>;
