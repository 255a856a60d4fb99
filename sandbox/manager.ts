/** Sandbox lifecycle: up (start, record, wait for a leader), down, list, logs, and killing one member. */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  PartialFailureError,
  UnreachableError,
  UsageError,
  describeCause,
} from '../core/errors.js';
import { serverKind } from './kinds.js';
import { assertSandboxName, failedStartsDir, sandboxLayout, type SandboxLayout } from './layout.js';
import { memberAlive, serverProcess, withLiveness } from './liveness.js';
import {
  allocateNetwork,
  assertNetnsAvailable,
  createNetwork,
  ensureNetwork,
  inNetns,
  readNetwork,
  removeNetwork,
  waitForNetnsExec,
  type SandboxNetwork,
} from './netns.js';
import { allocatePorts } from './ports.js';
import { assertInstalled, assertMemberCount, clearDeadSandbox } from './preflight.js';
import {
  environmentWithout,
  exists,
  launchDetached,
  signal,
  stopAll,
  stopInWaves,
  waitUntil,
} from './processes.js';
import { notReadyError, waitForReadiness } from './readiness.js';
import type { MemberLaunch, MemberSlot, ServerKind } from './server-kind.js';
import { portsInUse, readAllRecords, readRecord, writeRecord } from './state.js';
import type { SandboxKind, SandboxListing, SandboxMember, SandboxRecord } from './types.js';

/** Grace for members of a sandbox that failed to start: nothing in it is worth waiting for. */
const FAILED_START_GRACE_MS = 1000;

export interface UpOptions {
  stateDir: string;
  name: string;
  kind: SandboxKind;
  /** etcd 1, 3 (default) or 5; ZooKeeper and NATS 3 (default) or 5. */
  members?: number;
  /** Default 60000. */
  readyTimeoutMs?: number;
  /** Each member in its own network namespace on a bridge (partition faults need it); root only. */
  netns?: boolean;
  onProgress?: (message: string) => void;
}

