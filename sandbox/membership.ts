/**
 * Growing and shrinking a running sandbox for membership changes: reserve a joining member's
 * ports (and, with --netns, its namespace and address), launch it through its kind's `planJoin`
 * and record it; stop a removed member, detach its network and drop it from the record.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UnreachableError, UnsupportedOperationError, UsageError } from '../core/errors.js';
import { serverKind } from './kinds.js';
import { sandboxLayout } from './layout.js';
import { memberAlive } from './liveness.js';
import { launchMember, requireRecord, stopMember } from './manager.js';
import { attachMemberNetwork, detachMemberNetwork, type MemberNetwork } from './netns.js';
import { allocatePorts } from './ports.js';
import { waitUntil } from './processes.js';
import type { MemberSlot } from './server-kind.js';
import { portsInUse, readAllRecords, writeRecord } from './state.js';
import type { SandboxKind, SandboxMember, SandboxRecord } from './types.js';

export type JoiningRole = 'voter' | 'learner' | 'observer';

/** Where a joining member will listen, in the forms its kind's membership API takes. */
export interface ReservedMember {
  slot: MemberSlot;
  /** etcd: peer URLs; ZooKeeper: `host:quorumPort:electionPort`. */
  peerUrls: string[];
  /** etcd: client URLs; ZooKeeper: `host:clientPort`. */
  clientUrls: string[];
  /** ZooKeeper: the server id (the number in the name, as `sandbox up` numbers them). */
  id?: string;
}

/** A process that dies this soon after its launch did not join (bad flags, port taken). */
const EARLY_EXIT_WATCH_MS = 700;

/**
 * Picks the joining member's name (`--member`, else the next free `nN`) and free ports. Nothing
 * is started or recorded: the caller asks the cluster to accept the member first (etcd).
 */
export async function sandboxReserveMember(
  stateDir: string,
  name: string,
  options: { member?: string } = {},
): Promise<ReservedMember> {
  const record = await requireRecord(stateDir, name);
  const server = serverKind(record.kind);
  if (server.planJoin === undefined) throw cannotGrow(record);
  const member = options.member ?? nextMemberName(record);
  if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(member)) {
    throw new UsageError('MEMBER_NAME_INVALID', `member name "${member}" is not allowed`, {
      actions: ['use 1-32 characters of a-z, 0-9 and "-", e.g. n4'],
    });
  }
  if (record.members.some((existing) => existing.name === member)) {
    throw new UsageError('MEMBER_EXISTS', `sandbox "${name}" already has a member "${member}"`, {
      actions: ['choose another name, or leave it out to get the next free nN'],
    });
  }
  const ports = await allocatePorts(
    server.portNames.length,
    portsInUse(await readAllRecords(stateDir)),
  );
  const layout = sandboxLayout(stateDir, name);
  const network = await joiningNetwork(stateDir, record, member);
  const slot: MemberSlot = {
    name: member,
    host: network?.address ?? '127.0.0.1',
    ...(network !== undefined && { netns: network.netns }),
    ports: Object.fromEntries(server.portNames.map((port, index) => [port, ports[index] ?? 0])),
    dataDir: layout.dataDir(member),
    logFile: layout.logFile(member),
  };
  return { slot, ...joinAddresses(record.kind, slot) };
}

/**
 * A netns sandbox gives the joining member its own namespace and address on the bridge, as
 * `sandbox up --netns` gave the others; a loopback sandbox needs nothing (undefined).
 */
async function joiningNetwork(
  stateDir: string,
  record: SandboxRecord,
  member: string,
): Promise<MemberNetwork | undefined> {
  if (!record.members.some((existing) => existing.netns !== undefined)) return undefined;
  const network = await attachMemberNetwork(stateDir, record.name, member);
  if (network !== undefined) return network;
  throw new UnsupportedOperationError(
    'SANDBOX_NETWORK_MISSING',
    `sandbox "${record.name}" runs in network namespaces but its network record is gone`,
    { actions: [`recreate it: quorumctl sandbox down ${record.name}, then sandbox up --netns`] },
  );
}

/**
 * Gives back what sandboxReserveMember took for a member that was never started (the cluster
 * refused it): its namespace, in a netns sandbox. Ports need no release: nothing listens.
 */
export async function sandboxReleaseMember(
  stateDir: string,
  name: string,
  member: string,
): Promise<void> {
  await detachMemberNetwork(stateDir, name, member);
}

/**
 * Launches the joining member (etcd: `--initial-cluster-state existing`) and records it.
 * Without `reserved`, ports are allocated here. Throws when the process exits at once.
 */
