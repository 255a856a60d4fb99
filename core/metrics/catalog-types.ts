/**
 * The shape of the metric catalog: the single source from which the agent registers its
 * metrics, the Grafana dashboards and alert rules are generated, and docs/metrics.md is
 * written. Nothing about a normalized metric is spelled anywhere else.
 */
import type { SystemKind } from '../model.js';

export type MetricType = 'gauge' | 'counter' | 'histogram';

/** Label names every series may carry; `group_type` only where it is bounded (stream, region). */
export type MetricLabel = 'cluster' | 'member' | 'kind' | 'group_type' | 'quantile';

export interface MetricDefinition {
  /** `quorum_` prefix, Prometheus conventions: base units in the name, `_total` on counters. */
  name: string;
  type: MetricType;
  help: string;
  labels: readonly MetricLabel[];
  /** Histograms only: bucket upper bounds in base units (kept from the source when it has them). */
  buckets?: readonly number[];
  /** Computed by the agent from what it observed (quorum margin, election gap), not read. */
  derived?: boolean;
  /** How each system provides it, in words an operator can check (metric or API field). */
  sources: Partial<Record<SystemKind, string>>;
}

/** A Prometheus alert rule generated from the catalog, with its runbook. */
export interface AlertDefinition {
  /** PascalCase alert name, e.g. `QuorumNoLeader`. */
  name: string;
  /** PromQL over catalog metrics only. */
  expr: string;
  /** Prometheus duration, e.g. `1m`. */
  for: string;
  severity: 'warning' | 'critical';
  summary: string;
  description: string;
  /** docs/… path with an anchor. */
  runbook: string;
  /** Why the threshold, and where it comes from (e.g. the etcd mixin defect it fixes). */
  rationale: string;
}
