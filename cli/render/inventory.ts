/** The people's view of the inventory: one row per cluster, the current one starred. */
import type { InventoryView } from '../../ops/inventory.js';
import { formatTable } from './table.js';

export function renderInventory(view: InventoryView): string {
  if (view.clusters.length === 0) {
    return `${view.path}: no clusters${view.exists ? '' : ' (file does not exist yet)'}\nAdd one with: quorumctl config add-cluster NAME --kind etcd --endpoints http://HOST:2379, or start a sandbox: quorumctl sandbox up\n`;
  }
  const rows = view.clusters.map((cluster) => [
    cluster.name === view.currentContext ? '*' : '',
    cluster.name,
    cluster.kind,
    cluster.endpoints.join(','),
    cluster.tls === undefined ? '' : 'tls',
    cluster.sandbox === undefined ? '' : `sandbox ${cluster.sandbox}`,
  ]);
  return `${view.path}\n\n${formatTable(['CURRENT', 'NAME', 'KIND', 'ENDPOINTS', 'TLS', 'NOTES'], rows)}`;
}
