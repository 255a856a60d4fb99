/**
 * iptables rules inside member namespaces. Every rule carries the comment `qctl:<fault id>`,
 * so undo finds exactly the rules of one fault by listing the chains, whoever added them.
 */
import { existsSync } from 'node:fs';
import { runCommand } from '../../sandbox/netns.js';

export type RuleTable = 'filter' | 'nat';

/** One rule in one namespace, as iptables arguments after `-I CHAIN`. */
export interface NetnsRule {
  netns: string;
  table: RuleTable;
  chain: 'INPUT' | 'OUTPUT';
  match: string[];
  /** The target and its options, e.g. ['-j', 'DROP']. */
  action: string[];
}

export function faultComment(id: string): string {
  return `qctl:${id}`;
}

/** The full argument list to insert the rule (at the top: ours win over anything else there). */
export function insertArgs(rule: NetnsRule, id: string): string[] {
  return [
    '-w',
    '-t',
    rule.table,
    '-I',
    rule.chain,
    ...rule.match,
    '-m',
    'comment',
    '--comment',
    faultComment(id),
    ...rule.action,
  ];
}

/** Inserts the rules one by one; stops at the first failure (undo removes what got in). */
export async function insertRules(rules: readonly NetnsRule[], id: string): Promise<void> {
  for (const rule of rules) {
    const args = ['netns', 'exec', rule.netns, 'iptables', ...insertArgs(rule, id)];
    const result = await runCommand('ip', args);
    if (result.code !== 0)
      throw new Error(`ip ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`);
  }
}

/** `iptables -w -t TABLE ARGS...` inside the namespace (-w: wait for the xtables lock). */
function iptablesIn(netns: string, table: RuleTable, args: readonly string[]) {
  return runCommand('ip', ['netns', 'exec', netns, 'iptables', '-w', '-t', table, ...args]);
}

/**
 * Deletes every rule tagged with the fault's comment from the given namespaces (all tables
 * it used). A namespace that no longer exists took its rules with it. Returns how many went.
 */
export async function deleteTaggedRules(
  namespaces: readonly string[],
  tables: readonly RuleTable[],
  id: string,
): Promise<number> {
  let deleted = 0;
  for (const netns of new Set(namespaces)) {
    if (!netnsExists(netns)) continue;
    for (const table of tables) {
      const listing = await iptablesIn(netns, table, ['-S']);
      if (listing.code !== 0) {
        if (!netnsExists(netns)) break; // deleted while we looked
        throw new Error(`iptables -t ${table} -S in ${netns} failed: ${listing.stderr.trim()}`);
      }
      for (const ruleArgs of taggedRules(listing.stdout, id)) {
        const result = await iptablesIn(netns, table, ['-D', ...ruleArgs]);
        if (result.code !== 0)
          throw new Error(`could not delete a rule in ${netns}: ${result.stderr.trim()}`);
        deleted += 1;
      }
    }
  }
  return deleted;
}

/** Whether any rule of the fault is still in the listing (tests, `chaos faults`). */
export async function countTaggedRules(
  netns: string,
  table: RuleTable,
  id?: string,
): Promise<number> {
  const listing = await iptablesIn(netns, table, ['-S']);
  if (id !== undefined) return taggedRules(listing.stdout, id).length;
  return listing.stdout.split('\n').filter((line) => line.includes('qctl:')).length;
}

/**
 * Pure: from `iptables -S` output, the rules tagged `qctl:<id>` as arguments for `-D`
 * (the line minus its leading `-A`, quotes removed).
 */
export function taggedRules(listing: string, id: string): string[][] {
  const tag = faultComment(id);
  return listing
    .split('\n')
    .filter((line) => line.startsWith('-A '))
    .map(splitRuleLine)
    .filter((args) => {
      const index = args.indexOf('--comment');
      return index !== -1 && args[index + 1] === tag;
    })
    .map((args) => args.slice(1));
}

/** Pure: splits one `iptables -S` line into arguments; double quotes group words (iptables quotes comments). */
export function splitRuleLine(line: string): string[] {
  const args: string[] = [];
  for (const match of line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g))
    args.push(match[1] !== undefined ? match[1].replaceAll('\\"', '"') : (match[2] ?? ''));
  return args;
}

export function netnsExists(netns: string): boolean {
  return existsSync(`/run/netns/${netns}`);
}
