/**
 * Network namespaces for `sandbox up --netns`: one namespace per member, a veth into a bridge
 * the sandbox owns, a private /24 with the bridge on .1 so the root namespace reaches every
 * member. Names derive from the state dir and sandbox name, so teardown finds leftovers even
 * when the start crashed before anything was recorded.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { sandboxLayout } from './layout.js';
import { findExecutable } from './processes.js';
import type { SandboxKind } from './types.js';

/** Private addresses of netns sandboxes: 10.213.N.0/24, one N per sandbox. */
const SUBNET_PREFIX = '10.213';
/** Member nK gets .(10+K): n1 is .11, easy to read in `ip addr`. */
const FIRST_MEMBER_HOST = 10;
/** Linux interface names: IFNAMSIZ 16 including the NUL. */
const MAX_INTERFACE_NAME = 15;
const NETWORK_FILE = 'network.json';

export interface MemberNetwork {
  name: string;
  netns: string;
  /** The veth end left in the root namespace, enslaved to the bridge. */
  hostVeth: string;
  address: string;
}

/** What `network.json` in the sandbox dir records. */
export interface SandboxNetwork {
  sandbox: string;
  kind: SandboxKind;
  /** e.g. 10.213.7.0/24 */
  subnet: string;
  bridge: string;
  /** The bridge's address (.1): how the root namespace (the CLI, probes) reaches members. */
  bridgeAddress: string;
  members: MemberNetwork[];
}

/** Names shared by everything one sandbox creates. */
export interface NetworkNames {
  /** Six hex digits of sha256(state dir, sandbox): equal sandbox names in two state dirs differ. */
  hash: string;
  bridge: string;
  netns(member: string): string;
  hostVeth(member: string): string;
  /** Whether a namespace or interface name belongs to this sandbox. */
  ownsNetns(name: string): boolean;
  ownsVeth(name: string): boolean;
}

export function networkNames(stateDir: string, sandbox: string): NetworkNames {
  const hash = createHash('sha256')
    .update(`${resolve(stateDir)}\0${sandbox}`)
    .digest('hex')
    .slice(0, 6);
  const nsPrefix = `qctl-${sandbox}-${hash}-`;
  const vethPrefix = `qv${hash}`;
  return {
    hash,
    bridge: `qbr-${hash}`,
    netns: (member) => `${nsPrefix}${member}`,
    hostVeth: (member) => {
      const plain = `${vethPrefix}-${member}`;
      return plain.length <= MAX_INTERFACE_NAME
        ? plain
        : `${vethPrefix}-${createHash('sha256').update(member).digest('hex').slice(0, 6)}`;
    },
    // The hash in the prefix keeps other sandboxes' names out (unless a name embeds our hash).
    ownsNetns: (name) => name.startsWith(nsPrefix) && name.length > nsPrefix.length,
    ownsVeth: (name) => name.startsWith(`${vethPrefix}-`),
  };
}

/**
 * The subnet's third octet: derived from the hash so sandboxes rarely race for the same one,
 * then the next free one (free: no interface in the root namespace has an address in it).
 */
export function chooseSubnetOctet(hash: string, taken: ReadonlySet<number>): number {
  const start = (Number.parseInt(hash, 16) % 254) + 1;
  for (let offset = 0; offset < 254; offset += 1) {
    const octet = ((start - 1 + offset) % 254) + 1;
    if (!taken.has(octet)) return octet;
  }
  throw new UsageError('NETNS_NO_SUBNET', `every ${SUBNET_PREFIX}.N.0/24 subnet is in use`, {
    actions: ['quorumctl sandbox ls, then sandbox down the netns sandboxes you no longer need'],
  });
}

/** Third octets of 10.213.N.x addresses in `ip -o -4 addr show` output. */
export function takenSubnetOctets(ipAddrOutput: string): Set<number> {
  const pattern = new RegExp(`inet ${SUBNET_PREFIX.replace('.', '\\.')}\\.(\\d+)\\.\\d+/`, 'g');
  return new Set([...ipAddrOutput.matchAll(pattern)].map((match) => Number(match[1])));
}

