/**
 * A member joining a cluster: its name and addresses (flags, or ports a sandbox reserves), who
 * starts its process (the sandbox, or the operator following printed instructions), and the
 * execution of add and replace plans.
 */
import { Flags } from '@oclif/core';
import { parseDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import type { MaintenancePlan } from '../core/maintenance/plan.js';
import type { ClusterStatus, SystemKind } from '../core/model.js';
import type { AddedMember, AddMemberRequest } from '../core/ports.js';
import type { ProgressSink } from '../core/progress.js';
import { executeMembershipPlan, type MemberProvisioner } from '../ops/maintenance/members.js';
import type { MaintenanceRun } from '../ops/maintenance/plan-runner.js';
import { sandboxProvisioner } from '../sandbox/index.js';
import type { MembershipTarget } from './membership-target.js';

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