export async function sandboxAddMember(
  stateDir: string,
  name: string,
  options: { member?: string; role: JoiningRole; reserved?: ReservedMember },
): Promise<SandboxMember> {
  const reserved =
    options.reserved ??
    (await sandboxReserveMember(stateDir, name, {
      ...(options.member !== undefined && { member: options.member }),
    }));
  const record = await requireRecord(stateDir, name);
  const server = serverKind(record.kind);
  if (server.planJoin === undefined) throw cannotGrow(record);
  const layout = sandboxLayout(stateDir, name);
  const { slot } = reserved;
  const launch = server.planJoin({
    sandbox: name,
    confDir: layout.confDir,
    members: record.members.map(slotOf),
    joining: slot,
    role: options.role,
  });
  // A data dir left by an earlier member of the same name would make it rejoin as that member.
  await rm(slot.dataDir, { recursive: true, force: true });
  await mkdir(slot.dataDir, { recursive: true });
  await mkdir(layout.logsDir, { recursive: true });
  for (const file of launch.files) {
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.content);
  }
  const member = launchMember(server, layout, launch, slot);
  record.members.push(member);
  syncEndpoints(record);
  await writeRecord(layout.stateFile, record);
  const diedEarly = await waitUntil(() => !memberAlive(record, member), EARLY_EXIT_WATCH_MS);
  if (diedEarly) {
    throw new UnreachableError(
      'MEMBER_START_FAILED',
      `${member.name} exited right after it started (sandbox "${name}")`,
      {
        actions: [`quorumctl sandbox logs ${name} --member ${member.name}`],
        details: { logFile: member.logFile },
      },
    );
  }
  return member;
}

/** Stops a member that left the cluster (if it still runs), drops it from the record and its data. */
export async function sandboxRemoveMember(
  stateDir: string,
  name: string,
  member: string,
): Promise<SandboxRecord> {
  await stopMember(stateDir, name, member, 'SIGTERM');
  // After the process stopped: a namespace with a process in it outlives its deletion.
  await detachMemberNetwork(stateDir, name, member);
  const record = await requireRecord(stateDir, name);
  record.members = record.members.filter((candidate) => candidate.name !== member);
  syncEndpoints(record);
  const layout = sandboxLayout(stateDir, name);
  await writeRecord(layout.stateFile, record);
  // By the layout's path, never the recorded one (a hand-edited record must not aim rm elsewhere).
  await rm(layout.dataDir(member), { recursive: true, force: true });
  return record;
}

/** The next `nN` after the highest number in use. */
export function nextMemberName(record: { members: readonly { name: string }[] }): string {
  const numbers = record.members.map((member) => Number(/^n(\d+)$/.exec(member.name)?.[1] ?? 0));
  return `n${Math.max(0, ...numbers) + 1}`;
}

/** What the kind's membership API needs to know about a joining member's addresses. */
export function joinAddresses(kind: SandboxKind, slot: MemberSlot): Omit<ReservedMember, 'slot'> {
  const port = (portName: string) => slot.ports[portName] ?? 0;
  switch (kind) {
    case 'etcd':
      return {
        peerUrls: [`http://${slot.host}:${port('peer')}`],
        clientUrls: [`http://${slot.host}:${port('client')}`],
      };
    case 'zookeeper': {
      const id = /(\d+)$/.exec(slot.name)?.[1];
      return {
        peerUrls: [`${slot.host}:${port('quorum')}:${port('election')}`],
        clientUrls: [`${slot.host}:${port('client')}`],
        ...(id !== undefined && { id }),
      };
    }
    case 'nats':
      return {
        peerUrls: [`nats://${slot.host}:${port('cluster')}`],
        clientUrls: [`nats://${slot.host}:${port('client')}`],
      };
  }
}

function slotOf(member: SandboxMember): MemberSlot {
  return {
    name: member.name,
    host: member.host ?? '127.0.0.1',
    ...(member.netns !== undefined && { netns: member.netns }),
    ports: member.ports,
    dataDir: member.dataDir,
    logFile: member.logFile,
  };
}

function syncEndpoints(record: SandboxRecord): void {
  record.endpoints = record.members.map((member) => member.clientUrl);
  if (record.monitorUrls !== undefined) {
    record.monitorUrls = record.members.map((member) => member.monitorUrl ?? member.clientUrl);
  }
}

function cannotGrow(record: SandboxRecord): UnsupportedOperationError {
  return new UnsupportedOperationError(
    'SANDBOX_JOIN_UNSUPPORTED',
    `${record.kind} sandboxes cannot add members (no join plan for ${record.kind})`,
    { actions: ['docs/maintenance-members.md lists what each kind supports'] },
  );
}
