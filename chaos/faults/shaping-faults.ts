/**
 * Latency and loss on the peer traffic of netns sandbox members, through userspace proxies on
 * the bridge address: DNAT rules in the namespaces send peer connections to a proxy, which
 * forwards to the real member. Connections opened before the fault are reset once (they would
 * bypass the proxy); the members reconnect through it. The proxies live in the injecting
 * process: if it dies, peer traffic of the faulted members is refused until `chaos heal`.
 */
import { UsageError } from '../../core/errors.js';
import type { SandboxKind } from '../../sandbox/types.js';
import { requireMembers, requireNetns, requireSomeMembers, type FaultDriver } from './driver.js';
import { deleteTaggedRules, insertRules, type NetnsRule } from './iptables.js';
import type { NetMember } from './network-faults.js';
import { NO_TOXICS, TcpProxy, type ProxyToxics } from './proxy.js';
import type { FaultRecord, FaultSpec } from './types.js';

/** Ports members use to talk to each other (clients keep their direct path). */
export const PEER_PORTS: Record<SandboxKind, readonly string[]> = {
  etcd: ['peer'],
  zookeeper: ['quorum', 'election'],
  nats: ['cluster'],
};

const MAX_LATENCY_MS = 60_000;

/** A member port whose incoming connections go through a proxy, and from which namespaces. */
export interface ProxiedPort {
  member: string;
  host: string;
  port: number;
  /** Namespaces whose connections to host:port are redirected. */
  fromNetns: string[];
}

export interface ShapedMember extends NetMember {
  ports: Record<string, number>;
}

/**
 * Pure: every peer port a faulted member's traffic crosses. Connections to a faulted member
 * come from every other namespace; connections from a faulted member to a healthy one come
 * from the faulted members' namespaces only. Each connection crosses one proxy, so each
 * direction is delayed once.
 */
export function proxiedPorts(
  members: readonly ShapedMember[],
  faulted: readonly string[],
  peerPortNames: readonly string[],
): ProxiedPort[] {
  const faultedNetns = members.filter((m) => faulted.includes(m.name)).map((m) => m.netns);
  return members.flatMap((member) => {
    const from = faulted.includes(member.name)
      ? members.filter((other) => other.name !== member.name).map((other) => other.netns)
      : faultedNetns;
    return peerPortNames
      .map((name) => member.ports[name])
      .filter((port): port is number => port !== undefined)
      .map((port) => ({ member: member.name, host: member.host, port, fromNetns: from }));
  });
}

/** Pure: DNAT to the proxy, and a reset for connections that were open before (they skip NAT). */
export function redirectRules(
  proxied: ProxiedPort,
  proxyHost: string,
  proxyPort: number,
): NetnsRule[] {
  const match = ['-p', 'tcp', '-d', `${proxied.host}/32`, '--dport', String(proxied.port)];
  return proxied.fromNetns.flatMap((netns): NetnsRule[] => [
    {
      netns,
      table: 'nat',
      chain: 'OUTPUT',
      match,
      action: ['-j', 'DNAT', '--to-destination', `${proxyHost}:${proxyPort}`],
    },
    // filter/OUTPUT sees the address after DNAT: only pre-fault direct connections match.
    {
      netns,
      table: 'filter',
      chain: 'OUTPUT',
      match,
      action: ['-j', 'REJECT', '--reject-with', 'tcp-reset'],
    },
  ]);
}

export function toxicsOf(spec: FaultSpec): ProxyToxics {
  if (spec.kind === 'latency') {
    const latencyMs = spec.latencyMs ?? 0;
    if (!Number.isFinite(latencyMs) || latencyMs <= 0 || latencyMs > MAX_LATENCY_MS) {
      throw new UsageError('FAULT_SPEC_INVALID', `latency must be 1-${MAX_LATENCY_MS} ms`, {
        actions: ['e.g. --latency 200ms'],
      });
    }
    return { ...NO_TOXICS, latencyMs };
  }
  const lossPercent = spec.lossPercent ?? 0;
  if (!Number.isFinite(lossPercent) || lossPercent <= 0 || lossPercent > 100) {
    throw new UsageError('FAULT_SPEC_INVALID', 'loss must be more than 0 and at most 100 percent', {
      actions: ['e.g. --loss 20'],
    });
  }
  return { ...NO_TOXICS, lossPercent, latencyMs: spec.latencyMs ?? 0 };
}

/** Proxies this process runs, by fault id. */
const runningProxies = new Map<string, TcpProxy[]>();

function shapingDriver(): FaultDriver {
  return {
    async plan(spec, target, id) {
      requireSomeMembers(spec);
      requireMembers(target, spec.members);
      const { network, members } = requireNetns(target, spec);
      const toxics = toxicsOf(spec);
      const ports = proxiedPorts(members, spec.members, PEER_PORTS[target.sandbox.kind]);
      const proxies: TcpProxy[] = [];
      runningProxies.set(id, proxies);
      const rules: NetnsRule[] = [];
      const listening: { listen: string; target: string }[] = [];
      try {
        for (const proxied of ports) {
          const proxy = new TcpProxy({
            listenHost: network.bridgeAddress,
            targetHost: proxied.host,
            targetPort: proxied.port,
            toxics,
          });
          proxies.push(proxy);
          const address = await proxy.start();
          listening.push({
            listen: `${address.host}:${address.port}`,
            target: `${proxied.host}:${proxied.port}`,
          });
          rules.push(...redirectRules(proxied, address.host, address.port));
        }
      } catch (cause) {
        await releaseProxies(id);
        throw cause;
      }
      return {
        namespaces: [...new Set(rules.map((rule) => rule.netns))],
        rules,
        proxies: listening,
        toxics,
      };
    },
    async apply(record) {
      await insertRules(recordedRules(record), record.id);
    },
    async undo(record) {
      const namespaces = record.undo.namespaces;
      await deleteTaggedRules(
        Array.isArray(namespaces) ? (namespaces as string[]) : [],
        ['nat', 'filter'],
        record.id,
      );
    },
    release: releaseProxies,
  };
}

async function releaseProxies(id: string): Promise<void> {
  const proxies = runningProxies.get(id) ?? [];
  runningProxies.delete(id);
  await Promise.all(proxies.map((proxy) => proxy.close()));
}

function recordedRules(record: FaultRecord): NetnsRule[] {
  const rules = record.undo.rules;
  return Array.isArray(rules) ? (rules as NetnsRule[]) : [];
}

export const latencyDriver = shapingDriver();
export const lossDriver = shapingDriver();
