/**
 * Partitions of a netns sandbox: iptables DROP rules inside the members' namespaces. The
 * bridge address (.1) is never dropped, so the CLI in the root namespace still reaches an
 * isolated member: exactly what a partitioned leader looks like to a client.
 */
import { UsageError } from '../../core/errors.js';
import { requireMembers, requireNetns, requireSomeMembers, type FaultDriver } from './driver.js';
import { deleteTaggedRules, insertRules, type NetnsRule } from './iptables.js';
import type { FaultRecord } from './types.js';

/** A member as the rules see it: its namespace and address. */
export interface NetMember {
  name: string;
  host: string;
  netns: string;
}

/** Rules in `from`'s namespace that drop everything to and from `to` (established flows included). */
export function cutRules(from: NetMember, to: NetMember): NetnsRule[] {
  return [
    {
      netns: from.netns,
      table: 'filter',
      chain: 'INPUT',
      match: ['-s', `${to.host}/32`],
      action: ['-j', 'DROP'],
    },
    {
      netns: from.netns,
      table: 'filter',
      chain: 'OUTPUT',
      match: ['-d', `${to.host}/32`],
      action: ['-j', 'DROP'],
    },
  ];
}

/**
 * Each isolated member loses every other member (isolated ones included); the others keep
 * each other. The rules live in the isolated members' namespaces only: one side of a cut is
 * enough, and the healthy members' namespaces stay untouched.
 */
export function isolationRules(
  members: readonly NetMember[],
  isolated: readonly string[],
): NetnsRule[] {
  return members
    .filter((member) => isolated.includes(member.name))
    .flatMap((member) =>
      members
        .filter((other) => other.name !== member.name)
        .flatMap((other) => cutRules(member, other)),
    );
}

/**
 * Two members that share no group are cut from each other, on both sides. A member in two
 * groups is a bridge: it sees both. Members in no group are left alone.
 */
export function partitionRules(
  members: readonly NetMember[],
  groups: readonly string[][],
): NetnsRule[] {
  const grouped = members.filter((member) => groups.some((group) => group.includes(member.name)));
  const shareGroup = (a: string, b: string) =>
    groups.some((group) => group.includes(a) && group.includes(b));
  return grouped.flatMap((member) =>
    grouped
      .filter((other) => other.name !== member.name && !shareGroup(member.name, other.name))
      .flatMap((other) => cutRules(member, other)),
  );
}

export function validatePartitionGroups(groups: string[][] | undefined): string[][] {
  if (groups === undefined || groups.length < 2 || groups.some((group) => group.length === 0)) {
    throw new UsageError('FAULT_SPEC_INVALID', 'a partition needs at least two non-empty groups', {
      actions: ['e.g. --groups n1,n2/n3 (a bridge member goes in two groups: n1,n2,n3/n3,n4,n5)'],
    });
  }
  return groups;
}

function recordedRules(record: FaultRecord): NetnsRule[] {
  const rules = record.undo.rules;
  return Array.isArray(rules) ? (rules as NetnsRule[]) : [];
}

/** Shared by isolate and partition: the rules come from the plan, undo deletes what is tagged. */
function dropRuleDriver(
  rulesFor: (members: NetMember[], spec: FaultRecord['spec']) => NetnsRule[],
): FaultDriver {
  return {
    plan(spec, target) {
      const { members } = requireNetns(target, spec);
      const rules = rulesFor(members, spec);
      if (rules.length === 0) {
        throw new UsageError(
          'FAULT_SPEC_INVALID',
          `this ${spec.kind} cuts no member from another`,
          {
            actions: ['check the groups: members that share a group are never cut'],
          },
        );
      }
      return Promise.resolve({
        namespaces: [...new Set(rules.map((rule) => rule.netns))],
        rules,
      });
    },
    async apply(record) {
      await insertRules(recordedRules(record), record.id);
    },
    async undo(record) {
      const namespaces = record.undo.namespaces;
      await deleteTaggedRules(
        Array.isArray(namespaces) ? (namespaces as string[]) : [],
        ['filter'],
        record.id,
      );
    },
  };
}

const isolate = dropRuleDriver((members, spec) => isolationRules(members, spec.members));
const partition = dropRuleDriver((members, spec) => partitionRules(members, spec.groups ?? []));

export const isolateDriver: FaultDriver = {
  ...isolate,
  plan(spec, target, id) {
    requireSomeMembers(spec);
    requireMembers(target, spec.members);
    return isolate.plan(spec, target, id);
  },
};

export const partitionDriver: FaultDriver = {
  ...partition,
  plan(spec, target, id) {
    requireMembers(target, validatePartitionGroups(spec.groups).flat());
    return partition.plan(spec, target, id);
  },
};
