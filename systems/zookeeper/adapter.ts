/** The ZooKeeper adapter: ensemble status from four-letter words, with the AdminServer as fallback. */
import { assembleClusterStatus } from '../../core/cluster-status.js';
import { describeCause, UsageError, type UnreachableError } from '../../core/errors.js';
import { clusterUnreachable } from '../../core/unreachable.js';
import type { ClusterStatus, MemberError, MemberStatus } from '../../core/model.js';
import type { MemberRef } from '../../core/check/observations.js';
import type {
  AddedMember,
  AddMemberRequest,
  Capability,
  ClusterAdapter,
  ClusterTarget,
  ConnectOptions,
} from '../../core/ports.js';
import { HttpTransportError } from '../transport/http.js';
import { adminCommand, type AdminCommand } from './admin-server.js';
import {
  displayEndpoint,
  FourLetterWordError,
  sendFourLetterWord,
  serverAddress,
  type FourLetterWord,
  type ServerAddress,
} from './four-letter-words.js';
import {
  clusterAttributes,
  hostPortOf,
  memberFromProbe,
  STATUS_WORDS,
  WHITELIST_LINE,
  withZabLag,
  type EndpointProbe,
  type MemberInput,
} from './member-status.js';
import {
  classifyReply,
  parseAdminConfiguration,
  parseAdminMonitor,
  parseAdminServerStats,
  parseAdminVotingView,
  parseAdminZabState,
  parseConf,
  parseMntr,
  parseSrvr,
  type ConfiguredServer,
  type Membership,
  type ServerObservation,
} from './parsers.js';

/** No transferLeader: ZooKeeper has no leader transfer (the generic command offers the restart runbook). */
const CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>(['status', 'membership']);

const PARSERS: Record<FourLetterWord, (text: string) => ServerObservation> = {
  srvr: parseSrvr,
  mntr: parseMntr,
  conf: parseConf,
};

/** What the AdminServer reads in place of each refused word. */
const ADMIN_STAND_INS: Record<FourLetterWord, AdminCommand[]> = {
  srvr: ['server_stats', 'zabstate'],
  mntr: ['monitor'],
  conf: ['voting_view'],
};

const ADMIN_PARSERS: Partial<Record<AdminCommand, (json: unknown) => ServerObservation>> = {
  server_stats: parseAdminServerStats,
  zabstate: parseAdminZabState,
  monitor: parseAdminMonitor,
  voting_view: parseAdminVotingView,
};

type ReachableProbe = Extract<EndpointProbe, { reachable: true }>;

interface AdminServerIdentity {
  monitorUrl: string;
  host: string;
  serverId?: string;
  clientPort?: number;
}

/** The I/O the adapter does, replaceable in tests that replay recorded answers. */
export interface ZooKeeperTransport {
  sendWord: typeof sendFourLetterWord;
  adminCommand: typeof adminCommand;
  now: () => Date;
}

const REAL_TRANSPORT: ZooKeeperTransport = {
  sendWord: sendFourLetterWord,
  adminCommand,
  now: () => new Date(),
};

export function connect(target: ClusterTarget, options: ConnectOptions): ClusterAdapter {
  return new ZooKeeperAdapter(target, options, REAL_TRANSPORT);
}

/** For tests: the adapter over a given transport. */
export function connectWith(
  target: ClusterTarget,
  options: ConnectOptions,
  transport: Partial<ZooKeeperTransport>,
): ClusterAdapter {
  return new ZooKeeperAdapter(target, options, { ...REAL_TRANSPORT, ...transport });
}

class ZooKeeperAdapter implements ClusterAdapter {
  readonly kind = 'zookeeper' as const;
  readonly capabilities = CAPABILITIES;
  private adminServers: Promise<AdminServerIdentity[]> | undefined;

  constructor(
    private readonly target: ClusterTarget,
    private readonly options: ConnectOptions,
    private readonly transport: ZooKeeperTransport,
  ) {}

