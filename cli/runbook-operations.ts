/**
 * The operations runbook steps call by name, wired to quorumctl's use cases. The CLI is the
 * composition root: it knows the target, the storage and the sandbox, the engine does not.
 */
import { PartialFailureError, UnsupportedOperationError, UsageError } from '../core/errors.js';
import type { FailOn } from '../core/check/report.js';
import type { ParameterValue } from '../core/runbook/model.js';
import { createBackup, findBackup, verifyBackup } from '../ops/backup.js';
import { runCheck } from '../ops/check.js';
import { DEFAULT_HEALTH_GATE, waitUntilHealthy } from '../ops/maintenance/health-gate.js';
import { runPreflight } from '../ops/preflight.js';
import { collectLeaderFlapping } from '../ops/triage/leader-flapping.js';
import {
  booleanArg,
  durationArg,
  numberArg,
  requiredString,
  stringArg,
  stringListArg,
} from '../runbooks/engine/args.js';
import type {
  OperationContext,
  OperationRegistry,
  RunbookOperation,
} from '../runbooks/engine/operations.js';
import { backupSupportFor } from '../systems/backup-registry.js';
import { readCertificate } from '../systems/transport/tls-certificate.js';
import type { MembershipTarget } from './membership-target.js';
import { openStorage, throwawayClusters } from './render/backup-command.js';
import { CHAOS_OPERATIONS } from './runbook-chaos.js';
import { restoreBackupIntoSandbox } from './sandbox-restore.js';
import { MAINTENANCE_OPERATIONS } from './runbook-maintenance.js';

/** Everything operations need beyond the adapter: where the cluster is and who runs them. */
export interface RunbookDependencies {
  /** The target, its connection options, the state dir and the sandbox when there is one. */
  opened: MembershipTarget;
  toolVersion: string;
}

type Outputs = Record<string, ParameterValue>;
type Run = (args: Readonly<Record<string, unknown>>, context: OperationContext) => Promise<Outputs>;

export interface OperationDefinition {
  name: string;
  description: string;
  mutates: boolean;
  build(dependencies: RunbookDependencies): Run;
  /** Mutating operations: the maintenance plan for `runbook plan`. */
  plan?(dependencies: RunbookDependencies): NonNullable<RunbookOperation['plan']>;
}

const FAIL_ON: readonly string[] = ['warn', 'critical'];

