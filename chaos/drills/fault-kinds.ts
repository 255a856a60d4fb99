/** The fault kinds a scenario may name (the faults contract's), and which need member namespaces. */
import { FAULT_KINDS } from '../faults/spec.js';
import type { FaultKind } from '../faults/types.js';

export const SCENARIO_FAULT_KINDS: readonly FaultKind[] = FAULT_KINDS;

/**
 * iptables rules live inside each member's network namespace (`sandbox up --netns`); latency
 * and loss redirect peer traffic to proxies on the sandbox's bridge.
 */
export const FAULT_KINDS_NEEDING_NETNS: readonly FaultKind[] = [
  'isolate',
  'partition',
  'latency',
  'loss',
];