  /**
   * Probes the given endpoints, reads the ensemble configuration from one that answers
   * `conf`, then probes the servers the endpoints did not name, so one endpoint is enough.
   */
  async status(): Promise<ClusterStatus> {
    const given = await Promise.all(
      [...new Set(this.target.endpoints)].map((endpoint) => this.probe(endpoint)),
    );
    if (!given.some((probe) => probe.reachable)) throw this.unreachable(given);

    const membership = chooseMembership(given);
    const inputs: MemberInput[] = [];
    const matched = new Set<EndpointProbe>();
    if (membership !== undefined) {
      const tls = given.some((probe) => probe.address?.tls === true);
      const forServers = await Promise.all(
        membership.servers.map(async (server) => {
          const probe = matchProbe(server, given) ?? (await this.probeConfigured(server, tls));
          matched.add(probe);
          return { probe, configured: server };
        }),
      );
      inputs.push(...forServers);
    }
    for (const probe of uniqueServers(given)) {
      if (!matched.has(probe)) inputs.push({ probe, unlisted: membership !== undefined });
    }
    this.assertWordsAllowed(inputs.map((input) => input.probe));

    const members = inputs.map(withConfigVersion);
    const status = withZabLag(
      assembleClusterStatus({
        cluster: this.target.name,
        kind: 'zookeeper',
        members,
        observedAt: this.transport.now(),
      }),
    );
    const leaderProbe = inputs.find(
      (input, index) => members[index]?.id === status.leaderId && input.probe.reachable,
    )?.probe;
    const attributes = clusterAttributes(
      leaderProbe?.reachable === true ? leaderProbe.observation : undefined,
      membership,
    );
    return attributes === undefined ? status : { ...status, attributes };
  }

  /** reconfig -add; `learner` and `observer` join as observers. Verifies the new version everywhere. */
  async addMember(request: AddMemberRequest): Promise<AddedMember> {
    const { addServer } = await import('./reconfig.js');
    return addServer(this.target, this.options, request);
  }

  /** reconfig -add of an observer's own spec with the participant role. */
  async promoteMember(member: MemberRef): Promise<void> {
    const { promoteServer } = await import('./reconfig.js');
    await promoteServer(this.target, this.options, member);
  }

  async removeMember(member: MemberRef): Promise<void> {
    const { removeServer } = await import('./reconfig.js');
    await removeServer(this.target, this.options, member);
  }

  async close(): Promise<void> {
    // Every word uses its own short-lived connection: nothing to release.
  }

  private async probe(endpoint: string): Promise<EndpointProbe> {
    let address: ServerAddress;
    try {
      address = serverAddress(endpoint);
    } catch (cause) {
      return { endpoint, reachable: false, error: memberError(cause) };
    }
    const replies = await Promise.allSettled(
      STATUS_WORDS.map((word) => this.transport.sendWord(endpoint, word, this.options)),
    );
    const [srvr] = replies;
    // srvr is the heart of the answer (and ZooKeeper never refuses it): no srvr, no status.
    if (srvr?.status === 'rejected') {
      return { endpoint, address, reachable: false, error: memberError(srvr.reason) };
    }
    const probe: ReachableProbe = {
      endpoint,
      address,
      reachable: true,
      serving: true,
      observation: {},
      refusedWords: [],
    };
    const observations: ServerObservation[] = [];
    for (const [index, word] of STATUS_WORDS.entries()) {
      const reply = replies[index];
      // A lost mntr or conf leaves its fields empty; the member still has a status.
      if (reply?.status !== 'fulfilled') continue;
      const classified = classifyReply(reply.value);
      if (classified.kind === 'not-serving') probe.serving = false;
      else if (classified.kind === 'not-whitelisted') probe.refusedWords.push(word);
      else {
        try {
          observations.push(PARSERS[word](classified.text));
        } catch (cause) {
          if (word === 'srvr') {
            return {
              endpoint,
              address,
              reachable: false,
              error: {
                code: 'BAD_RESPONSE',
                message: `not a ZooKeeper srvr answer (is this a ZooKeeper client port?): ${describeCause(cause)}`,
              },
            };
          }
        }
      }
    }
    // srvr last: where two words report the same fact, srvr's reading wins.
    probe.observation = Object.assign({}, ...observations.reverse()) as ServerObservation;
    if (probe.refusedWords.length > 0 && probe.serving) await this.standIn(probe);
    return probe;
  }

