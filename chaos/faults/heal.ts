/** Heal what the journal records, for one sandbox or every sandbox of a state dir (`chaos heal`). */
import { resolve } from 'node:path';
import { journalPath, processExists, readJournal } from './journal.js';
import { SandboxFaultInjector } from './sandbox-injector.js';
import type { FaultRecord, HealReport } from './types.js';
import { isKubernetesScope } from '../kubernetes/injector.js';

/** A journal record and whether the process that injected it still runs. */
export interface ListedFault extends FaultRecord {
  ownerAlive: boolean;
}

export interface FaultListing {
  journal: string;
  faults: ListedFault[];
}

export async function listFaults(stateDir: string, sandbox?: string): Promise<FaultListing> {
  const records = await readJournal(stateDir);
  return {
    journal: journalPath(stateDir),
    faults: records
      .filter((record) => sandbox === undefined || record.scope.sandbox === sandbox)
      .map((record) => ({ ...record, ownerAlive: processExists(record.ownerPid) })),
  };
}

/**
 * Heals every recorded fault of the sandbox (or of all sandboxes), newest first per sandbox,
 * whoever injected it: the operator asked, and a live runner heals an already healed fault
 * as a no-op.
 */
export async function healRecorded(stateDir: string, sandbox?: string): Promise<HealReport> {
  const records = await readJournal(stateDir);
  // Faults of clusters in Kubernetes (scope kubernetes/...) are Chaos Mesh resources, healed
  // through the API by chaos/kubernetes/heal.ts, not by the sandbox drivers.
  const sandboxes = [...new Set(records.map((record) => record.scope.sandbox))].filter(
    (name) => (sandbox === undefined && !isKubernetesScope(name)) || name === sandbox,
  );
  const report: HealReport = { healed: [], failed: [] };
  for (const name of sandboxes) {
    const partial = await new SandboxFaultInjector({
      stateDir: resolve(stateDir),
      sandbox: name,
    }).healAll();
    report.healed.push(...partial.healed);
    report.failed.push(...partial.failed);
  }
  return report;
}
