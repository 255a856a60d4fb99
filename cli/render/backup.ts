/** Tables for the backup commands: created, list, verify, prune, restore plan and report. */
import type { BackupManifest } from '../../core/backup/manifest.js';
import type { RestorePlan } from '../../core/backup/producer.js';
import type { BackupListing, CreatedBackup, PruneReport, VerifyReport } from '../../ops/backup.js';
import { formatBytes, formatTable } from './table.js';

export function renderCreated(created: CreatedBackup): string {
  const { manifest } = created;
  const seconds = (created.durationMs / 1000).toFixed(1);
  return [
    `backup ${manifest.name}: ${formatBytes(manifest.sizeBytes)} from ${manifest.member} (${formatPosition(manifest)}) in ${seconds} s, ${formatBytes(created.bytesPerSecond)}/s`,
    `  data      ${manifest.dataFile}`,
    `  sha256    ${manifest.sha256}`,
    ...(manifest.fingerprint === undefined
      ? []
      : [`  content   ${formatFacts(manifest.fingerprint, ['revision'])}`]),
    ...created.notes.map((note) => `  note      ${note}`),
    '',
  ].join('\n');
}

export function renderListing(listing: BackupListing): string {
  const lines: string[] = [];
  if (listing.backups.length === 0) lines.push(`no backups in ${listing.destination}`);
  else
    lines.push(
      formatTable(
        ['NAME', 'CLUSTER', 'KIND', 'MEMBER', 'POSITION', 'SIZE', 'TAKEN', 'TOOK', 'VERIFIED'],
        listing.backups.map((manifest) => [
          manifest.name,
          manifest.cluster,
          manifest.systemKind,
          manifest.member,
          formatPosition(manifest),
          formatBytes(manifest.sizeBytes),
          formatTime(manifest.startedAt),
          formatDuration(Date.parse(manifest.finishedAt) - Date.parse(manifest.startedAt)),
          formatVerification(manifest),
        ]),
      ).trimEnd(),
    );
  if (listing.incomplete.length > 0) {
    lines.push('', 'INCOMPLETE (not backups; backup prune removes them after an hour)');
    lines.push(
      formatTable(
        ['ENTRY', 'WHY'],
        listing.incomplete.map((entry) => [entry.entry, entry.why]),
      ).trimEnd(),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function renderVerify(report: VerifyReport): string {
  const mark = (ok: boolean) => (ok ? 'ok' : 'FAILED');
  const structureFacts = formatFacts(report.structure.facts, []);
  const rows: string[][] = [
    [
      'size',
      `${report.sizeBytes.actual} bytes (recorded ${report.sizeBytes.recorded})`,
      mark(report.sizeBytes.actual === report.sizeBytes.recorded),
    ],
    ['sha256', report.sha256.actual, mark(report.sha256.actual === report.sha256.recorded)],
    [
      'structure',
      report.structure.ok ? structureFacts : (report.structure.problem ?? 'does not parse'),
      mark(report.structure.ok),
    ],
  ];
  const { verification } = report;
  if (verification.restoreTest !== undefined) {
    const compared = (
      report.fingerprint?.restored === undefined
        ? []
        : Object.entries(report.fingerprint.recorded ?? {}).map(
            ([fact, value]) =>
              `${fact} ${String(report.fingerprint?.restored?.[fact])}/${String(value)}`,
          )
    ).join(', ');
    rows.push([
      'restore',
      [
        verification.restoreMs === undefined
          ? undefined
          : `RTO ${formatDuration(verification.restoreMs)}`,
        compared === '' ? undefined : `restored/recorded: ${compared}`,
      ]
        .filter((part) => part !== undefined)
        .join('; '),
      mark(verification.restoreTest === 'ok'),
    ]);
  }
  return [
    `backup ${report.backup} (${report.systemKind}, cluster ${report.cluster})`,
    formatTable(['CHECK', 'FOUND', 'RESULT'], rows).trimEnd(),
    ...report.notes.map((note) => `note: ${note}`),
    report.ok
      ? `VERIFIED${verification.restoreTest === 'ok' ? ' and restored' : ''}`
      : `FAILED: ${verification.problem ?? 'see above'}`,
    '',
  ].join('\n');
}

export function renderPrune(report: PruneReport): string {
  const verb = report.dryRun ? 'would remove' : 'removed';
  const lines = [
    report.keep.length === 0
      ? 'keeping nothing'
      : formatTable(
          ['KEEP', 'CLUSTER', 'WHY'],
          report.keep.map((kept) => [kept.name, kept.cluster, kept.reasons.join(', ')]),
        ).trimEnd(),
  ];
  if (report.remove.length > 0)
    lines.push(
      '',
      formatTable(
        [report.dryRun ? 'WOULD REMOVE' : 'REMOVED', 'CLUSTER', 'SIZE'],
        report.remove.map((removed) => [
          removed.name,
          removed.cluster,
          formatBytes(removed.sizeBytes),
        ]),
      ).trimEnd(),
    );
  if (report.leftovers.length > 0)
    lines.push('', `leftovers of interrupted backups ${verb}: ${report.leftovers.join(', ')}`);
  lines.push(
    '',
    `${report.remove.length} backups ${verb} (${formatBytes(report.freedBytes)})${report.dryRun ? ' — dry run, nothing deleted' : ''}`,
    '',
  );
  return lines.join('\n');
}

export function renderRestorePlan(plan: RestorePlan): string {
  const lines = [
    `restore plan: backup ${plan.backup} (${plan.systemKind}) into cluster ${plan.targetCluster}`,
    '',
  ];
  plan.steps.forEach((step, index) => {
    lines.push(`${String(index + 1).padStart(2)}. ${step.title}`);
    if (step.command !== undefined) lines.push(`      $ ${step.command}`);
    if (step.detail !== undefined) lines.push(`      ${step.detail}`);
  });
  if (plan.warnings.length > 0) {
    lines.push('', 'WARNINGS');
    for (const warning of plan.warnings) lines.push(`  - ${warning}`);
  }
  lines.push('');
  return lines.join('\n');
}

export interface RestoreReport {
  plan: RestorePlan;
  executed: { id: string; title: string; durationMs: number }[];
  restoreMs: number;
  fingerprint?: {
    recorded?: Record<string, string | number>;
    restored?: Record<string, string | number>;
    matches: boolean;
  };
}

export function renderRestoreReport(report: RestoreReport): string {
  const lines = [
    `restored backup ${report.plan.backup} into ${report.plan.targetCluster} in ${formatDuration(report.restoreMs)}`,
    formatTable(
      ['STEP', 'TOOK'],
      report.executed.map((step) => [step.title, formatDuration(step.durationMs)]),
    ).trimEnd(),
  ];
  if (report.fingerprint !== undefined)
    lines.push(
      `content: ${report.fingerprint.matches ? 'matches the backup' : 'DIFFERS from the backup'} (${formatFacts(report.fingerprint.restored ?? {}, [])})`,
    );
  for (const warning of report.plan.warnings) lines.push(`warning: ${warning}`);
  lines.push('');
  return lines.join('\n');
}

function formatPosition(manifest: BackupManifest): string {
  return formatFacts(manifest.position, []);
}

function formatFacts(facts: Record<string, string | number>, skip: readonly string[]): string {
  return Object.entries(facts)
    .filter(([fact]) => !skip.includes(fact))
    .map(([fact, value]) => `${fact} ${String(value)}`)
    .join(', ');
}

function formatVerification(manifest: BackupManifest): string {
  const verification = manifest.verification;
  if (verification === undefined) return '-';
  if (verification.integrity === 'failed') return 'FAILED';
  if (verification.restoreTest === 'failed') return 'restore FAILED';
  if (verification.restoreTest === 'ok')
    return `restored (RTO ${formatDuration(verification.restoreMs ?? 0)})`;
  return 'integrity ok';
}

function formatTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function formatDuration(milliseconds: number): string {
  if (!Number.isFinite(milliseconds)) return '-';
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  if (milliseconds < 60_000) return `${(milliseconds / 1000).toFixed(1)} s`;
  return `${Math.floor(milliseconds / 60_000)} min ${Math.round((milliseconds % 60_000) / 1000)} s`;
}