  private async probeConfigured(server: ConfiguredServer, tls: boolean): Promise<EndpointProbe> {
    if (server.clientPort === undefined) {
      return {
        endpoint: `server.${server.id}`,
        reachable: false,
        error: {
          code: 'NO_CLIENT_ADDRESS',
          message: `the ensemble configuration gives server.${server.id} no client address (server.${server.id}=...;HOST:PORT): pass its endpoint`,
        },
      };
    }
    const host = isWildcard(server.clientHost) ? server.host : (server.clientHost ?? server.host);
    const hostPart = host.includes(':') ? `[${host}]` : host;
    return this.probe(`${tls ? 'tls' : 'tcp'}://${hostPart}:${server.clientPort}`);
  }

  /** Reads the refused words' facts from the server's AdminServer, when a monitor URL names it. */
  private async standIn(probe: ReachableProbe): Promise<void> {
    if ((this.target.monitorUrls ?? []).length === 0) return;
    const admin = await this.adminServerFor(probe);
    if (admin === undefined) {
      probe.adminServerProblem = `no monitor URL answers for ${hostPortOf(probe.address)}`;
      return;
    }
    const stillRefused: string[] = [];
    const problems: string[] = [];
    for (const word of probe.refusedWords as FourLetterWord[]) {
      try {
        const observations = await Promise.all(
          ADMIN_STAND_INS[word].map(async (command) => {
            const parse = ADMIN_PARSERS[command];
            const json = await this.transport.adminCommand(admin.monitorUrl, command, this.options);
            return parse === undefined ? {} : parse(json);
          }),
        );
        // The four-letter words' own readings keep priority.
        probe.observation = Object.assign(
          {},
          ...observations,
          probe.observation,
        ) as ServerObservation;
      } catch (cause) {
        stillRefused.push(word);
        problems.push(describeCause(cause));
      }
    }
    if (admin.serverId !== undefined) probe.observation.serverId ??= admin.serverId;
    probe.refusedWords = stillRefused;
    if (problems.length > 0)
      probe.adminServerProblem = `${admin.monitorUrl}: ${problems.join('; ')}`;
  }

  /** Pairs a server with its AdminServer through `configuration` (its client port and ID). */
  private async adminServerFor(probe: ReachableProbe): Promise<AdminServerIdentity | undefined> {
    this.adminServers ??= Promise.all(
      (this.target.monitorUrls ?? []).map(async (monitorUrl): Promise<AdminServerIdentity> => {
        const host = URL.parse(monitorUrl)?.hostname ?? '';
        try {
          const identity = parseAdminConfiguration(
            await this.transport.adminCommand(monitorUrl, 'configuration', this.options),
          );
          return { monitorUrl, host, ...identity };
        } catch {
          return { monitorUrl, host };
        }
      }),
    );
    const all = await this.adminServers;
    const servers = all.filter((server) => server.serverId !== undefined);
    const { serverId } = probe.observation;
    const { host, port } = probe.address;
    const byPort = servers.filter((server) => server.clientPort === port);
    const onHost = servers.filter((server) => sameHost(server.host, host));
    // `configuration` names the plain clientPort only: a secureClientPort endpoint pairs by
    // its place in the list (monitor URLs are given one per member, in endpoint order) or by host.
    const byIndex = all[this.target.endpoints.indexOf(probe.endpoint)];
    return (
      (serverId === undefined ? undefined : servers.find((s) => s.serverId === serverId)) ??
      byPort.find((server) => sameHost(server.host, host)) ??
      (byPort.length === 1 ? byPort[0] : undefined) ??
      (byIndex?.serverId !== undefined && this.target.endpoints.length === all.length
        ? byIndex
        : undefined) ??
      (onHost.length === 1 ? onHost[0] : undefined)
    );
  }

  /**
   * Every server that answered refused words status needs: a status from srvr alone would
   * miss the membership (so quorum could be counted from a partial list), so say exactly
   * what to whitelist instead of showing a half-blind answer.
   */
  private assertWordsAllowed(probes: readonly EndpointProbe[]): void {
    const answered = probes.filter((probe): probe is ReachableProbe => probe.reachable);
    if (answered.length === 0 || answered.some((probe) => probe.refusedWords.length === 0)) return;
    const refused = STATUS_WORDS.filter((word) =>
      answered.some((probe) => probe.refusedWords.includes(word)),
    );
    const adminProblems = answered.flatMap((probe) =>
      probe.adminServerProblem === undefined ? [] : [probe.adminServerProblem],
    );
    throw new UsageError(
      'FOUR_LETTER_WORDS_DISABLED',
      `ZooKeeper cluster "${this.target.name}": every server refused the four-letter word${refused.length > 1 ? 's' : ''} ${refused.join(', ')} (not in 4lw.commands.whitelist)`,
      {
        actions: [
          `add to zoo.cfg on every server and restart it: ${WHITELIST_LINE}`,
          `or start each server's JVM with -Dzookeeper.${WHITELIST_LINE}`,
          'or let quorumctl read the AdminServer instead: quorumctl config add-cluster NAME --kind zookeeper --endpoints HOST:2181,... --monitor-urls http://HOST:8080/commands,...',
        ],
        details: {
          endpoints: answered.map((probe) => displayEndpoint(probe.address)),
          refusedWords: refused,
          ...(adminProblems.length > 0 && { adminServer: adminProblems }),
        },
      },
    );
  }

