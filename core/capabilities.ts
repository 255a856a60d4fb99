/** Asking a system for what it cannot do is a clear error before any call is made. */
import { UnsupportedOperationError } from './errors.js';
import type { Capability, ClusterAdapter } from './ports.js';

const CAPABILITY_NAMES: Record<Capability, string> = {
  status: 'status',
  metrics: 'metrics',
  snapshot: 'snapshots (backup)',
  restore: 'restore',
  defragment: 'defragmentation',
  membership: 'membership changes',
  transferLeader: 'leader transfer',
  alarms: 'alarms',
  hashCheck: 'hash checks',
};

export function describeCapability(capability: Capability): string {
  return CAPABILITY_NAMES[capability];
}

export function requireCapability(
  adapter: Pick<ClusterAdapter, 'kind' | 'capabilities'>,
  capability: Capability,
): void {
  if (adapter.capabilities.has(capability)) return;
  const supported = [...adapter.capabilities].map(describeCapability).join(', ');
  throw new UnsupportedOperationError(
    'CAPABILITY_NOT_SUPPORTED',
    `${adapter.kind} clusters do not support ${describeCapability(capability)} in quorumctl`,
    {
      actions: [
        `quorumctl supports for ${adapter.kind}: ${supported === '' ? 'nothing yet' : supported}`,
        'docs/systems.md lists what each kind supports',
      ],
      details: { kind: adapter.kind, capability },
    },
  );
}
