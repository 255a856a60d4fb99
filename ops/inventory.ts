/** Inventory use cases: view, switch context, add or remove clusters. */
import {
  removeCluster,
  upsertCluster,
  useContext,
  findCluster,
  type Inventory,
  type InventoryCluster,
} from '../core/inventory.js';
import type { InventoryLocation } from './inventory-location.js';
import { loadInventory, saveInventory } from './inventory-store.js';

export interface InventoryView {
  path: string;
  exists: boolean;
  currentContext?: string;
  clusters: InventoryCluster[];
}

export async function viewInventory(location: InventoryLocation): Promise<InventoryView> {
  const { inventory, exists } = await loadInventory(location);
  return toView(location, inventory, exists);
}

export async function switchContext(
  location: InventoryLocation,
  name: string,
): Promise<InventoryView> {
  const { inventory } = await loadInventory(location);
  const next = useContext(inventory, name, location.path);
  await saveInventory(location, next);
  return toView(location, next, true);
}

export async function addCluster(
  location: InventoryLocation,
  cluster: InventoryCluster,
  makeCurrent: boolean,
): Promise<InventoryView> {
  const { inventory } = await loadInventory(location, { forWriting: true });
  const next = upsertCluster(inventory, cluster, makeCurrent);
  await saveInventory(location, next);
  return toView(location, next, true);
}

/** Removes a cluster if the inventory has it; returns whether it did. */
export async function forgetCluster(location: InventoryLocation, name: string): Promise<boolean> {
  const { inventory, exists } = await loadInventory(location, { forWriting: true });
  if (!exists || !inventory.clusters.some((cluster) => cluster.name === name)) return false;
  await saveInventory(location, removeCluster(inventory, name));
  return true;
}

export async function deleteCluster(
  location: InventoryLocation,
  name: string,
): Promise<InventoryView> {
  const { inventory } = await loadInventory(location);
  findCluster(inventory, name, location.path);
  const next = removeCluster(inventory, name);
  await saveInventory(location, next);
  return toView(location, next, true);
}

function toView(location: InventoryLocation, inventory: Inventory, exists: boolean): InventoryView {
  const view: InventoryView = { path: location.path, exists, clusters: inventory.clusters };
  if (inventory.currentContext !== undefined) view.currentContext = inventory.currentContext;
  return view;
}