/** Pure: the network of a sandbox with these members on subnet 10.213.<octet>.0/24. */
export function planNetwork(input: {
  stateDir: string;
  sandbox: string;
  kind: SandboxKind;
  members: readonly string[];
  octet: number;
}): SandboxNetwork {
  const names = networkNames(input.stateDir, input.sandbox);
  const base = `${SUBNET_PREFIX}.${input.octet}`;
  return {
    sandbox: input.sandbox,
    kind: input.kind,
    subnet: `${base}.0/24`,
    bridge: names.bridge,
    bridgeAddress: `${base}.1`,
    members: input.members.map((member, index) => ({
      name: member,
      netns: names.netns(member),
      hostVeth: names.hostVeth(member),
      address: `${base}.${FIRST_MEMBER_HOST + index + 1}`,
    })),
  };
}

/** Adds one more member (a join) on the next free address of the subnet. */
export function planMemberNetwork(
  stateDir: string,
  network: SandboxNetwork,
  member: string,
): MemberNetwork {
  const names = networkNames(stateDir, network.sandbox);
  const base = network.bridgeAddress.slice(0, network.bridgeAddress.lastIndexOf('.'));
  const used = new Set(network.members.map((existing) => existing.address));
  let host = FIRST_MEMBER_HOST + 1;
  while (used.has(`${base}.${host}`)) host += 1;
  if (host > 254)
    throw new UsageError('NETNS_NO_ADDRESS', `subnet ${network.subnet} has no free address`);
  return {
    name: member,
    netns: names.netns(member),
    hostVeth: names.hostVeth(member),
    address: `${base}.${host}`,
  };
}

/** The command line that runs `command` inside a namespace; `ip netns exec` execs, so the PID is the server's. */
export function inNetns(
  netns: string,
  command: string,
  args: readonly string[],
): { command: string; args: string[] } {
  return { command: 'ip', args: ['netns', 'exec', netns, command, ...args] };
}

/** Root, `ip` and `iptables`: without them a clear usage error, before anything is created. */
export function assertNetnsAvailable(
  isRoot: boolean = process.getuid?.() === 0,
  path: string | undefined = process.env.PATH,
): void {
  const missing = ['ip', 'iptables'].filter((tool) => findExecutable(tool, path) === undefined);
  if (isRoot && missing.length === 0) return;
  const problems = [...(isRoot ? [] : ['root']), ...missing.map((tool) => `${tool} on PATH`)];
  throw new UsageError(
    'NETNS_UNAVAILABLE',
    `a --netns sandbox needs ${problems.join(', ')} (it creates namespaces, veths, a bridge and iptables rules)`,
    {
      actions: [
        ...(isRoot ? [] : ['run as root (e.g. sudo -E quorumctl sandbox up NAME --netns)']),
        ...(missing.length > 0 ? ['as root: apt-get install -y iproute2 iptables'] : []),
        'or start the sandbox without --netns (no partition faults, kill and pause still work)',
      ],
      details: { missing: problems },
    },
  );
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a short command; never throws (a missing binary is code 127). */
export function runCommand(
  command: string,
  args: readonly string[],
  timeoutMs = 10_000,
): Promise<CommandResult> {
  return new Promise((resolvePromise) => {
    execFile(command, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code =
        error === null
          ? 0
          : typeof error.code === 'number'
            ? error.code
            : error.code === 'ENOENT'
              ? 127
              : 1;
      resolvePromise({
        code,
        stdout,
        stderr: error !== null && stderr === '' ? error.message : stderr,
      });
    });
  });
}

