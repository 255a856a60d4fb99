/** Faults for sandboxes: open an injector for one sandbox, heal on exit, list the journal. */
import { resolve } from 'node:path';
import { SandboxFaultInjector } from './sandbox-injector.js';
import type { FaultInjector, FaultScope } from './types.js';

/** The injector for one sandbox of a state dir; faults are journalled in `<stateDir>/chaos/faults.json`. */
export function openFaultInjector(scope: FaultScope): FaultInjector {
  return new SandboxFaultInjector({ stateDir: resolve(scope.stateDir), sandbox: scope.sandbox });
}

export { installHealOnExit, type HealOnExitOptions } from './heal-on-exit.js';
export { journalPath, readJournal } from './journal.js';
export type {
  FaultInjector,
  FaultKind,
  FaultRecord,
  FaultScope,
  FaultSpec,
  HealReport,
} from './types.js';
