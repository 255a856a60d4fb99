/** Turns the servers' monitoring answers into the JetStream meta group's members (pure). */
import type { Attributes, MemberStatus } from '../../core/model.js';
import type { ClusterInfo, PeerInfo } from './monitoring-types.js';
import { natsPeerId } from './peer-id.js';
import {
  jetStreamEnabled,
  leaderNameOf,
  metaOf,
  serverNameOf,
  type ReachedServer,
  type ServerProbe,
  type UnreachedServer,
} from './server-probe.js';

/**
 * A meta peer the leader has not heard from for this long is taken as gone. Peers answer
 * the leader's heartbeat every second; nats-server itself waits 10 s before it flips
 * `current`, and much longer before `offline`, which is too late for an operator.
 */
export const LOST_CONTACT_SECONDS = 3;

/** How nats-server names a peer whose server it has not heard from since it started. */
const UNKNOWN_SERVER_NAME = 'Server name unknown at this time';

export interface MetaGroupStatus {
  members: MemberStatus[];
  /** The NATS cluster's name (`cluster { name: ... }`). */
  clusterName?: string;
  /** The meta group's configured size; shrinks when a server is removed from it. */
  clusterSize?: number;
  /** The meta leader whose own answer was read, if any. */
  metaLeader?: string;
}

/** The meta leader's own view: the only one with every peer's current/offline/lag. */
interface LeaderView {
  name: string;
  /** The leader's replicas by Raft peer ID (a server it cannot name yet is listed by ID). */
  peers: Map<string, PeerInfo>;
}

export function metaGroupStatus(probes: readonly ServerProbe[]): MetaGroupStatus {
  const reached = uniqueServers(probes.filter((probe): probe is ReachedServer => probe.reachable));
  const unreached = probes.filter((probe): probe is UnreachedServer => !probe.reachable);
  const leader = chooseMetaLeader(reached);
  const view = leader === undefined ? undefined : leaderView(leader);
  const clusterSize =
    (leader === undefined ? undefined : metaOf(leader)?.cluster_size) ??
    largestClusterSize(reached);

  const members = reached.map((probe) => reachedMember(probe, view));
  members.push(
    ...(view === undefined
      ? membersWithoutLeaderView(reached, unreached, members, clusterSize)
      : membersFromLeaderView(view, reached, unreached)),
  );

  const status: MetaGroupStatus = { members };
  const clusterName =
    (leader === undefined ? undefined : metaOf(leader)?.name) ??
    reached.map((probe) => metaOf(probe)?.name ?? probe.varz.cluster?.name).find(isDefined);
  if (clusterName !== undefined && clusterName !== '') status.clusterName = clusterName;
  if (clusterSize !== undefined) status.clusterSize = clusterSize;
  if (view !== undefined) status.metaLeader = view.name;
  return status;
}

/** The meta leader answered: its replica list is the membership, its word their state. */
function membersFromLeaderView(
  view: LeaderView,
  reached: readonly ReachedServer[],
  unreached: readonly UnreachedServer[],
): MemberStatus[] {
  const reachedIds = new Set(reached.map((probe) => natsPeerId(serverNameOf(probe))));
  const unprobed = [...view.peers.entries()]
    .filter(([id]) => !reachedIds.has(id))
    .map(([, peer]) => peer);
  const pairs = pairUnanswered(unprobed, unreached, (peer) => !inContact(peer));
  const members = unprobed.map((peer) => {
    const probe = pairs.get(peer);
    return probe === undefined ? unprobedPeer(peer, view) : unansweredPeer(peer, probe);
  });
  const paired = new Set([...pairs.values()]);
  // Every meta peer is accounted for: an endpoint left over is not in the meta group.
  for (const probe of unreached.filter((candidate) => !paired.has(candidate)))
    members.push(unplacedEndpoint(probe, false));
  return members;
}

/**
 * No meta leader answered (there is none, or its endpoint was not given or is down). The
 * followers still name servers: the leader they follow and the peers of the streams they
 * host. Those are placed as well as the evidence allows, and the vote count is kept at the
 * meta group's size with unnamed stand-ins, so quorum arithmetic stays right.
 */