export async function sandboxUp(options: UpOptions): Promise<SandboxRecord> {
  const { stateDir, name, kind } = options;
  const server = serverKind(kind);
  const memberCount = options.members ?? 3;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const progress = options.onProgress ?? (() => undefined);
  assertSandboxName(name);
  assertMemberCount(server, memberCount);
  assertInstalled(server);
  if (options.netns === true) assertNetnsAvailable();
  // Read before clearDeadSandbox deletes the dir: a dead netns sandbox's namespaces must go too.
  const staleNetwork = await readNetwork(stateDir, name);
  await clearDeadSandbox(stateDir, name);
  if (staleNetwork !== undefined || options.netns === true) await removeNetwork(stateDir, name);

  const layout = sandboxLayout(stateDir, name);
  // Ports of other sandboxes stay taken even while their members are down: their peers
  // keep dialling them, and a new server there would receive a foreign cluster's traffic.
  const taken = portsInUse(await readAllRecords(stateDir));
  const slots = memberSlots(
    layout,
    server,
    memberCount,
    await allocatePorts(memberCount * server.portNames.length, taken),
  );
  if (options.netns === true) {
    progress('creating a network namespace per member');
    await withNetwork(
      stateDir,
      layout,
      slots,
      await allocateNetworkFor(stateDir, name, kind, slots),
    );
  }
  const launches = server.plan({ sandbox: name, confDir: layout.confDir, members: slots });
  await prepareFiles(layout, slots, launches);

  progress(`starting ${memberCount} ${kind} members in ${layout.dir}`);
  const started = Date.now();
  const record: SandboxRecord = {
    name,
    kind,
    version: 'unknown',
    createdAt: new Date().toISOString(),
    dir: layout.dir,
    members: [],
    endpoints: [],
  };
  try {
    for (const [index, launch] of launches.entries())
      record.members.push(launchMember(server, layout, launch, slots[index] as MemberSlot));
  } catch (cause) {
    await abandon(stateDir, layout, record);
    throw new UnreachableError(
      'SANDBOX_NOT_READY',
      `could not start ${server.executable}: ${describeCause(cause)}`,
      { cause },
    );
  }
  record.endpoints = record.members.map((member) => member.clientUrl);
  record.monitorUrls = record.members.map((member) => member.monitorUrl ?? member.clientUrl);
  // Recorded before the wait, so a start that fails half-way (or is interrupted) can still be torn down.
  await writeRecord(layout.stateFile, record);
  await waitForNetnsExec(record.members);

  progress(memberCount === 1 ? 'waiting for the member to be ready' : 'waiting for a leader');
  const outcome = await waitForReadiness(server, record, readyTimeoutMs);
  if (!outcome.ready) {
    const logFiles = await abandon(stateDir, layout, record);
    throw await notReadyError(record, outcome.notReady, outcome.problem, logFiles);
  }
  record.version = await server.version(record.members);
  await writeRecord(layout.stateFile, record);
  progress(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return record;
}

export async function sandboxDown(
  stateDir: string,
  name: string,
  options: { graceMs?: number; keepData?: boolean } = {},
): Promise<SandboxRecord> {
  const halfCreated = await halfCreatedNetns(stateDir, name);
  if (halfCreated !== undefined) return halfCreated;
  const record = await requireRecord(stateDir, name);
  const server = serverKind(record.kind);
  const alive = record.members.filter((member) => memberAlive(record, member));
  const waves = (await server.shutdownWaves?.(alive)) ?? [alive];
  const survivors = await stopInWaves(
    waves.map((wave) => wave.map((member) => serverProcess(record, member))),
    options.graceMs ?? 3000,
  );
  if (survivors.length > 0) {
    // Keep the state file: it is the only way to find these processes again.
    throw new PartialFailureError(
      'SANDBOX_STOP_FAILED',
      `sandbox "${name}": PIDs ${survivors.join(', ')} survived SIGKILL`,
      {
        actions: [`ps -o pid,stat,cmd -p ${survivors.join(',')}`, `quorumctl sandbox down ${name}`],
      },
    );
  }
  // After the processes: a namespace with a process in it outlives `ip netns delete`.
  if (record.members.some((member) => member.netns !== undefined))
    await removeNetwork(stateDir, name, { keepRecord: options.keepData === true });
  // Deleted by the layout's path, never the recorded one: a hand-edited state file must not aim rm elsewhere.
  if (options.keepData !== true)
    await rm(sandboxLayout(stateDir, name).dir, { recursive: true, force: true });
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
  const members = member === undefined ? record.members : [requireMember(record, member)];
  return members.map((candidate) => ({ member: candidate.name, path: candidate.logFile }));
}

/**
 * Signals one member and keeps it recorded, so `ls` reports it dead (tests, drills).
 * SIGKILL and SIGTERM wait until it is gone; SIGSTOP and SIGCONT just deliver.
 */
export async function stopMember(
  stateDir: string,
  name: string,
  member: string,
  signalName: NodeJS.Signals = 'SIGKILL',
): Promise<void> {
  const record = await requireRecord(stateDir, name);
  const target = requireMember(record, member);
  // A dead member's PID may belong to someone else by now: never signal it.
  if (!memberAlive(record, target)) return;
  signal(target.pid, signalName);
  if (signalName !== 'SIGKILL' && signalName !== 'SIGTERM') return;
  // An etcd leader on SIGTERM may take seconds to hand over leadership.
  if (!(await waitUntil(() => !memberAlive(record, target), 15_000))) {
    throw new PartialFailureError(
      'SANDBOX_STOP_FAILED',
      `sandbox "${name}": ${member} (PID ${target.pid}) still runs 15 s after ${signalName}`,
      { actions: [`quorumctl sandbox down ${name}`] },
    );
  }
  // Dead already; if it was our child, let the event loop reap it so `kill -0` agrees.
  await waitUntil(() => !exists(target.pid), 1000);
}

/**
 * Starts the members of a stopped sandbox again with their recorded ports and data dirs
 * (after `sandboxDown(..., {keepData: true})`, e.g. once a backup was restored into them)
 * and waits until it is ready. Members still running are left alone.
 */
export async function restartMembers(
  stateDir: string,
  name: string,
  options: { readyTimeoutMs?: number } = {},
): Promise<SandboxRecord> {
  const record = await requireRecord(stateDir, name);
  const server = serverKind(record.kind);
  const layout = sandboxLayout(stateDir, name);
  const slots: MemberSlot[] = record.members.map((member) => ({
    name: member.name,
    ports: member.ports,
    dataDir: member.dataDir,
    logFile: member.logFile,
    host: member.host ?? '127.0.0.1',
    ...(member.netns !== undefined && { netns: member.netns }),
  }));
  const launches = server.plan({ sandbox: name, confDir: layout.confDir, members: slots });
  if (slots.some((slot) => slot.netns !== undefined)) await ensureNetwork(stateDir, name);
  for (const [index, launch] of launches.entries()) {
    const member = record.members[index];
    if (member === undefined || memberAlive(record, member)) continue;
    record.members[index] = launchMember(server, layout, launch, slots[index] as MemberSlot);
  }
  await writeRecord(layout.stateFile, record);
  await waitForNetnsExec(record.members);
  const outcome = await waitForReadiness(server, record, options.readyTimeoutMs ?? 60_000);
  if (!outcome.ready) {
    const logFiles = new Map(record.members.map((member) => [member.name, member.logFile]));
    throw await notReadyError(record, outcome.notReady, outcome.problem, logFiles);
  }
  return record;
}

function memberSlots(
  layout: SandboxLayout,
  server: ServerKind,
  count: number,
  ports: readonly number[],
): MemberSlot[] {
  const perMember = server.portNames.length;
  return Array.from({ length: count }, (_, index) => {
    const name = `n${index + 1}`;
    return {
      name,
      ports: Object.fromEntries(
        server.portNames.map((portName, offset) => [
          portName,
          ports[index * perMember + offset] ?? 0,
        ]),
      ),
      dataDir: layout.dataDir(name),
      logFile: layout.logFile(name),
      host: '127.0.0.1',
    };
  });
}

async function prepareFiles(
  layout: SandboxLayout,
  slots: readonly MemberSlot[],
  launches: readonly MemberLaunch[],
): Promise<void> {
  await mkdir(layout.confDir, { recursive: true });
  await mkdir(layout.logsDir, { recursive: true });
  for (const slot of slots) await mkdir(slot.dataDir, { recursive: true });
  for (const file of launches.flatMap((launch) => launch.files)) {
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.content);
  }
}

