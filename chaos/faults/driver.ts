/** What each kind of fault implements: plan its undo data, apply it, undo it (possibly from another process). */
import { UsageError } from '../../core/errors.js';
import { readNetwork, type SandboxNetwork } from '../../sandbox/netns.js';
import { readRecord } from '../../sandbox/state.js';
import type { SandboxMember, SandboxRecord } from '../../sandbox/types.js';
import type { FaultRecord, FaultScope, FaultSpec } from './types.js';

/** The sandbox a fault is injected into, as read at injection time. */
export interface FaultTarget {
  scope: FaultScope;
  sandbox: SandboxRecord;
  /** Present for `sandbox up --netns` sandboxes. */
  network?: SandboxNetwork;
}

export interface FaultDriver {
  /**
   * Validates the spec against the sandbox and returns the undo data to record. May start
   * local helpers that change nothing yet (proxies); `release` stops them if recording fails.
   */
  plan(spec: FaultSpec, target: FaultTarget, id: string): Promise<Record<string, unknown>>;
  /** Applies a recorded fault. */
  apply(record: FaultRecord, target: FaultTarget): Promise<void>;
  /** Undoes it from the record alone: the injecting process may be gone. Idempotent. */
  undo(record: FaultRecord): Promise<void>;
  /** Stops what this process started for the fault (no-op elsewhere). */
  release?(id: string): Promise<void>;
}

/** Reads the sandbox (and its network) the scope names; a usage error if there is none. */
export async function readTarget(scope: FaultScope): Promise<FaultTarget> {
  const sandbox = await readRecord(scope.stateDir, scope.sandbox);
  if (sandbox === undefined) {
    throw new UsageError(
      'SANDBOX_NOT_FOUND',
      `no sandbox named "${scope.sandbox}" in ${scope.stateDir}`,
      {
        actions: [
          'faults are injected into sandboxes: quorumctl sandbox up NAME [--netns]',
          'pass --state-dir if it was started with one',
        ],
      },
    );
  }
  const network = await readNetwork(scope.stateDir, scope.sandbox);
  return { scope, sandbox, ...(network !== undefined && { network }) };
}

/** The named members of the sandbox, in the spec's order; a usage error naming unknown ones. */
export function requireMembers(target: FaultTarget, names: readonly string[]): SandboxMember[] {
  const found = names.map((name) => target.sandbox.members.find((m) => m.name === name));
  const unknown = names.filter((_, index) => found[index] === undefined);
  if (unknown.length > 0 || found.some((member) => member === undefined)) {
    throw new UsageError(
      'FAULT_MEMBER_UNKNOWN',
      `sandbox "${target.sandbox.name}" has no member ${unknown.join(', ')}`,
      {
        actions: [`members are: ${target.sandbox.members.map((member) => member.name).join(', ')}`],
      },
    );
  }
  return found.filter((member): member is SandboxMember => member !== undefined);
}

/** Faults that act on named members need at least one. */
export function requireSomeMembers(spec: FaultSpec): void {
  if (spec.members.length === 0) {
    throw new UsageError('FAULT_SPEC_INVALID', `a ${spec.kind} fault needs at least one member`, {
      actions: ['name them: --member n1 (repeat the flag for more)'],
    });
  }
}

/** Network faults work inside the members' namespaces: the sandbox must have them. */
export function requireNetns(
  target: FaultTarget,
  spec: FaultSpec,
): { network: SandboxNetwork; members: (SandboxMember & { host: string; netns: string })[] } {
  const members = target.sandbox.members;
  const network = target.network;
  if (network === undefined || members.some((m) => m.netns === undefined || m.host === undefined)) {
    throw new UsageError(
      'FAULT_NEEDS_NETNS',
      `a ${spec.kind} fault needs a sandbox whose members run in their own network namespaces; "${target.sandbox.name}" was started without --netns`,
      {
        actions: [
          `quorumctl sandbox down ${target.sandbox.name}`,
          `quorumctl sandbox up ${target.sandbox.name} --kind ${target.sandbox.kind} --netns   (as root)`,
          'kill and pause faults work on any sandbox',
        ],
      },
    );
  }
  return { network, members: members as (SandboxMember & { host: string; netns: string })[] };
}
