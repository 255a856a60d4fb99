/**
 * What the members and leader commands share (oclif loads every file under cli/commands as a
 * command, so it lives here): the target or sandbox, the member provisioners, the mutation
 * flow (dry run, confirmation, safety backup, progress, audit) and the member table.
 */
import { Flags } from '@oclif/core';
import type { MemberRef } from '../core/check/observations.js';
import { parseDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import type { MaintenancePlan, MaintenanceReport } from '../core/maintenance/plan.js';
import type { ClusterStatus, MemberStatus, SystemKind } from '../core/model.js';
import type {
  AddedMember,
  AddMemberRequest,
  ClusterAdapter,
  ClusterTarget,
  ConnectOptions,
} from '../core/ports.js';
import type { ProgressSink } from '../core/progress.js';
import {
  catchUpOf,
  executeMembershipPlan,
  type MemberProvisioner,
} from '../ops/maintenance/members.js';
import { exitCodeOf, type MaintenanceRun } from '../ops/maintenance/plan-runner.js';
import { resolveTarget } from '../ops/target.js';
import {
  defaultStateDir,
  sandboxList,
  sandboxProvisioner,
  sandboxTarget,
  type SandboxListing,
} from '../sandbox/index.js';
import { connectAdapter } from '../systems/registry.js';
import { globalFlags, outputFlags, targetFlags, type OutputFormat } from './flags.js';
import { confirmPlan, recordAudit } from './mutation.js';
import { safetyBackupBefore, interruptSignal } from './render/backup-command.js';
import { renderError } from './render/error.js';
import { renderPlan, renderReport } from './render/plan.js';
import { createProgressSink } from './render/progress.js';
import { formatTable } from './render/table.js';
import { stateDirFlag } from './sandbox-flags.js';
import { targetRequestFrom, type TargetFlagValues } from './target-request.js';

/** Target flags plus `--sandbox NAME`: a sandbox lets quorumctl start and stop member processes. */
export const membershipTargetFlags = {
  ...outputFlags,
  ...targetFlags,
  ...globalFlags,
  ...stateDirFlag,
  sandbox: Flags.string({
    description:
      'Act on this local sandbox: quorumctl also starts the new member and stops the removed one.',
    helpGroup: 'TARGET',
  }),
};

export type MembershipFlagValues = TargetFlagValues & {
  sandbox?: string | undefined;
  'state-dir'?: string | undefined;
};

export interface MembershipTarget {
  target: ClusterTarget;
  options: ConnectOptions;
  adapter: ClusterAdapter;
  stateDir: string;
  sandbox?: SandboxListing;
}

/** Connects to `--sandbox NAME` or to the target the other flags name; always closes it. */
export async function withMembershipTarget<T>(
  flags: MembershipFlagValues,
  use: (opened: MembershipTarget) => Promise<T>,
): Promise<T> {
  const stateDir = flags['state-dir'] ?? defaultStateDir();
  const sandbox =
    flags.sandbox === undefined ? undefined : await findSandbox(stateDir, flags.sandbox);
  const { target, options } =
    sandbox === undefined
      ? await resolveTarget(targetRequestFrom(flags))
      : {
          target: { name: sandbox.name, kind: sandbox.kind, ...sandboxTarget(sandbox) },
          options: { timeoutMs: targetRequestFrom(flags).timeoutMs },
        };
  const adapter = await connectAdapter(target, options);
  try {
    return await use({
      target,
      options,
      adapter,
      stateDir,
      ...(sandbox !== undefined && { sandbox }),
    });
  } finally {
    await adapter.close();
  }
}

export async function findSandbox(stateDir: string, name: string): Promise<SandboxListing> {
  const found = (await sandboxList(stateDir)).find((entry) => entry.name === name);
  if (found === undefined) {
    throw new UsageError('SANDBOX_NOT_FOUND', `no sandbox named "${name}" in ${stateDir}`, {
      actions: ['quorumctl sandbox ls', 'pass --state-dir if it was started with one'],
    });
  }
  return found;
}

/**
 * For clusters on other hosts: prints what to run there; the executor then waits until the
 * new member answers (or --start-timeout passes).
 */
export function manualProvisioner(
  kind: SystemKind,
  write: (text: string) => void = (text) => process.stderr.write(text),
): MemberProvisioner {
  return {
    start(request, added) {
      write(startInstructions(kind, request, added));
      return Promise.resolve();
    },
    stop(member) {
      write(
        `\n${member.name} no longer belongs to the cluster: stop its process on its host and keep its data directory only until you no longer need it.\n` +
          (kind === 'etcd'
            ? '(etcd members exit by themselves once they learn of their removal)\n'
            : ''),
      );
      return Promise.resolve();
    },
  };
}

export function startInstructions(
  kind: SystemKind,
  request: AddMemberRequest,
  added: AddedMember | undefined,
): string {
  if (kind === 'etcd' && added?.startEnvironment !== undefined) {
    const env = added.startEnvironment;
    const flags = Object.entries(env).map(
      ([key, value]) =>
        `  --${key
          .replace(/^ETCD_/, '')
          .toLowerCase()
          .replaceAll('_', '-')} '${value}'`,
    );
    const peer = request.peerUrls[0] ?? 'http://HOST:2380';
    const client = request.clientUrls?.[0] ?? peer.replace(/:\d+$/, ':2379');
    return (
      `\nStart ${request.name} on its host now, with an EMPTY data directory (quorumctl waits until it answers):\n` +
      `etcd \\\n${flags.join(' \\\n')} \\\n  --listen-peer-urls '${peer}' \\\n` +
      `  --listen-client-urls '${client}' --advertise-client-urls '${client}' \\\n` +
      `  --data-dir /var/lib/etcd\n` +
      `(or the same as environment variables: ${Object.entries(env)
        .map(([key, value]) => `${key}='${value}'`)
        .join(' ')})\n`
    );
  }
  return (
    `\nStart ${request.name} on its host now with a configuration that lists the current members and itself` +
    `${request.id === undefined ? '' : ` (id ${request.id})`}, peer address ${request.peerUrls.join(', ')}; ` +
    'quorumctl continues once it is running.\n'
  );
}

/** Flags of the commands that add a member. */
export const joiningFlags = {
  name: Flags.string({
    description:
      'Name of the new member (default with --sandbox: the next free nN). etcd: its --name.',
    helpGroup: 'MEMBER',
  }),
  'peer-urls': Flags.string({
    description:
      'How peers reach the new member, comma-separated (etcd: http(s)://HOST:2380; ZooKeeper: HOST:QUORUM_PORT:ELECTION_PORT; KRaft: NAME://HOST:PORT). With --sandbox, allocated.',
    helpGroup: 'MEMBER',
  }),
  'client-urls': Flags.string({
    description:
      'Where clients reach the new member, comma-separated (ZooKeeper: HOST:CLIENT_PORT; etcd: for the printed start command).',
    helpGroup: 'MEMBER',
  }),
  id: Flags.string({
    description: 'ZooKeeper server id or KRaft voter id of the new member.',
    helpGroup: 'MEMBER',
  }),
  'directory-id': Flags.string({
    description: "KRaft: the new voter's metadata log directory id (base64 UUID).",
    helpGroup: 'MEMBER',
  }),
  'catch-up-timeout': Flags.string({
    default: '5m',
    description: 'How long the new member may take to catch up and be promoted (e.g. 90s, 10m).',
    helpGroup: 'MEMBER',
  }),
  'on-timeout': Flags.option({
    options: ['remove', 'leave'] as const,
    default: 'remove' as const,
    description:
      'When catch-up times out: remove the learner again (the cluster is as before) or leave it a learner.',
    helpGroup: 'MEMBER',
  })(),
  'start-timeout': Flags.string({
    default: '60s',
    description: 'How long the new member may take to answer once started.',
    helpGroup: 'MEMBER',
  }),
};

/**
 * Executes an add or replace plan: the joining member's addresses (flags, or reserved by the
 * sandbox) are resolved after consent, by the same provisioner that then starts it.
 */
export function joiningExecution(
  opened: MembershipTarget,
  plan: MaintenancePlan,
  name: string,
  flags: Parameters<typeof joiningRequest>[2] & Parameters<typeof joiningLimits>[0],
): (progress: ProgressSink, signal: AbortSignal) => Promise<MaintenanceRun> {
  const provisioner = provisionerFor(opened);
  return async (progress, signal) =>
    executeMembershipPlan({
      adapter: opened.adapter,
      plan,
      joining: await joiningRequest(name, plannedRole(plan, name), flags, provisioner),
      provisioner,
      progress,
      signal,
      ...joiningLimits(flags),
    });
}

/** The joining member's request: flags first, else what the sandbox reserved. */
export async function joiningRequest(
  name: string,
  role: AddMemberRequest['role'],
  flags: {
    'peer-urls'?: string | undefined;
    'client-urls'?: string | undefined;
    id?: string | undefined;
    'directory-id'?: string | undefined;
  },
  provisioner: MemberProvisioner,
): Promise<AddMemberRequest> {
  const split = (value: string | undefined) =>
    value === undefined
      ? undefined
      : value
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean);
  let peerUrls = split(flags['peer-urls']);
  let clientUrls = split(flags['client-urls']);
  let id = flags.id;
  if (peerUrls === undefined && provisioner.reserve !== undefined) {
    const reserved = await provisioner.reserve(name, role);
    peerUrls = reserved.peerUrls;
    clientUrls ??= reserved.clientUrls;
    id ??= reserved.id;
  }
  if (peerUrls === undefined || peerUrls.length === 0) {
    throw new UsageError('PEER_URLS_REQUIRED', `how do peers reach ${name}? pass --peer-urls`, {
      actions: [
        'e.g. --peer-urls https://10.0.0.4:2380 (etcd)',
        'or act on a sandbox: --sandbox NAME',
      ],
    });
  }
  return {
    name,
    role,
    peerUrls,
    ...(clientUrls !== undefined && { clientUrls }),
    ...(id !== undefined && { id }),
    ...(flags['directory-id'] !== undefined && { directoryId: flags['directory-id'] }),
  };
}

