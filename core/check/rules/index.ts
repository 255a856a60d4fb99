/** The check rule catalog: every rule `quorumctl check` evaluates, in docs order. */
import type { RuleInfo } from '../../findings.js';
import { CLUSTER_RULES } from './cluster.js';
import type { CheckRule } from './common.js';
import { ETCD_RULES } from './etcd.js';
import { KRAFT_RULES } from './kraft.js';
import { TLS_RULES } from './tls.js';
import { ZOOKEEPER_RULES } from './zookeeper.js';

export const CHECK_RULES: readonly CheckRule[] = [
  ...CLUSTER_RULES,
  ...TLS_RULES,
  ...ETCD_RULES,
  ...ZOOKEEPER_RULES,
  ...KRAFT_RULES,
];

export function checkRuleInfo(id: string): RuleInfo | undefined {
  return CHECK_RULES.find((rule) => rule.info.id === id.toUpperCase())?.info;
}

export type { CheckRule };