const BASE_OPERATIONS: readonly OperationDefinition[] = [
  {
    name: 'status',
    description: 'Read the status: outputs leader, term, voters, healthyVoters, quorumMargin.',
    mutates: false,
    build:
      () =>
      async (_args, { adapter }) => {
        const status = await adapter.status();
        const leader = status.members.find((member) => member.id === status.leaderId);
        return {
          leader: leader?.name ?? '',
          term: status.term ?? 0,
          voters: status.quorum.voters,
          healthyVoters: status.quorum.healthyVoters,
          quorumMargin: status.quorum.quorumMargin,
        };
      },
  },
  {
    name: 'wait.healthy',
    description:
      'Wait until every voter answers, one leader holds for 3 polls and lag is under maxLagEntries (timeout, maxLagEntries).',
    mutates: false,
    build:
      () =>
      async (args, { adapter, signal }) => {
        const operation = 'wait.healthy';
        const status = await adapter.status();
        const anyVoter = status.members.find((member) => member.voter);
        if (anyVoter === undefined) {
          throw new UsageError('NO_VOTERS', `${status.cluster} reports no voting members`);
        }
        const passed = await waitUntilHealthy(
          adapter,
          { member: anyVoter.name, healthyVoters: status.quorum.voters },
          {
            ...DEFAULT_HEALTH_GATE,
            timeoutMs: durationArg(operation, args, 'timeout') ?? DEFAULT_HEALTH_GATE.timeoutMs,
            maxLagEntries:
              numberArg(operation, args, 'maxLagEntries') ?? DEFAULT_HEALTH_GATE.maxLagEntries,
          },
          { signal },
        );
        return { leader: passed.leader, waitedMs: passed.waitedMs };
      },
  },
  {
    name: 'check',
    description:
      'Run quorumctl check (window, failOn warn|critical): fails the step on such a finding; outputs critical, warnings.',
    mutates: false,
    build:
      (dependencies) =>
      async (args, { adapter, signal }) => {
        const operation = 'check';
        const failOn = stringArg(operation, args, 'failOn') ?? 'critical';
        if (!FAIL_ON.includes(failOn)) {
          throw new UsageError(
            'RUNBOOK_ARGUMENT_INVALID',
            `check: failOn must be warn or critical`,
          );
        }
        const report = await runCheck(adapter, {
          windowMs: durationArg(operation, args, 'window') ?? 0,
          failOn: failOn as FailOn,
          readCertificate: (endpoint) =>
            readCertificate(endpoint, { timeoutMs: dependencies.opened.options.timeoutMs }),
          signal,
        });
        const critical = report.findings.filter((finding) => finding.severity === 'critical');
        const warnings = report.findings.filter((finding) => finding.severity === 'warn');
        const failing = failOn === 'warn' ? [...critical, ...warnings] : critical;
        if (failing.length > 0) {
          throw new PartialFailureError(
            'CHECK_FAILED',
            `check found ${failing.length} finding(s) at ${failOn} or worse: ${failing
              .slice(0, 3)
              .map((finding) => `${finding.ruleId} ${finding.message}`)
              .join('; ')}`,
            { actions: ['quorumctl check shows every finding with its remedy'] },
          );
        }
        return { critical: critical.length, warnings: warnings.length, health: report.health };
      },
  },
  {
    name: 'backup.create',
    description: 'Take a backup into dest (a directory): outputs name, sizeBytes, durationMs.',
    mutates: false,
    build:
      (dependencies) =>
      async (args, { signal }) => {
        const created = await createBackup({
          target: dependencies.opened.target,
          options: dependencies.opened.options,
          support: await backupSupportFor(dependencies.opened.target.kind),
          storage: openStorage(requiredString('backup.create', args, 'dest')),
          toolVersion: dependencies.toolVersion,
          trigger: 'runbook',
          signal,
        });
        return {
          name: created.manifest.name,
          sizeBytes: created.manifest.sizeBytes,
          durationMs: Math.round(created.durationMs),
        };
      },
  },
  {
    name: 'backup.verify',
    description:
      'Verify a backup (dest, name default latest, for: the cluster it was taken of, restoreTest default true, maxRestoreSeconds: the RTO threshold).',
    mutates: false,
    build:
      (dependencies) =>
      async (args, { signal }) => {
        const operation = 'backup.verify';
        const storage = openStorage(requiredString(operation, args, 'dest'));
        const manifest = await findBackup(
          storage,
          stringArg(operation, args, 'name') ?? 'latest',
          stringArg(operation, args, 'for') ?? dependencies.opened.target.name,
        );
        const report = await verifyBackup({
          storage,
          support: await backupSupportFor(manifest.systemKind),
          name: manifest.name,
          restoreTest: booleanArg(operation, args, 'restoreTest') ?? true,
          throwaway: throwawayClusters(),
          signal,
        });
        if (!report.ok) {
          throw new PartialFailureError(
            'BACKUP_VERIFY_FAILED',
            `backup ${report.backup} failed verification`,
            {
              actions: [`quorumctl backup verify ${report.backup} --dest ... shows why`],
            },
          );
        }
        const restoreMs = report.verification.restoreMs;
        const limitSeconds = numberArg(operation, args, 'maxRestoreSeconds');
        if (
          limitSeconds !== undefined &&
          restoreMs !== undefined &&
          restoreMs > limitSeconds * 1000
        ) {
          throw new PartialFailureError(
            'RTO_EXCEEDED',
            `restoring ${report.backup} took ${(restoreMs / 1000).toFixed(1)} s, over the ${limitSeconds} s threshold`,
            {
              actions: [
                'look at the backup size and the disk; raise maxRestoreSeconds only knowingly',
              ],
            },
          );
        }
        return { backup: report.backup, ...(restoreMs !== undefined && { restoreMs }) };
      },
  },
  {
    name: 'backup.restore',
    description:
      'Restore a backup (dest, name default latest, for: the cluster it was taken of) into the --sandbox, which must hold no data yet; outputs restoreMs and whether the content matches.',
    mutates: true,
    build:
      (dependencies) =>
      async (args, { signal }) => {
        const operation = 'backup.restore';
        const { sandbox, stateDir } = dependencies.opened;
        if (sandbox === undefined) {
          throw new UnsupportedOperationError(
            'RESTORE_NEEDS_SANDBOX',
            'backup.restore rebuilds a sandbox: run the runbook with --sandbox NAME (a new, empty one)',
            { actions: ['for clusters on other hosts: quorumctl backup restore prints the steps'] },
          );
        }
        const storage = openStorage(requiredString(operation, args, 'dest'));
        const manifest = await findBackup(
          storage,
          stringArg(operation, args, 'name') ?? 'latest',
          stringArg(operation, args, 'for'),
        );
        const outcome = await restoreBackupIntoSandbox({
          manifest,
          dataPath: storage.localPath(manifest),
          support: await backupSupportFor(manifest.systemKind),
          sandbox,
          stateDir,
          signal,
        });
        if (!outcome.matches) {
          throw new PartialFailureError(
            'RESTORED_CONTENT_MISMATCH',
            `${manifest.name} was restored into ${sandbox.name} but its content does not match the backup's fingerprint`,
            { actions: [`quorumctl backup verify ${manifest.name} --restore-test`] },
          );
        }
        return {
          backup: manifest.name,
          restored: outcome.restored,
          ...(outcome.restoreMs !== undefined && { restoreMs: Math.round(outcome.restoreMs) }),
        };
      },
  },
  {
    name: 'preflight',
    description:
      'Run quorumctl preflight on configuration files (files: list); fails on a critical finding.',
    mutates: false,
    build:
      () =>
      async (args): Promise<Outputs> => {
        const files = stringListArg('preflight', args, 'files') ?? [];
        if (files.length === 0) return { skipped: 'no files given' };
        const report = await runPreflight({ files, failOn: 'critical' });
        const critical = report.findings.filter((finding) => finding.severity === 'critical');
        if (critical.length > 0) {
          throw new PartialFailureError(
            'PREFLIGHT_FAILED',
            `preflight found ${critical.length} critical finding(s): ${critical
              .slice(0, 3)
              .map((finding) => finding.ruleId)
              .join(', ')}`,
            { actions: [`quorumctl preflight ${files.join(' ')} shows them with remedies`] },
          );
        }
        return { findings: report.findings.length };
      },
  },
  {
    name: 'triage.leader-flapping',
    description:
      'Watch the leader over a window (window, heartbeatMs) with a check and round trips to every member; outputs leaderChanges and the suspected causes.',
    mutates: false,
    build:
      () =>
      async (args, { adapter, signal, progress }) => {
        const operation = 'triage.leader-flapping';
        const windowMs = durationArg(operation, args, 'window') ?? 30_000;
        progress.report({
          step: operation,
          label: 'Watching the leader',
          state: 'running',
          detail: `for ${Math.round(windowMs / 1000)} s`,
        });
        const triage = await collectLeaderFlapping(adapter, {
          windowMs,
          heartbeatMs: numberArg(operation, args, 'heartbeatMs') ?? 100,
          signal,
        });
        progress.report({ step: operation, label: 'Watching the leader', state: 'done' });
        return {
          leaderChanges: triage.leaderChanges,
          leaderlessMs: triage.leaderlessMs,
          termsElapsed: triage.termsElapsed,
          timeline: triage.timeline
            .map((tenure) => `${tenure.leader ?? 'none'}@${(tenure.fromMs / 1000).toFixed(1)}s`)
            .join(' '),
          suspects:
            triage.suspects.length === 0
              ? 'none: no leader change in the window'
              : triage.suspects
                  .map((suspect) => `${suspect.cause}: ${suspect.evidence}`)
                  .join(' | '),
          remedy: triage.suspects[0]?.remedy ?? '',
        };
      },
  },
];

const DEFINITIONS: readonly OperationDefinition[] = [
  ...BASE_OPERATIONS,
  ...MAINTENANCE_OPERATIONS,
  ...CHAOS_OPERATIONS,
];

/** Names the parser accepts; known without connecting (list, show, and parse errors). */
export function runbookOperationNames(): ReadonlySet<string> {
  return new Set(DEFINITIONS.map((definition) => definition.name));
}

export function operationCatalog(): { name: string; description: string; mutates: boolean }[] {
  return DEFINITIONS.map(({ name, description, mutates }) => ({ name, description, mutates }));
}

export function buildRunbookOperations(dependencies: RunbookDependencies): OperationRegistry {
  return new Map<string, RunbookOperation>(
    DEFINITIONS.map((definition) => [
      definition.name,
      {
        name: definition.name,
        description: definition.description,
        mutates: definition.mutates,
        run: definition.build(dependencies),
        ...(definition.plan !== undefined && { plan: definition.plan(dependencies) }),
      },
    ]),
  );
}