/** The role of the joining member as the plan's first step says. */
export function plannedRole(plan: MaintenancePlan, name: string): AddMemberRequest['role'] {
  const step = plan.steps.find(
    (candidate) =>
      candidate.member === name &&
      (candidate.action === 'add-learner' ||
        candidate.action === 'add-voter' ||
        candidate.action === 'add-observer'),
  );
  if (step?.action === 'add-learner') return 'learner';
  if (step?.action === 'add-observer') return 'observer';
  return 'voter';
}

export interface MutationInput {
  plan: MaintenancePlan;
  flags: {
    yes: boolean;
    'no-backup'?: boolean | undefined;
    'backup-dest'?: string | undefined;
  };
  format: OutputFormat;
  opened: MembershipTarget;
  argv: readonly string[];
  toolVersion: string;
  /** Runs the plan; `prepare` work (port reservations) belongs inside, after consent. */
  execute: (progress: ProgressSink, signal: AbortSignal) => Promise<MaintenanceRun>;
}

/**
 * After the plan and before any change: consent (a prompt, or --yes), then the safety backup;
 * then the run with progress on stderr, the audit record, and the exit code of the outcome.
 */
export async function runMutation(
  input: MutationInput,
): Promise<{ report: MaintenanceReport; exitCode: number }> {
  const { plan, opened } = input;
  await confirmPlan(plan, input.flags, renderPlan);
  const interrupt = interruptSignal();
  // One step view for the safety backup and the plan's steps.
  const progress = createProgressSink({ format: input.format });
  let run: MaintenanceRun;
  let backup: Awaited<ReturnType<typeof safetyBackupBefore>>;
  try {
    backup = plan.steps.some((step) => step.mutates)
      ? await safetyBackupBefore(
          plan.operation,
          opened.target,
          opened.options,
          input.flags,
          input.toolVersion,
          interrupt.signal,
          progress,
        )
      : undefined;
    run = await input.execute(progress, interrupt.signal);
  } finally {
    await progress.close();
    interrupt.release();
  }
  const report: MaintenanceReport = {
    ...run.report,
    ...(backup !== undefined && { safetyBackup: backup.manifest.name }),
  };
  await recordAudit(report, input.argv, opened.stateDir);
  if (run.failure !== undefined && input.format === 'table') {
    process.stderr.write(renderError(run.failure, input.argv.includes('--debug')));
  }
  return { report, exitCode: exitCodeOf({ ...run, report }) };
}

