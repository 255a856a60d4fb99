/** The preflight rule catalog: every rule `quorumctl preflight` evaluates, in docs order. */
import type { RuleInfo } from '../../findings.js';
import type { PreflightRule } from './common.js';
import { ETCD_RULES, ETCD_THRESHOLDS } from './etcd.js';
import { HOST_RULES, HOST_THRESHOLDS } from './host.js';
import { KRAFT_RULES, KRAFT_THRESHOLDS } from './kraft.js';
import { NATS_RULES } from './nats.js';
import { ZOOKEEPER_RULES, ZOOKEEPER_THRESHOLDS } from './zookeeper.js';

export const PREFLIGHT_RULES: readonly PreflightRule[] = [
  ...ETCD_RULES,
  ...ZOOKEEPER_RULES,
  ...KRAFT_RULES,
  ...NATS_RULES,
  ...HOST_RULES,
];

/** Every threshold the rules compare against, in one place (data, not code). */
export const PREFLIGHT_THRESHOLDS = {
  etcd: ETCD_THRESHOLDS,
  zookeeper: ZOOKEEPER_THRESHOLDS,
  kraft: KRAFT_THRESHOLDS,
  host: HOST_THRESHOLDS,
} as const;

export function preflightRuleInfo(id: string): RuleInfo | undefined {
  return PREFLIGHT_RULES.find((rule) => rule.info.id === id.toUpperCase())?.info;
}

export type { PreflightRule };
