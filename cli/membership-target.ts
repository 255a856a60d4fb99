/** The cluster a maintenance command acts on: the target flags or `--sandbox NAME`, connected. */
import { Flags } from '@oclif/core';
import { UsageError } from '../core/errors.js';
import type { ClusterStatus } from '../core/model.js';
import type { ClusterAdapter, ClusterTarget, ConnectOptions } from '../core/ports.js';
import {
  defaultStateDir,
  sandboxList,
  sandboxTarget,
  type SandboxListing,
} from '../sandbox/index.js';
import { connectAdapter } from '../systems/registry.js';
import { globalFlags, outputFlags, targetFlags } from './flags.js';
import { openTarget } from './kubernetes-reach.js';
import { stateDirFlag } from './sandbox-flags.js';
import { targetRequestFrom, type TargetFlagValues } from './target-request.js';

/** Target flags plus `--sandbox NAME`: a sandbox lets quorumctl start and stop member processes. */
export const membershipTargetFlags = {
  ...outputFlags,
  ...targetFlags,
  ...globalFlags,
  ...stateDirFlag,
  sandbox: Flags.string({
    description:
      'Act on this local sandbox: quorumctl also starts the new member and stops the removed one.',
    helpGroup: 'TARGET',
  }),
};
export type MembershipFlagValues = TargetFlagValues & {
  sandbox?: string | undefined;
  'state-dir'?: string | undefined;
};
export interface MembershipTarget {
  target: ClusterTarget;
  options: ConnectOptions;
  adapter: ClusterAdapter;
  stateDir: string;
  sandbox?: SandboxListing;
}
/** Connects to `--sandbox NAME` or to the target the other flags name; always closes it. */
export async function withMembershipTarget<T>(
  flags: MembershipFlagValues,
  use: (opened: MembershipTarget) => Promise<T>,
): Promise<T> {
  const stateDir = flags['state-dir'] ?? defaultStateDir();
  const sandbox =
    flags.sandbox === undefined ? undefined : await findSandbox(stateDir, flags.sandbox);
  const { target, options, release } =
    sandbox === undefined
      ? await openTarget(flags)
      : {
          target: { name: sandbox.name, kind: sandbox.kind, ...sandboxTarget(sandbox) },
          options: { timeoutMs: targetRequestFrom(flags).timeoutMs },
          release: () => Promise.resolve(),
        };
  try {
    const adapter = await connectAdapter(target, options);
    try {
      return await use({
        target,
        options,
        adapter,
        stateDir,
        ...(sandbox !== undefined && { sandbox }),
      });
    } finally {
      await adapter.close();
    }
  } finally {
    await release();
  }
}
export async function findSandbox(stateDir: string, name: string): Promise<SandboxListing> {
  const found = (await sandboxList(stateDir)).find((entry) => entry.name === name);
  if (found === undefined) {
    throw new UsageError('SANDBOX_NOT_FOUND', `no sandbox named "${name}" in ${stateDir}`, {
      actions: ['quorumctl sandbox ls', 'pass --state-dir if it was started with one'],
    });
  }
  return found;
}
/** Whether leadership can be moved before removing the leader (etcd move-leader). */
export function canTransferLeader(adapter: ClusterAdapter): boolean {
  return adapter.capabilities.has('transferLeader') && adapter.kind === 'etcd';
}
export function leaderOf(status: ClusterStatus): string | undefined {
  return status.members.find((member) => member.id === status.leaderId)?.name;
}
