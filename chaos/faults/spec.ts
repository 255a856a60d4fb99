/** Builds a FaultSpec from what an operator types (`chaos inject` flags). */
import { UsageError } from '../../core/errors.js';
import type { FaultKind, FaultSpec } from './types.js';

export const FAULT_KINDS: readonly FaultKind[] = [
  'kill',
  'pause',
  'isolate',
  'partition',
  'latency',
  'loss',
];

/** "n1,n2/n3" -> [[n1, n2], [n3]]; "/" separates groups, "," members. */
export function parseGroups(text: string): string[][] {
  const groups = text.split('/').map((group) =>
    group
      .split(',')
      .map((member) => member.trim())
      .filter((member) => member !== ''),
  );
  if (groups.length < 2 || groups.some((group) => group.length === 0)) {
    throw new UsageError('FAULT_SPEC_INVALID', `--groups "${text}" is not two or more groups`, {
      actions: ['separate groups with "/" and members with ",": --groups n1,n2/n3'],
    });
  }
  return groups;
}

export interface FaultInput {
  kind: FaultKind;
  members: readonly string[];
  groups?: string;
  latencyMs?: number;
  lossPercent?: number;
}

export function faultSpecFrom(input: FaultInput): FaultSpec {
  const spec: FaultSpec = { kind: input.kind, members: [...input.members] };
  if (input.kind === 'partition') {
    if (input.groups === undefined) {
      throw new UsageError('FAULT_SPEC_INVALID', 'a partition needs --groups', {
        actions: ['e.g. --groups n1/n2,n3, or for a bridge: --groups n1,n2,n3/n3,n4,n5'],
      });
    }
    spec.groups = parseGroups(input.groups);
  } else if (input.members.length === 0) {
    throw new UsageError('FAULT_SPEC_INVALID', `a ${input.kind} fault needs --member`, {
      actions: [`e.g. --fault ${input.kind} --member n1`],
    });
  }
  if (input.kind === 'latency' && input.latencyMs === undefined) {
    throw new UsageError('FAULT_SPEC_INVALID', 'a latency fault needs --latency', {
      actions: ['e.g. --latency 200ms'],
    });
  }
  if (input.kind === 'loss' && input.lossPercent === undefined) {
    throw new UsageError('FAULT_SPEC_INVALID', 'a loss fault needs --loss', {
      actions: ['e.g. --loss 20 (percent)'],
    });
  }
  if (input.latencyMs !== undefined) spec.latencyMs = input.latencyMs;
  if (input.lossPercent !== undefined) spec.lossPercent = input.lossPercent;
  return spec;
}