/** A report for --dry-run: the plan, nothing executed. */
export function dryRunReport(plan: MaintenancePlan): MaintenanceReport {
  return { plan, dryRun: true, outcomes: [], result: 'planned' };
}

export function refOf(member: MemberStatus): MemberRef {
  return { id: member.id, name: member.name, endpoint: member.endpoint };
}

/** `members list`: each member with its role and, for learners, how far it has caught up. */
export interface MemberList {
  cluster: string;
  kind: SystemKind;
  leader?: string;
  quorum: ClusterStatus['quorum'];
  members: MemberListEntry[];
}

export interface MemberListEntry {
  name: string;
  id: string;
  role: MemberStatus['role'];
  voter: boolean;
  healthy: boolean;
  endpoint: string;
  commitIndex?: number;
  lagEntries?: number;
  /** Learners: their index as a percentage of the leader's. */
  catchUpPercent?: number;
  error?: string;
}

export function memberListOf(status: ClusterStatus): MemberList {
  const leader = status.members.find((member) => member.id === status.leaderId);
  return {
    cluster: status.cluster,
    kind: status.kind,
    ...(leader !== undefined && { leader: leader.name }),
    quorum: status.quorum,
    members: status.members.map((member) => {
      const catchUp = member.voter ? undefined : catchUpOf(status, member);
      return {
        name: member.name,
        id: member.id,
        role: member.role,
        voter: member.voter,
        healthy: member.reachable,
        endpoint: member.endpoint,
        ...(member.commitIndex !== undefined && { commitIndex: member.commitIndex }),
        ...(member.lagEntries !== undefined && { lagEntries: member.lagEntries }),
        ...(catchUp !== undefined && { catchUpPercent: catchUp.percent }),
        ...(member.error !== undefined && { error: member.error.message }),
      };
    }),
  };
}