  private unreachable(probes: EndpointProbe[]): UnreachableError {
    return clusterUnreachable({
      system: 'ZooKeeper',
      cluster: this.target.name,
      noun: 'server',
      // `zookeeper://h:p` arrives as http://h:p: name the TCP endpoint that was really dialled.
      attempts: probes.map((probe) => {
        const endpoint =
          probe.address === undefined ? probe.endpoint : displayEndpoint(probe.address);
        return probe.reachable ? { endpoint } : { endpoint, error: probe.error };
      }),
      actions: [
        "check that the endpoints are the servers' client ports (2181 by default) and that the servers are running",
        'for a secureClientPort use zookeeper+https:// endpoints with --cacert (and --cert/--key)',
      ],
    });
  }
}

/**
 * The member with the configuration version its own server reports (`conf`), so a change's
 * verify-config step (and the operator) sees which server has not learned it yet.
 */
function withConfigVersion(input: MemberInput): MemberStatus {
  const member = memberFromProbe(input);
  const version = input.probe.reachable ? input.probe.observation.membership?.version : undefined;
  if (version === undefined || !member.reachable) return member;
  return { ...member, attributes: { ...member.attributes, configVersion: `0x${version}` } };
}

/**
 * The newest configuration any server reported (the highest version; a reconfig may not
 * have reached everyone yet). One read from conf beats one from voting_view, which has no
 * version and leaves observers out.
 */
function chooseMembership(probes: readonly EndpointProbe[]): Membership | undefined {
  let best: Membership | undefined;
  for (const probe of probes) {
    const membership = probe.reachable ? probe.observation.membership : undefined;
    if (membership === undefined || membership.servers.length === 0) continue;
    if (best === undefined || versionOf(membership) > versionOf(best)) best = membership;
  }
  return best;
}

function versionOf(membership: Membership): bigint {
  return membership.version === undefined ? -1n : BigInt(`0x${membership.version}`);
}

/** The given endpoint's probe for a configured server: by the ID it reported, else by address. */
function matchProbe(
  server: ConfiguredServer,
  probes: readonly EndpointProbe[],
): EndpointProbe | undefined {
  return (
    probes.find((probe) => probe.reachable && probe.observation.serverId === server.id) ??
    probes.find(
      (probe) =>
        !(probe.reachable && probe.observation.serverId !== undefined) &&
        probe.address !== undefined &&
        probe.address.port === server.clientPort &&
        (sameHost(probe.address.host, server.clientHost ?? server.host) ||
          (isWildcard(server.clientHost) && sameHost(probe.address.host, server.host))),
    )
  );
}

/** Two endpoints that reached the same server (same reported ID) count once. */
function uniqueServers(probes: readonly EndpointProbe[]): EndpointProbe[] {
  const seen = new Set<string>();
  return probes.filter((probe) => {
    const id = probe.reachable ? probe.observation.serverId : undefined;
    if (id === undefined) return true;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function sameHost(a: string, b: string): boolean {
  const canonical = (host: string) =>
    host.toLowerCase() === 'localhost' || host === '::1' ? '127.0.0.1' : host.toLowerCase();
  return canonical(a) === canonical(b);
}

function isWildcard(host: string | undefined): boolean {
  return host === '0.0.0.0' || host === '::' || host === '0:0:0:0:0:0:0:0';
}

function memberError(cause: unknown): MemberError {
  if (cause instanceof FourLetterWordError || cause instanceof HttpTransportError) {
    return { code: cause.code, message: cause.message };
  }
  return { code: 'UNKNOWN', message: describeCause(cause) };
}