export function launchMember(
  server: ServerKind,
  layout: SandboxLayout,
  launch: MemberLaunch,
  slot: MemberSlot,
): SandboxMember {
  const command =
    slot.netns === undefined
      ? { command: launch.command, args: launch.args }
      : inNetns(slot.netns, launch.command, launch.args);
  const pid = launchDetached({
    ...command,
    logFile: slot.logFile,
    cwd: layout.dir,
    env: environmentWithout(server.settingsEnvPrefix),
  });
  const member: SandboxMember = {
    name: launch.name,
    pid,
    clientUrl: launch.clientUrl,
    ports: slot.ports,
    dataDir: slot.dataDir,
    logFile: slot.logFile,
  };
  if (launch.monitorUrl !== undefined) member.monitorUrl = launch.monitorUrl;
  if (slot.host !== '127.0.0.1') member.host = slot.host;
  if (slot.netns !== undefined) member.netns = slot.netns;
  return member;
}

/**
 * Tears down a sandbox that failed to start: stops what was started, keeps the logs under
 * `<stateDir>/failed-starts/` (the operator needs them to see why) and removes the sandbox dir.
 * Returns where each member's log now is.
 */
async function abandon(
  stateDir: string,
  layout: SandboxLayout,
  record: SandboxRecord,
): Promise<Map<string, string>> {
  const survivors = await stopAll(
    record.members.map((member) => serverProcess(record, member)),
    FAILED_START_GRACE_MS,
  );
  const logFiles = new Map(record.members.map((member) => [member.name, member.logFile]));
  if (survivors.length > 0) return logFiles; // keep the dir and state file: `sandbox down` can retry
  if ((await readNetwork(stateDir, record.name)) !== undefined)
    await removeNetwork(stateDir, record.name);
  const keptLogs = join(
    failedStartsDir(stateDir),
    `${record.name}-${record.createdAt.replaceAll(':', '')}`,
  );
  try {
    await mkdir(dirname(keptLogs), { recursive: true });
    await rename(layout.logsDir, keptLogs);
    for (const member of record.members)
      logFiles.set(member.name, join(keptLogs, `${member.name}.log`));
  } catch {
    // Nothing logged yet (e.g. the spawn itself failed): nothing to keep.
  }
  await rm(layout.dir, { recursive: true, force: true });
  return logFiles;
}

