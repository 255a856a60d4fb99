/** Loads and atomically saves the inventory file. */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from '../core/errors.js';
import {
  EMPTY_INVENTORY,
  parseInventory,
  serializeInventory,
  type Inventory,
} from '../core/inventory.js';
import type { InventoryLocation } from './inventory-location.js';

export interface LoadedInventory {
  location: InventoryLocation;
  inventory: Inventory;
  exists: boolean;
}

/**
 * A missing default file is an empty inventory; a missing file named explicitly is an
 * error for readers (a typo must not silently mean "no clusters") but not for writers.
 */
export async function loadInventory(
  location: InventoryLocation,
  options: { forWriting?: boolean } = {},
): Promise<LoadedInventory> {
  let text: string;
  try {
    text = await readFile(location.path, 'utf8');
  } catch (cause) {
    if (
      (cause as NodeJS.ErrnoException).code === 'ENOENT' &&
      (location.source === 'default' || options.forWriting === true)
    ) {
      return { location, inventory: EMPTY_INVENTORY, exists: false };
    }
    throw new UsageError(
      'INVENTORY_UNREADABLE',
      `cannot read inventory ${location.path} (from ${location.source}): ${(cause as Error).message}`,
      {
        actions: [
          'check the path, or create it with: quorumctl config add-cluster NAME --kind etcd --endpoints http://HOST:2379 --config PATH',
        ],
        cause,
      },
    );
  }
  return { location, inventory: parseInventory(text, location.path), exists: true };
}

/** Writes to a temp file beside the target, then renames: a crash never leaves half a file. */
export async function saveInventory(
  location: InventoryLocation,
  inventory: Inventory,
): Promise<void> {
  await mkdir(dirname(location.path), { recursive: true });
  const temp = `${location.path}.${process.pid}.tmp`;
  await writeFile(temp, serializeInventory(inventory), { mode: 0o600 });
  await rename(temp, location.path);
}