async function mustRun(command: string, args: readonly string[]): Promise<void> {
  const result = await runCommand(command, args);
  if (result.code !== 0)
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`,
    );
}

/** Picks a free subnet (looking at live interfaces) and plans the network; nothing is created. */
export async function allocateNetwork(input: {
  stateDir: string;
  sandbox: string;
  kind: SandboxKind;
  members: readonly string[];
}): Promise<SandboxNetwork> {
  const addresses = await runCommand('ip', ['-o', '-4', 'addr', 'show']);
  const octet = chooseSubnetOctet(
    networkNames(input.stateDir, input.sandbox).hash,
    takenSubnetOctets(addresses.stdout),
  );
  return planNetwork({ ...input, octet });
}

/** Records the network (before creating it: a crash half-way leaves enough to tear it down) and creates it. */
export async function createNetwork(stateDir: string, network: SandboxNetwork): Promise<void> {
  await writeNetwork(stateDir, network);
  const prefix = network.subnet.split('/')[1] ?? '24';
  // nf_call_iptables 0: with br_netfilter loaded, bridged member traffic would otherwise
  // cross the root namespace's FORWARD chain (policy DROP on Docker hosts).
  await mustRun('ip', ['link', 'add', network.bridge, 'type', 'bridge', 'nf_call_iptables', '0']);
  await mustRun('ip', ['addr', 'add', `${network.bridgeAddress}/${prefix}`, 'dev', network.bridge]);
  await mustRun('ip', ['link', 'set', network.bridge, 'up']);
  await assertSubnetUnshared(network);
  for (const member of network.members) await createMemberNetwork(network, member);
}

/** Namespace, loopback up, veth pair with the inner end renamed eth0, address, into the bridge. */
export async function createMemberNetwork(
  network: SandboxNetwork,
  member: MemberNetwork,
): Promise<void> {
  const prefix = network.subnet.split('/')[1] ?? '24';
  const peer = `${member.hostVeth}p`.slice(-MAX_INTERFACE_NAME);
  const inside = (args: string[]) => mustRun('ip', ['netns', 'exec', member.netns, ...args]);
  await mustRun('ip', ['netns', 'add', member.netns]);
  await inside(['ip', 'link', 'set', 'lo', 'up']);
  await mustRun('ip', ['link', 'add', member.hostVeth, 'type', 'veth', 'peer', 'name', peer]);
  await mustRun('ip', ['link', 'set', peer, 'netns', member.netns]);
  await inside(['ip', 'link', 'set', peer, 'name', 'eth0']);
  await inside(['ip', 'addr', 'add', `${member.address}/${prefix}`, 'dev', 'eth0']);
  await inside(['ip', 'link', 'set', 'eth0', 'up']);
  await mustRun('ip', ['link', 'set', member.hostVeth, 'master', network.bridge]);
  await mustRun('ip', ['link', 'set', member.hostVeth, 'up']);
}

/**
 * A member joining a running netns sandbox (membership changes): its namespace and address on
 * the bridge, recorded in network.json. undefined for a sandbox without --netns. The caller
 * sets MemberSlot.host/netns from it; the manager's launch wraps the command in the namespace.
 */
export async function attachMemberNetwork(
  stateDir: string,
  sandbox: string,
  member: string,
): Promise<MemberNetwork | undefined> {
  const network = await readNetwork(stateDir, sandbox);
  if (network === undefined) return undefined;
  const existing = network.members.find((candidate) => candidate.name === member);
  if (existing !== undefined) return existing;
  const joining = planMemberNetwork(stateDir, network, member);
  // Recorded first: a crash half-way leaves a namespace that down still finds.
  await writeNetwork(stateDir, { ...network, members: [...network.members, joining] });
  await createMemberNetwork(network, joining);
  return joining;
}

/** Removes a member's namespace and veth (after its process stopped) and its record. */
export async function detachMemberNetwork(
  stateDir: string,
  sandbox: string,
  member: string,
): Promise<void> {
  const network = await readNetwork(stateDir, sandbox);
  const leaving = network?.members.find((candidate) => candidate.name === member);
  if (network === undefined || leaving === undefined) return;
  await runCommand('ip', ['netns', 'delete', leaving.netns]);
  await runCommand('ip', ['link', 'delete', leaving.hostVeth]);
  await writeNetwork(stateDir, {
    ...network,
    members: network.members.filter((candidate) => candidate.name !== member),
  });
}

/** Two sandboxes that raced for the same subnet: the later one backs off with a clear error. */
async function assertSubnetUnshared(network: SandboxNetwork): Promise<void> {
  const base = network.bridgeAddress.slice(0, network.bridgeAddress.lastIndexOf('.'));
  const addresses = await runCommand('ip', ['-o', '-4', 'addr', 'show']);
  const others = addresses.stdout
    .split('\n')
    .filter((line) => line.includes(` ${base}.`) && !line.includes(` ${network.bridge} `));
  if (others.length > 0) {
    throw new UsageError(
      'NETNS_SUBNET_TAKEN',
      `subnet ${network.subnet} was taken by another interface while this sandbox started`,
      { actions: ['run the same command again: it picks the next free subnet'] },
    );
  }
}

/**
 * Deletes every namespace, veth and the bridge of the sandbox, whatever is left of them
 * (idempotent; works without network.json, from the derived names). Returns what it deleted.
 * Processes must be stopped first: a namespace with a process in it outlives its deletion.
 */
export async function removeNetwork(
  stateDir: string,
  sandbox: string,
  options: { keepRecord?: boolean } = {},
): Promise<string[]> {
  const names = networkNames(stateDir, sandbox);
  const present = await networkLeftovers(stateDir, sandbox);
  const removed: string[] = [];
  for (const netns of present.namespaces) {
    if ((await runCommand('ip', ['netns', 'delete', netns])).code === 0)
      removed.push(`netns ${netns}`);
  }
  // Veths first, the bridge last, so a failure half-way leaves the bridge to find them by.
  const ordered = [
    ...present.links.filter((link) => link !== names.bridge),
    ...present.links.filter((link) => link === names.bridge),
  ];
  for (const link of ordered) {
    if ((await runCommand('ip', ['link', 'delete', link])).code === 0) removed.push(`link ${link}`);
  }
  // Kept for `sandbox down --keep-data`: restartMembers builds the same network again from it.
  if (options.keepRecord !== true) await rm(networkFile(stateDir, sandbox), { force: true });
  return removed;
}

/**
 * Before starting members of a recorded netns sandbox again: if its namespaces are gone
 * (`sandbox down --keep-data`, a reboot), creates the recorded network again.
 */
export async function ensureNetwork(stateDir: string, sandbox: string): Promise<void> {
  const network = await readNetwork(stateDir, sandbox);
  if (network === undefined) return;
  const present = await networkLeftovers(stateDir, sandbox);
  const complete =
    present.links.includes(network.bridge) &&
    network.members.every((member) => present.namespaces.includes(member.netns));
  if (complete) return;
  await removeNetwork(stateDir, sandbox, { keepRecord: true });
  await createNetwork(stateDir, network);
}

/**
 * \`ip netns exec\` enters the namespace, then execs the server; until then (and for an
 * instant during the exec) /proc/PID/cmdline is ip's or empty, which a liveness check
 * would read as "not our server". Waits until each PID runs its server, or is gone.
 */
export async function waitForNetnsExec(
  members: readonly { pid: number; netns?: string }[],
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = (member: { pid: number }) => {
    try {
      const argv0 = readFileSync(`/proc/${member.pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
      return argv0 === '' || argv0 === 'ip';
    } catch {
      return false; // gone: readiness reports it
    }
  };
  let waiting = members.filter((member) => member.netns !== undefined);
  while (waiting.length > 0 && Date.now() < deadline) {
    waiting = waiting.filter(pending);
    if (waiting.length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The namespaces and links (veths, bridge) of the sandbox that exist right now. */
export async function networkLeftovers(
  stateDir: string,
  sandbox: string,
): Promise<{ namespaces: string[]; links: string[] }> {
  const names = networkNames(stateDir, sandbox);
  const namespaces = (await runCommand('ip', ['netns', 'list'])).stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => names.ownsNetns(name));
  const links = (await runCommand('ip', ['-o', 'link', 'show'])).stdout
    .split('\n')
    .map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1] ?? '')
    .filter((name) => names.ownsVeth(name) || name === names.bridge);
  return { namespaces, links };
}

function networkFile(stateDir: string, sandbox: string): string {
  return join(sandboxLayout(stateDir, sandbox).dir, NETWORK_FILE);
}

/** undefined for a sandbox without --netns (or one whose file is gone). */
export async function readNetwork(
  stateDir: string,
  sandbox: string,
): Promise<SandboxNetwork | undefined> {
  try {
    return JSON.parse(await readFile(networkFile(stateDir, sandbox), 'utf8')) as SandboxNetwork;
  } catch {
    return undefined;
  }
}

/** Atomic, like sandbox.json. */
export async function writeNetwork(stateDir: string, network: SandboxNetwork): Promise<void> {
  const path = networkFile(stateDir, network.sandbox);
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(network, null, 2)}\n`);
  await rename(temp, path);
}
