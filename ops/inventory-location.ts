/** Finds the inventory file: --config, then $QUORUMCTL_CONFIG, then the XDG default. Cheap: no YAML loaded. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface InventoryLocation {
  path: string;
  /** Why this path was chosen: the flag, the environment variable or the default. */
  source: '--config' | 'QUORUMCTL_CONFIG' | 'default';
}

export function locateInventory(
  configFlag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): InventoryLocation {
  if (configFlag !== undefined && configFlag !== '')
    return { path: configFlag, source: '--config' };
  const fromEnv = env.QUORUMCTL_CONFIG;
  if (fromEnv !== undefined && fromEnv !== '') return { path: fromEnv, source: 'QUORUMCTL_CONFIG' };
  const configHome =
    env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== ''
      ? env.XDG_CONFIG_HOME
      : join(homedir(), '.config');
  return { path: join(configHome, 'quorumctl', 'config.yaml'), source: 'default' };
}