function membersWithoutLeaderView(
  reached: readonly ReachedServer[],
  unreached: readonly UnreachedServer[],
  reachedMembers: readonly MemberStatus[],
  clusterSize: number | undefined,
): MemberStatus[] {
  const reachedNames = new Set(reached.map(serverNameOf));
  const namedLeaders = new Set(
    reached.map((probe) => leaderNameOf(metaOf(probe))).filter(isDefined),
  );
  const named = [...new Set([...namedLeaders, ...serverNamesInGroups(reached)])].filter(
    (name) => !reachedNames.has(name),
  );
  const pairs = pairUnanswered(named, unreached, () => false);
  let slots =
    clusterSize === undefined
      ? Infinity
      : clusterSize - reachedMembers.filter((member) => member.voter).length;
  const takeSlot = (): boolean => {
    if (slots <= 0) return false;
    slots -= 1;
    return true;
  };
  const routedToAll = clusterSize !== undefined && mostRoutes(reached) >= clusterSize - 1;
  const members: MemberStatus[] = [];
  for (const name of named) {
    const probe = pairs.get(name);
    const member =
      probe === undefined
        ? namedUnprobed(name, namedLeaders.has(name), routedToAll, reached)
        : { ...namedBase(name), endpoint: probe.endpoint, error: probe.error };
    member.voter = takeSlot();
    members.push(member);
  }
  const paired = new Set([...pairs.values()]);
  for (const probe of unreached.filter((candidate) => !paired.has(candidate)))
    members.push(unplacedEndpoint(probe, takeSlot()));
  if (clusterSize !== undefined)
    for (let ordinal = 1; slots > 0; ordinal += 1, slots -= 1)
      members.push(unnamedPeer(ordinal, clusterSize, routedToAll));
  return members;
}

/** Seconds since the meta leader last heard from the peer, to a tenth. */
export function lastSeenSeconds(peer: PeerInfo): number | undefined {
  return peer.active === undefined ? undefined : Math.round(peer.active / 1e8) / 10;
}

/** Whether the meta leader still hears from the peer (see LOST_CONTACT_SECONDS). */
export function inContact(peer: PeerInfo): boolean {
  return peer.offline !== true && (lastSeenSeconds(peer) ?? 0) <= LOST_CONTACT_SECONDS;
}

/**
 * The server that names itself meta leader. Two may while an old leader has not yet
 * noticed it was replaced; NATS 2.9 shows no term to tell them apart, so the one most
 * servers follow wins (then the first by name).
 */
function chooseMetaLeader(reached: readonly ReachedServer[]): ReachedServer | undefined {
  const claimants = reached.filter((probe) => leaderNameOf(metaOf(probe)) === serverNameOf(probe));
  const followers = (name: string) =>
    reached.filter((probe) => leaderNameOf(metaOf(probe)) === name).length;
  return claimants.sort(
    (a, b) =>
      followers(serverNameOf(b)) - followers(serverNameOf(a)) ||
      serverNameOf(a).localeCompare(serverNameOf(b)),
  )[0];
}

function leaderView(leader: ReachedServer): LeaderView {
  const name = serverNameOf(leader);
  const peers = new Map<string, PeerInfo>();
  for (const peer of metaOf(leader)?.replicas ?? []) peers.set(peerIdOf(peer), peer);
  return { name, peers };
}

function peerIdOf(peer: PeerInfo): string {
  return peer.peer ?? natsPeerId(peer.name);
}

function reachedMember(probe: ReachedServer, view: LeaderView | undefined): MemberStatus {
  const name = serverNameOf(probe);
  const meta = metaOf(probe);
  const enabled = jetStreamEnabled(probe);
  const metaLeader = leaderNameOf(meta);
  const id = natsPeerId(name);
  const peer = view?.peers.get(id);
  const inMetaGroup = view === undefined ? enabled : view.name === name || peer !== undefined;
  const member: MemberStatus = {
    id,
    name,
    endpoint: probe.endpoint,
    role: !enabled
      ? 'unknown'
      : meta === undefined || metaLeader === name
        ? 'leader' // without a meta group, a JetStream server is a group of one
        : metaLeader === undefined
          ? 'unknown'
          : 'follower',
    voter: inMetaGroup,
    reachable: true,
    alarms: [],
  };
  if (meta === undefined && enabled) member.leaderId = member.id;
  else if (metaLeader !== undefined) member.leaderId = meta?.peer ?? natsPeerId(metaLeader);
  if (probe.varz.version !== undefined) member.version = probe.varz.version;
  const storageBytes = probe.varz.jetstream?.stats?.storage ?? probe.jsz?.storage;
  const maxStorageBytes =
    probe.varz.jetstream?.config?.max_storage ?? probe.jsz?.config?.max_storage;
  // JetStream refuses writes once file storage reaches max_storage, as etcd does at its quota.
  if (storageBytes !== undefined) member.dbSizeBytes = storageBytes;
  if (maxStorageBytes !== undefined && maxStorageBytes > 0) member.quotaBytes = maxStorageBytes;

  if (view !== undefined && (view.name === name || peer !== undefined))
    member.lagEntries = peer?.lag ?? 0;
  const attributes: Attributes = {
    ...metaAttributes(view?.name === name ? 'leader' : peer),
    ...(probe.jsz?.streams !== undefined && { streams: probe.jsz.streams }),
    ...(probe.jsz?.consumers !== undefined && { consumers: probe.jsz.consumers }),
  };
  const routes = distinctRoutes(probe);
  if (routes !== undefined) attributes.routes = routes;
  if (Object.keys(attributes).length > 0) member.attributes = attributes;

  const reported = [
    ...(probe.healthz !== undefined && probe.healthz.status !== 'ok'
      ? [probe.healthz.error ?? `/healthz: ${probe.healthz.status ?? 'not ok'}`]
      : []),
    ...(!enabled ? ['JetStream is not enabled on this server'] : []),
    ...(enabled && !inMetaGroup
      ? [`not in the meta group of leader ${view?.name ?? '?'} (removed from it?)`]
      : []),
    ...(peer !== undefined && !inContact(peer)
      ? [
          `meta leader ${view?.name ?? '?'} has not heard from it for ${lastSeenSeconds(peer) ?? '?'} s`,
        ]
      : []),
    ...probe.problems,
  ];
  if (reported.length > 0) member.reportedErrors = reported;
  return member;
}

