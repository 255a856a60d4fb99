/** The versioned envelope of every machine-readable output (`--output json|yaml`). */
import type { QuorumctlError } from './errors.js';

export const API_VERSION = 'quorumctl/v1';

export type OutputKind =
  | 'ClusterStatus'
  | 'ClusterStatusList'
  | 'HealthReport'
  | 'CheckReport'
  | 'PreflightReport'
  | 'RuleInfo'
  | 'Inventory'
  | 'SandboxList'
  | 'Sandbox'
  | 'DashboardExport'
  | 'BackupManifest'
  | 'BackupList'
  | 'BackupVerifyReport'
  | 'BackupPruneReport'
  | 'RestorePlan'
  | 'RestoreReport'
  | 'BackupSchedule'
  | 'MaintenancePlan'
  | 'MaintenanceReport'
  | 'MemberList'
  | 'AlarmList'
  | 'AuditLog'
  | 'CheckerResult'
  | 'DrillList'
  | 'DrillScenario'
  | 'DrillReport'
  | 'FaultList'
  | 'HealReport'
  | 'DiscoveryReport'
  | 'KubernetesApplyReport'
  | 'RunbookList'
  | 'Runbook'
  | 'RunbookPlan'
  | 'RunbookRun'
  | 'RunbookHistory';

export interface ErrorDocument {
  code: string;
  message: string;
  actions: readonly string[];
  details: Readonly<Record<string, unknown>>;
}

export interface Envelope<T> {
  apiVersion: typeof API_VERSION;
  kind: OutputKind | 'Error';
  /** The exit code the command ends with. */
  status: number;
  result?: T;
  error?: ErrorDocument;
  warnings: string[];
}

export function successEnvelope<T>(
  kind: OutputKind,
  result: T,
  status: number,
  warnings: string[] = [],
): Envelope<T> {
  return { apiVersion: API_VERSION, kind, status, result, warnings };
}

export function errorEnvelope(
  kind: OutputKind | 'Error',
  error: QuorumctlError,
  warnings: string[] = [],
): Envelope<never> {
  return {
    apiVersion: API_VERSION,
    kind,
    status: error.exitCode,
    error: {
      code: error.code,
      message: error.message,
      actions: error.actions,
      details: error.details,
    },
    warnings,
  };
}