export async function requireRecord(stateDir: string, name: string): Promise<SandboxRecord> {
  assertSandboxName(name);
  const record = await readRecord(stateDir, name);
  if (record !== undefined) return record;
  const known = (await readAllRecords(stateDir)).map((candidate) => candidate.name);
  throw new UsageError('SANDBOX_NOT_FOUND', `no sandbox named "${name}" in ${stateDir}`, {
    actions: [
      known.length > 0
        ? `existing sandboxes: ${known.join(', ')}`
        : 'there are no sandboxes: start one with quorumctl sandbox up',
      'pass --state-dir if it was started with one',
    ],
    details: { existing: known },
  });
}

function requireMember(record: SandboxRecord, member: string): SandboxMember {
  const found = record.members.find((candidate) => candidate.name === member);
  if (found !== undefined) return found;
  throw new UsageError(
    'SANDBOX_MEMBER_UNKNOWN',
    `sandbox "${record.name}" has no member "${member}"`,
    {
      actions: [`members are: ${record.members.map((candidate) => candidate.name).join(', ')}`],
    },
  );
}

async function allocateNetworkFor(
  stateDir: string,
  name: string,
  kind: SandboxKind,
  slots: readonly MemberSlot[],
): Promise<SandboxNetwork> {
  return allocateNetwork({
    stateDir,
    sandbox: name,
    kind,
    members: slots.map((slot) => slot.name),
  });
}

/** Creates the namespaces and points each slot at its private address; on failure removes what exists. */
async function withNetwork(
  stateDir: string,
  layout: SandboxLayout,
  slots: MemberSlot[],
  network: SandboxNetwork,
): Promise<void> {
  await mkdir(layout.dir, { recursive: true });
  try {
    await createNetwork(stateDir, network);
  } catch (cause) {
    await removeNetwork(stateDir, network.sandbox);
    await rm(layout.dir, { recursive: true, force: true });
    if (cause instanceof UsageError) throw cause;
    throw new UsageError(
      'NETNS_SETUP_FAILED',
      `could not create the network of sandbox "${network.sandbox}": ${describeCause(cause)}`,
      {
        actions: ['check that iproute2 works here: ip netns add test && ip netns delete test'],
        cause,
      },
    );
  }
  for (const slot of slots) {
    const member = network.members.find((candidate) => candidate.name === slot.name);
    if (member === undefined) continue;
    slot.host = member.address;
    slot.netns = member.netns;
  }
}

/**
 * `sandbox down` of a netns sandbox that crashed before its state file was written: only
 * network.json exists. Tears the network down and returns a record without members.
 */
async function halfCreatedNetns(
  stateDir: string,
  name: string,
): Promise<SandboxRecord | undefined> {
  assertSandboxName(name);
  if ((await readRecord(stateDir, name)) !== undefined) return undefined;
  const network = await readNetwork(stateDir, name);
  if (network === undefined) return undefined;
  await removeNetwork(stateDir, name);
  const layout = sandboxLayout(stateDir, name);
  await rm(layout.dir, { recursive: true, force: true });
  return {
    name,
    kind: network.kind,
    version: 'unknown',
    createdAt: new Date().toISOString(),
    dir: layout.dir,
    members: [],
    endpoints: [],
  };
}
