/**
 * `chaos heal` and `chaos faults` over every scope of the journal: sandbox faults are undone by
 * the sandbox injector, Chaos Mesh faults by deleting their resources through the API of the
 * context (and kubeconfig) that created them, one connection per context.
 */
import { resolve } from 'node:path';
import { describeCause } from '../../core/errors.js';
import type { KubernetesApi } from '../../core/kubernetes/port.js';
import { healRecorded, listFaults, type FaultListing } from '../faults/heal.js';
import { readJournal } from '../faults/journal.js';
import type { FaultRecord, HealReport } from '../faults/types.js';
import { ChaosMeshFaultInjector, chaosMeshUndoOf, isKubernetesScope } from './injector.js';

/** Which scopes: one sandbox, one inventory cluster in Kubernetes, or everything. */
export type HealSelection = { sandbox: string } | { cluster: string } | { all: true };

/** Opens the API a record's resources were created through (context and kubeconfig). */
export type ApiOpener = (connection: {
  context: string;
  kubeconfig?: string;
}) => Promise<KubernetesApi>;

/** Pure: whether a journal scope is selected. Kubernetes scopes end in `/<cluster>`. */
export function scopeSelected(scope: string, selection: HealSelection): boolean {
  if ('all' in selection) return true;
  if ('sandbox' in selection) return scope === selection.sandbox;
  return isKubernetesScope(scope) && scope.split('/').at(-1) === selection.cluster;
}

export async function listSelectedFaults(
  stateDir: string,
  selection: HealSelection,
): Promise<FaultListing> {
  const listing = await listFaults(stateDir);
  return {
    journal: listing.journal,
    faults: listing.faults.filter((fault) => scopeSelected(fault.scope.sandbox, selection)),
  };
}

/** Heals every selected scope; an API that cannot be opened fails that scope's faults only. */
export async function healSelected(
  stateDir: string,
  selection: HealSelection,
  openApi: ApiOpener,
): Promise<HealReport> {
  const records = await readJournal(stateDir);
  const scopes = [...new Set(records.map((record) => record.scope.sandbox))].filter((scope) =>
    scopeSelected(scope, selection),
  );
  const report: HealReport = { healed: [], failed: [] };
  const apis = new Map<string, Promise<KubernetesApi>>();
  try {
    for (const scope of scopes) {
      const partial = isKubernetesScope(scope)
        ? await healKubernetesScope(stateDir, scope, records, apis, openApi)
        : await healRecorded(stateDir, scope);
      report.healed.push(...partial.healed);
      report.failed.push(...partial.failed);
    }
  } finally {
    for (const api of apis.values())
      await api.then((opened) => opened.close()).catch(() => undefined);
  }
  return report;
}

async function healKubernetesScope(
  stateDir: string,
  scope: string,
  records: readonly FaultRecord[],
  apis: Map<string, Promise<KubernetesApi>>,
  openApi: ApiOpener,
): Promise<HealReport> {
  const first = records.find((record) => record.scope.sandbox === scope);
  const undo = first === undefined ? undefined : chaosMeshUndoOf(first);
  const inScope = records.filter((record) => record.scope.sandbox === scope);
  if (undo === undefined)
    return {
      healed: [],
      failed: inScope.map((record) => ({ record, error: 'no Chaos Mesh undo data recorded' })),
    };
  const connection = {
    context: undo.context,
    ...(undo.kubeconfig !== undefined && { kubeconfig: undo.kubeconfig }),
  };
  const key = `${connection.context}\0${connection.kubeconfig ?? ''}`;
  let api = apis.get(key);
  if (api === undefined) {
    api = openApi(connection);
    apis.set(key, api);
  }
  let opened: KubernetesApi;
  try {
    opened = await api;
  } catch (cause) {
    const error = `cannot open context "${connection.context}": ${describeCause(cause)}`;
    return { healed: [], failed: inScope.map((record) => ({ record, error })) };
  }
  return new ChaosMeshFaultInjector({ api: opened, stateDir: resolve(stateDir), scope }).healAll();
}
