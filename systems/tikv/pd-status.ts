/** Turns PD answers into PD members (the control quorum), store counts and a region summary (pure). */
import { countGroups, worstGroups } from '../../core/groups.js';
import type {
  Attributes,
  MemberError,
  MemberStatus,
  RaftGroupStatus,
  RaftGroupSummary,
} from '../../core/model.js';
import type {
  PdHealthEntry,
  PdId,
  PdMember,
  PdMembersResponse,
  PdPeer,
  PdRegion,
  PdStoreInfo,
} from './pd-types.js';

/** What asking one given endpoint for `/health` gave. */
export type PdEndpointProbe =
  | { endpoint: string; answered: true; health?: PdHealthEntry[] }
  | { endpoint: string; answered: false; error: MemberError };

export interface PdMemberInputs {
  probes: PdEndpointProbe[];
  members?: PdMembersResponse;
  /** The first health list any endpoint returned (PD checks every member for it). */
  health?: PdHealthEntry[];
}

export function idOf(value: PdId | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

/**
 * One MemberStatus per PD member. A member is reachable when we reached it ourselves, or,
 * for members we did not ask, when PD's own health check of it passed.
 */
export function pdMemberStatuses(inputs: PdMemberInputs): MemberStatus[] {
  const listed: PdMember[] =
    inputs.members?.members ??
    inputs.health?.map((entry) => ({
      ...(entry.name !== undefined && { name: entry.name }),
      ...(entry.member_id !== undefined && { member_id: entry.member_id }),
      ...(entry.client_urls !== undefined && { client_urls: entry.client_urls }),
    })) ??
    [];
  if (listed.length === 0) return inputs.probes.map(memberFromProbeOnly);

  const leaderId = idOf(inputs.members?.leader?.member_id);
  const healthById = new Map(
    (inputs.health ?? []).map((entry) => [idOf(entry.member_id) ?? '', entry] as const),
  );
  return listed.map((member) => {
    const id = idOf(member.member_id) ?? '0';
    const urls = member.client_urls ?? [];
    const probe = inputs.probes.find((candidate) =>
      urls.some((url) => sameEndpoint(url, candidate.endpoint)),
    );
    const status: MemberStatus = {
      id,
      name: member.name !== undefined && member.name !== '' ? member.name : id,
      endpoint: probe?.endpoint ?? urls[0] ?? '',
      role: 'unknown',
      voter: true,
      reachable: false,
      alarms: [],
    };
    if (member.binary_version !== undefined) status.version = member.binary_version;
    if (member.leader_priority !== undefined)
      status.attributes = { leaderPriority: member.leader_priority };

    const error = unreachableReason(probe, healthById.get(id), inputs.health !== undefined);
    if (error !== undefined) return { ...status, error };
    status.reachable = true;
    if (leaderId !== undefined) status.role = id === leaderId ? 'leader' : 'follower';
    return status;
  });
}

function unreachableReason(
  probe: PdEndpointProbe | undefined,
  health: PdHealthEntry | undefined,
  healthKnown: boolean,
): MemberError | undefined {
  if (probe !== undefined) return probe.answered ? undefined : probe.error;
  if (health?.health === true) return undefined;
  if (health !== undefined) {
    return {
      code: 'UNHEALTHY',
      message: 'PD /health: this member failed the health check of the PD that answered',
    };
  }
  return healthKnown
    ? { code: 'NOT_CHECKED', message: 'PD /health did not list this member' }
    : {
        code: 'HEALTH_UNKNOWN',
        message: 'PD /health could not be read and this member was not among the endpoints given',
      };
}

/** Nothing but the endpoints is known: each answering endpoint stands for one member. */
function memberFromProbeOnly(probe: PdEndpointProbe): MemberStatus {
  const status: MemberStatus = {
    id: probe.endpoint,
    name: probe.endpoint,
    endpoint: probe.endpoint,
    role: 'unknown',
    voter: true,
    reachable: probe.answered,
    alarms: [],
  };
  if (!probe.answered) status.error = probe.error;
  return status;
}

function sameEndpoint(a: string, b: string): boolean {
  const normalize = (url: string) =>
    url.replace(/\/+$/, '').replace('://localhost:', '://127.0.0.1:').toLowerCase();
  return normalize(a) === normalize(b);
}

/** Store states that mean PD has not heard from the store recently (its peers cannot lead). */
const UNAVAILABLE_STORE_STATES = new Set(['Disconnected', 'Down', 'Tombstone']);

export function storeStateOf(store: PdStoreInfo): string {
  if (store.store?.state_name !== undefined) return store.store.state_name;
  return ['Up', 'Offline', 'Tombstone'][store.store?.state ?? 0] ?? 'Up';
}

/** Stores by state: the cluster attributes an operator reads first. */
export function storeAttributes(stores: readonly PdStoreInfo[]): Attributes {
  const count = (state: string) => stores.filter((store) => storeStateOf(store) === state).length;
  return {
    storesUp: count('Up'),
    storesDisconnected: count('Disconnected'),
    storesDown: count('Down'),
    storesOffline: count('Offline'),
  };
}

/** IDs of stores PD has lost contact with: their regions are read to find leaderless ones. */
export function unavailableStoreIds(stores: readonly PdStoreInfo[]): string[] {
  return stores
    .filter((store) => UNAVAILABLE_STORE_STATES.has(storeStateOf(store)))
    .flatMap((store) => {
      const id = idOf(store.store?.id);
      return id === undefined ? [] : [id];
    });
}

export interface RegionInputs {
  /** `/regions/count`; the problem lists alone when PD did not answer it. */
  regionCount?: number;
  /** Every region any check list or unavailable store named; duplicates are fine. */
  problemRegions: readonly PdRegion[];
  stores: readonly PdStoreInfo[];
  /** `max-replicas` of `/config/replicate` (3 by default). */
  maxReplicas?: number;
  worstCount?: number;
}

/**
 * Regions as Raft groups. PD keeps the last leader a region reported, so a region whose
 * leader sits on a store PD has lost is counted leaderless: no live replica is leading it.
 */
export function regionSummary(inputs: RegionInputs): RaftGroupSummary {
  const storesById = new Map(
    inputs.stores.map((store) => [idOf(store.store?.id) ?? '', store] as const),
  );
  const seen = new Set<string>();
  const groups: RaftGroupStatus[] = [];
  for (const region of inputs.problemRegions) {
    const id = idOf(region.id);
    if (id === undefined || seen.has(id)) continue;
    seen.add(id);
    const group = regionGroup(region, storesById, inputs.maxReplicas);
    if (group.leader === undefined || group.healthyReplicas < group.replicas) groups.push(group);
  }
  const counts = countGroups(groups);
  const total = Math.max(inputs.regionCount ?? 0, groups.length);
  return {
    ...counts,
    total,
    byType: [{ type: 'region', ...counts, total }],
    worst: worstGroups(groups, inputs.worstCount),
  };
}

export function regionGroup(
  region: PdRegion,
  storesById: ReadonlyMap<string, PdStoreInfo>,
  maxReplicas?: number,
): RaftGroupStatus {
  const storeState = (storeId: string | undefined): string | undefined => {
    if (storeId === undefined) return undefined;
    const store = storesById.get(storeId);
    // A store missing from /stores (Up and Offline only) has been tombstoned.
    return store === undefined
      ? storesById.size > 0
        ? 'Tombstone'
        : undefined
      : storeStateOf(store);
  };
  const downSeconds = new Map(
    (region.down_peers ?? []).map(
      (down) => [idOf(down.peer?.id) ?? '', down.down_seconds ?? 0] as const,
    ),
  );
  const pending = new Set((region.pending_peers ?? []).map((peer) => idOf(peer.id) ?? ''));
  const voters = (region.peers ?? []).filter(isVoter);
  const problems: string[] = [];

  const leaderStore = idOf(region.leader?.store_id);
  const leaderStoreState = storeState(leaderStore);
  const leaderless =
    idOf(region.leader?.id) === undefined ||
    leaderStore === undefined ||
    (leaderStoreState !== undefined && UNAVAILABLE_STORE_STATES.has(leaderStoreState));
  if (leaderStore === undefined || idOf(region.leader?.id) === undefined) {
    problems.push('no leader');
  } else if (leaderless) {
    problems.push(`no leader: its last leader is on store ${leaderStore} (${leaderStoreState})`);
  }

  let healthyReplicas = 0;
  for (const peer of voters) {
    const peerId = idOf(peer.id) ?? '';
    const storeId = idOf(peer.store_id) ?? '?';
    const state = storeState(storeId);
    if (downSeconds.has(peerId)) {
      problems.push(
        `peer ${peerId} on store ${storeId} down ${formatSeconds(downSeconds.get(peerId) ?? 0)}`,
      );
    } else if (state !== undefined && UNAVAILABLE_STORE_STATES.has(state)) {
      problems.push(`peer ${peerId} on store ${storeId} (${state})`);
    } else if (pending.has(peerId)) {
      problems.push(`peer ${peerId} on store ${storeId} pending (catching up)`);
    } else {
      healthyReplicas += 1;
    }
  }
  const replicas = Math.max(voters.length, maxReplicas ?? 0);
  if (voters.length < replicas) problems.push(`${voters.length} of ${replicas} replicas placed`);

  const group: RaftGroupStatus = {
    id: idOf(region.id) ?? '?',
    type: 'region',
    replicas,
    healthyReplicas,
    problems,
  };
  if (!leaderless) group.leader = `store ${leaderStore}`;
  return group;
}

/** Learners do not vote, so they neither count as replicas nor make up for missing ones. */
function isVoter(peer: PdPeer): boolean {
  if (peer.is_learner === true || peer.role === 1) return false;
  return peer.role_name === undefined || peer.role_name !== 'Learner';
}

function formatSeconds(seconds: number): string {
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
  return `${seconds}s`;
}