/** A meta peer none of the endpoints is: what the meta leader says is all there is. */
function unprobedPeer(peer: PeerInfo, view: LeaderView): MemberStatus {
  const member = peerBase(peer);
  const notProbed = 'not probed (no endpoint given for it)';
  if (inContact(peer)) {
    member.reachable = true;
    member.role = 'follower';
    member.leaderId = natsPeerId(view.name);
    member.lagEntries = peer.lag ?? 0;
    member.reportedErrors = [`${notProbed}: state as meta leader ${view.name} sees it`];
  } else {
    member.error = {
      code: peer.offline === true ? 'OFFLINE' : 'LOST_CONTACT',
      message: `${notProbed}; meta leader ${view.name} ${
        peer.offline === true ? 'reports it offline' : 'has lost contact with it'
      }, last heard ${lastSeenSeconds(peer) ?? '?'} s ago`,
    };
  }
  return member;
}

/** A meta peer matched to an endpoint that did not answer: our own failure is the reason. */
function unansweredPeer(peer: PeerInfo, probe: UnreachedServer): MemberStatus {
  return { ...peerBase(peer), endpoint: probe.endpoint, error: probe.error };
}

function peerBase(peer: PeerInfo): MemberStatus {
  const member: MemberStatus = {
    id: peerIdOf(peer),
    name: peer.name,
    endpoint: '',
    role: 'unknown',
    voter: true,
    reachable: false,
    alarms: [],
  };
  const attributes = metaAttributes(peer);
  if (Object.keys(attributes).length > 0) member.attributes = attributes;
  return member;
}

/** An endpoint that did not answer and that no meta peer could be matched with. */
function unplacedEndpoint(probe: UnreachedServer, voter: boolean): MemberStatus {
  return {
    id: probe.endpoint,
    name: hostPortOf(probe.endpoint),
    endpoint: probe.endpoint,
    role: 'unknown',
    voter,
    reachable: false,
    error: probe.error,
    alarms: [],
  };
}

/** A server the followers name but no endpoint reached. */
function namedUnprobed(
  name: string,
  followedAsLeader: boolean,
  routedToAll: boolean,
  reached: readonly ReachedServer[],
): MemberStatus {
  const member = namedBase(name);
  const notProbed = 'not probed (no endpoint given for it)';
  const leaders = [...new Set(reached.map((probe) => leaderNameOf(metaOf(probe))))];
  const [onlyLeader] = leaders;
  if (followedAsLeader) {
    // Followers stop naming a leader a few seconds after they lose it: their word is recent.
    const followers = reached.filter((probe) => leaderNameOf(metaOf(probe)) === name);
    member.reachable = true;
    member.role = 'leader';
    member.leaderId = member.id;
    member.reportedErrors = [
      `${notProbed}: ${followers.map(serverNameOf).join(', ')} follow it as meta leader`,
    ];
  } else if (routedToAll) {
    member.reachable = true;
    if (leaders.length === 1 && onlyLeader !== undefined) {
      member.role = 'follower';
      member.leaderId = natsPeerId(onlyLeader);
    }
    member.reportedErrors = [`${notProbed}: hosts streams, and every peer is routed`];
  } else {
    member.error = {
      code: 'NOT_PROBED',
      message: `${notProbed}, and no meta leader answered to vouch for it`,
    };
  }
  return member;
}

