/**
 * What a caller asks of any drill, whatever it runs against (a sandbox, a cluster in
 * Kubernetes): the scenario, its knobs, the progress sink and the test hooks; and the budgets
 * both composition roots use.
 */
import { randomBytes } from 'node:crypto';
import type { ProgressSink } from '../../core/progress.js';
import type { DrillScenario, OperationMix } from '../drills/scenario.js';
import type { FaultInjector } from '../faults/types.js';
import type { KeyValueClient } from '../workload/client.js';
import type { DrillRequest } from './run-drill.js';

export interface DrillRunOptions {
  /** Holds the fault journal. */
  stateDir: string;
  scenario: DrillScenario;
  durationMs?: number;
  clients?: number;
  mix?: OperationMix;
  maxTimeToNewLeaderMs?: number;
  seed?: number;
  checkerTimeoutMs?: number;
  keepData?: boolean;
  progress?: ProgressSink;
  /** Heal recorded faults when the process gets SIGINT/SIGTERM/SIGHUP (default true). */
  healOnSignals?: boolean;
  /** Tests: wrap each workload client. */
  wrapClient?: (client: KeyValueClient, index: number) => KeyValueClient;
  /** Tests: a different injector (default: the target's own, journal or Chaos Mesh). */
  injector?: FaultInjector;
}

/** Each status poll must come back quickly: a paused member must not stall the timeline. */
export const DRILL_STATUS_TIMEOUT_MS = 700;
export const WORKLOAD_SETUP_TIMEOUT_MS = 3000;

export function newRunId(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** The knobs of a drill that every caller (sandbox, Kubernetes) passes through as given. */
const TUNING_KEYS = [
  'durationMs',
  'clients',
  'mix',
  'maxTimeToNewLeaderMs',
  'checkerTimeoutMs',
  'keepData',
] as const;
export type DrillTuning = Pick<DrillRequest, (typeof TUNING_KEYS)[number]>;

/** The tuning a caller set; absent knobs stay absent (the scenario's values apply). */
export function drillTuning(request: {
  readonly [K in keyof DrillTuning]?: DrillTuning[K] | undefined;
}): DrillTuning {
  const tuning: Partial<Record<keyof DrillTuning, unknown>> = {};
  for (const key of TUNING_KEYS) if (request[key] !== undefined) tuning[key] = request[key];
  return tuning as DrillTuning;
}
