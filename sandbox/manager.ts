/** Sandbox lifecycle: up (start, record, wait for a leader), down, list, logs, and killing one member. */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UnreachableError, UsageError } from '../core/errors.js';
import { etcdKind } from './etcd.js';
import { assertSandboxName, sandboxLayout } from './layout.js';
import { natsKind } from './nats.js';
import { allocatePorts } from './ports.js';
import {
  findExecutable,
  isAlive,
  launchDetached,
  signal,
  stopAll,
  waitUntil,
} from './processes.js';
import { portsInUse, readAllRecords, readRecord, writeRecord } from './state.js';
import type { MemberSlot, ServerKind } from './server-kind.js';
import type { SandboxKind, SandboxListing, SandboxMember, SandboxRecord } from './types.js';
import { zookeeperKind } from './zookeeper.js';

const SERVER_KINDS: Record<SandboxKind, ServerKind> = {
  etcd: etcdKind,
  zookeeper: zookeeperKind,
  nats: natsKind,
};
const POLL_MS = 150;

export interface UpOptions {
  stateDir: string;
  name: string;
  kind: SandboxKind;
  members?: number;
  readyTimeoutMs?: number;
  onProgress?: (message: string) => void;
}

export async function sandboxUp(options: UpOptions): Promise<SandboxRecord> {
  const { stateDir, name, kind } = options;
  const server = SERVER_KINDS[kind];
  const memberCount = options.members ?? 3;
  const progress = options.onProgress ?? (() => undefined);
  assertSandboxName(name);
  assertMemberCount(server, memberCount);
  assertInstalled(server);
  await clearDeadSandbox(stateDir, name);

  const layout = sandboxLayout(stateDir, name);
  const others = await readAllRecords(stateDir);
  const ports = await allocatePorts(memberCount * server.portNames.length, portsInUse(others));
  const slots: MemberSlot[] = Array.from({ length: memberCount }, (_, index) => ({
    name: `n${index + 1}`,
    ports: Object.fromEntries(
      server.portNames.map((portName, offset) => [
        portName,
        ports[index * server.portNames.length + offset] ?? 0,
      ]),
    ),
    dataDir: layout.dataDir(`n${index + 1}`),
    logFile: layout.logFile(`n${index + 1}`),
  }));
  const launches = server.plan({ sandbox: name, confDir: layout.confDir, members: slots });
  await mkdir(layout.confDir, { recursive: true });
  for (const slot of slots) {
    await mkdir(slot.dataDir, { recursive: true });
    await mkdir(dirname(slot.logFile), { recursive: true });
  }
  for (const file of launches.flatMap((launch) => launch.files)) {
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.content);
  }

  progress(`starting ${memberCount} ${kind} members in ${layout.dir}`);
  const started = Date.now();
  const members: SandboxMember[] = launches.map((launch, index) => {
    const slot = slots[index] as MemberSlot;
    const member: SandboxMember = {
      name: launch.name,
      pid: launchDetached({
        command: launch.command,
        args: launch.args,
        logFile: slot.logFile,
        cwd: layout.dir,
      }),
      clientUrl: launch.clientUrl,
      ports: slot.ports,
      dataDir: slot.dataDir,
      logFile: slot.logFile,
    };
    if (launch.monitorUrl !== undefined) member.monitorUrl = launch.monitorUrl;
    return member;
  });
  const record: SandboxRecord = {
    name,
    kind,
    version: 'unknown',
    createdAt: new Date().toISOString(),
    dir: layout.dir,
    members,
    endpoints: members.map((member) => member.clientUrl),
  };
  // Recorded before the wait, so a start that fails half-way can still be torn down.
  await writeRecord(layout.stateFile, record);

  progress('waiting for a leader');
  try {
    await waitForReadiness(server, record, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    await stopAll(
      members.map((member) => ({ pid: member.pid, marker: server.processMarker })),
      1000,
    );
    await rm(layout.dir, { recursive: true, force: true });
    throw error;
  }
  record.version = await server.version(members);
  await writeRecord(layout.stateFile, record);
  progress(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return record;
}

export async function sandboxDown(
  stateDir: string,
  name: string,
  options: { graceMs?: number; keepData?: boolean } = {},
): Promise<SandboxRecord> {
  const record = await requireRecord(stateDir, name);
  const marker = SERVER_KINDS[record.kind].processMarker;
  await stopAll(
    record.members.map((member) => ({ pid: member.pid, marker })),
    options.graceMs ?? 3000,
  );
  if (options.keepData !== true) await rm(record.dir, { recursive: true, force: true });
  return record;
}

export async function sandboxList(stateDir: string): Promise<SandboxListing[]> {
  return (await readAllRecords(stateDir)).map(withLiveness);
}

export async function sandboxLogPaths(
  stateDir: string,
  name: string,
  member?: string,
): Promise<{ member: string; path: string }[]> {
  const record = await requireRecord(stateDir, name);
  const members = record.members.filter(
    (candidate) => member === undefined || candidate.name === member,
  );
  if (members.length === 0) {
    throw new UsageError(
      'SANDBOX_MEMBER_UNKNOWN',
      `sandbox "${name}" has no member "${member ?? ''}"`,
      {
        actions: [`members are: ${record.members.map((candidate) => candidate.name).join(', ')}`],
      },
    );
  }
  return members.map((candidate) => ({ member: candidate.name, path: candidate.logFile }));
}

/** Kills one member and keeps it recorded, so `ls` reports it dead (tests, drills). */
export async function stopMember(
  stateDir: string,
  name: string,
  member: string,
  signalName: NodeJS.Signals = 'SIGKILL',
): Promise<void> {
  const record = await requireRecord(stateDir, name);
  const target = record.members.find((candidate) => candidate.name === member);
  if (target === undefined) {
    throw new UsageError('SANDBOX_MEMBER_UNKNOWN', `sandbox "${name}" has no member "${member}"`, {
      actions: [`members are: ${record.members.map((candidate) => candidate.name).join(', ')}`],
    });
  }
  const marker = SERVER_KINDS[record.kind].processMarker;
  signal(target.pid, signalName);
  if (signalName === 'SIGKILL' || signalName === 'SIGTERM')
    await waitUntil(() => !isAlive(target.pid, marker), 10_000);
}

function withLiveness(record: SandboxRecord): SandboxListing {
  const marker = SERVER_KINDS[record.kind].processMarker;
  const liveness = record.members.map((member) => ({
    name: member.name,
    pid: member.pid,
    alive: isAlive(member.pid, marker),
  }));
  const alive = liveness.filter((member) => member.alive).length;
  const state = alive === liveness.length ? 'running' : alive === 0 ? 'stopped' : 'degraded';
  return { ...record, liveness, state };
}

async function waitForReadiness(
  server: ServerKind,
  record: SandboxRecord,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let waitingFor: string[] = [];
  while (Date.now() < deadline) {
    const dead = record.members.filter((member) => !isAlive(member.pid, server.processMarker));
    if (dead.length > 0) {
      throw await notReady(
        record,
        `${dead.map((member) => member.name).join(', ')} exited during start-up`,
        dead,
      );
    }
    const readiness = await server.probe(record.members);
    if (readiness.ready) return;
    waitingFor = readiness.waitingFor;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw await notReady(
    record,
    `not ready after ${timeoutMs / 1000} s: ${waitingFor.join('; ')}`,
    record.members,
  );
}

async function notReady(
  record: SandboxRecord,
  problem: string,
  suspects: SandboxMember[],
): Promise<UnreachableError> {
  const logTails = Object.fromEntries(
    await Promise.all(
      suspects.map(
        async (member) =>
          [
            member.name,
            (await readFile(member.logFile, 'utf8').catch(() => ''))
              .trimEnd()
              .split('\n')
              .slice(-10),
          ] as const,
      ),
    ),
  );
  return new UnreachableError(
    'SANDBOX_NOT_READY',
    `${record.kind} sandbox "${record.name}" did not start: ${problem}`,
    {
      actions: [
        `read the logs: ${suspects.map((member) => member.logFile).join(', ')}`,
        'rerun with --debug to see the last log lines',
      ],
      details: { logTails },
    },
  );
}

async function requireRecord(stateDir: string, name: string): Promise<SandboxRecord> {
  const record = await readRecord(stateDir, name);
  if (record === undefined) {
    const known = (await readAllRecords(stateDir)).map((candidate) => candidate.name);
    throw new UsageError('SANDBOX_NOT_FOUND', `no sandbox named "${name}" in ${stateDir}`, {
      actions: [
        known.length > 0
          ? `existing sandboxes: ${known.join(', ')}`
          : 'there are no sandboxes: start one with quorumctl sandbox up',
        'pass --state-dir if it was started with one',
      ],
    });
  }
  return record;
}

/** A name whose processes all died may be reused; one with a live process may not. */
async function clearDeadSandbox(stateDir: string, name: string): Promise<void> {
  const existing = await readRecord(stateDir, name);
  if (existing === undefined) {
    await rm(sandboxLayout(stateDir, name).dir, { recursive: true, force: true });
    return;
  }
  const listing = withLiveness(existing);
  if (listing.state !== 'stopped') {
    throw new UsageError(
      'SANDBOX_EXISTS',
      `sandbox "${name}" is already running (${existing.kind}, ${existing.members.length} members, state ${existing.dir})`,
      {
        actions: [
          `quorumctl sandbox down ${name}`,
          'or pick another name: quorumctl sandbox up OTHER-NAME',
        ],
      },
    );
  }
  await rm(existing.dir, { recursive: true, force: true });
}

function assertMemberCount(server: ServerKind, count: number): void {
  if (!server.allowedMembers.includes(count)) {
    throw new UsageError(
      'SANDBOX_MEMBERS_INVALID',
      `a ${server.kind} sandbox cannot have ${count} members`,
      {
        actions: [`use --members ${server.allowedMembers.join(' or ')}`],
      },
    );
  }
}

function assertInstalled(server: ServerKind): void {
  if (findExecutable(server.executable) === undefined) {
    throw new UsageError(
      'SERVER_NOT_INSTALLED',
      `${server.executable} is not installed (needed for a ${server.kind} sandbox)`,
      {
        actions: [
          `as root: apt-get update && apt-get install -y ${server.debianPackage}`,
          'or run make setup',
        ],
      },
    );
  }
}
