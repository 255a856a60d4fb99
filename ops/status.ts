/** Use cases: read a cluster's status, judge its health. */
import { assessHealth, type HealthReport, type HealthThresholds } from '../core/health.js';
import type { ClusterStatus } from '../core/model.js';
import type { ClusterAdapter } from '../core/ports.js';

export async function readClusterStatus(adapter: ClusterAdapter): Promise<ClusterStatus> {
  return adapter.status();
}

export async function checkClusterHealth(
  adapter: ClusterAdapter,
  thresholds?: HealthThresholds,
): Promise<HealthReport> {
  return assessHealth(await adapter.status(), thresholds);
}