export function renderMemberList(list: MemberList): string {
  const { quorum } = list;
  const header =
    `${list.cluster} (${list.kind}): ${list.leader === undefined ? 'no leader' : `${list.leader} leads`}; ` +
    `${quorum.healthyVoters}/${quorum.voters} voters healthy, majority ${quorum.majority}, tolerates ${quorum.faultTolerance}\n`;
  const table = formatTable(
    ['NAME', 'ID', 'ROLE', 'VOTER', 'HEALTHY', 'ENDPOINT', 'INDEX', 'LAG', 'CAUGHT UP', 'ERROR'],
    list.members.map((member) => [
      member.name,
      member.id,
      member.role,
      member.voter ? 'yes' : 'no',
      member.healthy ? 'yes' : 'no',
      member.endpoint,
      member.commitIndex === undefined ? '-' : String(member.commitIndex),
      member.lagEntries === undefined ? '-' : String(member.lagEntries),
      member.catchUpPercent === undefined ? '-' : `${member.catchUpPercent}%`,
      member.error ?? '',
    ]),
  );
  return header + table;
}

/** Whether leadership can be moved before removing the leader (etcd move-leader). */
export function canTransferLeader(adapter: ClusterAdapter): boolean {
  return adapter.capabilities.has('transferLeader') && adapter.kind === 'etcd';
}

/** The provisioner for the target: the sandbox's own, else printed instructions. */
export function provisionerFor(opened: MembershipTarget): MemberProvisioner {
  return opened.sandbox === undefined
    ? manualProvisioner(opened.target.kind)
    : sandboxProvisioner(opened.stateDir, opened.sandbox.name);
}

/** `--name`, else (sandbox only) the next free `nN`. */
export function joiningName(
  name: string | undefined,
  opened: MembershipTarget,
  status: ClusterStatus,
): string {
  if (name !== undefined) return name;
  if (opened.sandbox === undefined) {
    throw new UsageError('NAME_REQUIRED', 'name the new member: --name NAME', {
      actions: ['e.g. --name etcd-4 --peer-urls https://10.0.0.4:2380'],
    });
  }
  const names = [
    ...status.members.map((member) => member.name),
    ...opened.sandbox.members.map((member) => member.name),
  ];
  const numbers = names.map((entry) => Number(/^n(\d+)$/.exec(entry)?.[1] ?? 0));
  return `n${Math.max(0, ...numbers) + 1}`;
}

/** Catch-up and start limits from the joining flags. */
export function joiningLimits(flags: {
  'catch-up-timeout': string;
  'on-timeout': 'remove' | 'leave';
  'start-timeout': string;
}) {
  return {
    catchUp: {
      timeoutMs: parseDuration(flags['catch-up-timeout'], '--catch-up-timeout'),
      onTimeout: flags['on-timeout'],
    },
    startTimeoutMs: parseDuration(flags['start-timeout'], '--start-timeout'),
  };
}

/** The command line for the audit record: the command's words, then its arguments. */
export function auditArgv(id: string | undefined, argv: readonly string[]): string[] {
  return [...(id?.split(':') ?? []), ...argv];
}

/** Without a sandbox to allocate them, the joining member's addresses must be given. */
export function requireJoiningAddresses(
  flags: { 'peer-urls'?: string | undefined },
  opened: MembershipTarget,
): void {
  if (flags['peer-urls'] !== undefined || opened.sandbox !== undefined) return;
  throw new UsageError(
    'PEER_URLS_REQUIRED',
    'how do peers reach the new member? pass --peer-urls',
    {
      actions: [
        'e.g. --peer-urls https://10.0.0.4:2380 (etcd)',
        'or act on a sandbox: --sandbox NAME',
      ],
    },
  );
}

export function leaderOf(status: ClusterStatus): string | undefined {
  return status.members.find((member) => member.id === status.leaderId)?.name;
}

/** A plan shown without running it: --dry-run, or a plan with nothing to do. */
export function renderPlanned(plan: MaintenancePlan): string {
  return plan.steps.length === 0
    ? `${renderPlan(plan)}\nNothing to do.\n`
    : renderReport(dryRunReport(plan));
}