function namedBase(name: string): MemberStatus {
  return {
    id: natsPeerId(name),
    name,
    endpoint: '',
    role: 'unknown',
    voter: true,
    reachable: false,
    alarms: [],
  };
}

/**
 * Stands for a meta peer nobody could name, so quorum counts the whole group. Reachable
 * when every peer has a route to an answering server (the only evidence left).
 */
function unnamedPeer(ordinal: number, clusterSize: number, routedToAll: boolean): MemberStatus {
  const unnamed = `the meta group has ${clusterSize} members; no meta leader answered to name this one`;
  const member: MemberStatus = {
    id: `unknown-${ordinal}`,
    name: `(unnamed peer ${ordinal})`,
    endpoint: '',
    role: 'unknown',
    voter: true,
    reachable: routedToAll,
    alarms: [],
  };
  if (routedToAll) member.reportedErrors = [`not probed: ${unnamed}; every peer is routed`];
  else member.error = { code: 'UNKNOWN_PEER', message: `not probed: ${unnamed}` };
  return member;
}

/** Server names the answering servers' stream and consumer groups mention. */
function serverNamesInGroups(reached: readonly ReachedServer[]): string[] {
  const names = new Set<string>();
  const add = (cluster: ClusterInfo | undefined) => {
    const leader = leaderNameOf(cluster);
    if (leader !== undefined) names.add(leader);
    for (const peer of cluster?.replicas ?? []) names.add(peer.name);
  };
  for (const probe of reached)
    for (const account of probe.jsz?.account_details ?? [])
      for (const stream of account.stream_detail ?? []) {
        add(stream.cluster);
        for (const consumer of stream.consumer_detail ?? []) add(consumer.cluster);
      }
  // A server heard of by ID only is listed under this placeholder: it names nobody.
  return [...names].filter((name) => !name.startsWith(UNKNOWN_SERVER_NAME)).sort();
}

function mostRoutes(reached: readonly ReachedServer[]): number {
  return Math.max(0, ...reached.map((probe) => distinctRoutes(probe) ?? 0));
}

function metaAttributes(peer: PeerInfo | 'leader' | undefined): Attributes {
  if (peer === undefined) return {};
  if (peer === 'leader') return { current: true };
  const seen = lastSeenSeconds(peer);
  return { current: peer.current, ...(seen !== undefined && { lastSeenSeconds: seen }) };
}

/**
 * Which unanswered endpoint is which unprobed peer. Only a match by elimination is
 * certain: one peer and one endpoint left, or of several peers exactly one known to be
 * down. With more, the endpoints stay apart (and out of the vote count) rather than guessed.
 */
function pairUnanswered<Peer>(
  unprobed: readonly Peer[],
  unreached: readonly UnreachedServer[],
  knownDown: (peer: Peer) => boolean,
): Map<Peer, UnreachedServer> {
  const pairs = new Map<Peer, UnreachedServer>();
  const [onlyEndpoint] = unreached;
  if (onlyEndpoint === undefined || unreached.length !== 1) return pairs;
  const down = unprobed.filter(knownDown);
  const [peer] = unprobed.length === 1 ? unprobed : down.length === 1 ? down : [];
  if (peer !== undefined) pairs.set(peer, onlyEndpoint);
  return pairs;
}

function uniqueServers(reached: readonly ReachedServer[]): ReachedServer[] {
  const seen = new Set<string>();
  return reached.filter((probe) => {
    const name = serverNameOf(probe);
    if (seen.has(name)) return false;
    seen.add(name);
    return true;
  });
}

function largestClusterSize(reached: readonly ReachedServer[]): number | undefined {
  const sizes = reached.flatMap((probe) => {
    const size = metaOf(probe)?.cluster_size;
    return size === undefined || size <= 0 ? [] : [size];
  });
  return sizes.length === 0 ? undefined : Math.max(...sizes);
}

/** Route peers, counted by server ID: 2.10 pools three connections per peer. */
function distinctRoutes(probe: ReachedServer): number | undefined {
  const routes = probe.routez?.routes;
  if (routes === undefined) return probe.routez?.num_routes;
  if (routes === null) return 0;
  return new Set(routes.map((route, index) => route.remote_id ?? `#${index}`)).size;
}

function hostPortOf(endpoint: string): string {
  const url = URL.parse(endpoint);
  return url === null ? endpoint : url.host;
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined && value !== '';
}
