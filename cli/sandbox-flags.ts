/** Flags shared by the sandbox commands. */
import { Flags } from '@oclif/core';

export const stateDirFlag = {
  'state-dir': Flags.string({
    description:
      'Where sandboxes keep data, logs and state. Default: $XDG_STATE_HOME/quorumctl or ~/.local/state/quorumctl.',
    helpGroup: 'GLOBAL',
  }),
};

/** The inventory context a sandbox registers itself as. */
export function sandboxContextName(sandbox: string): string {
  return `sandbox-${sandbox}`;
}
