/** Turns Consul's Raft configuration and autopilot health into server members (pure). */
import type { Attributes, MemberError, MemberStatus, MemberRole } from '../../core/model.js';
import type { AutopilotHealth, RaftConfiguration, RaftServer, ServerHealth } from './api-types.js';

/** What `/v1/status/leader` on one given endpoint said. */
export type LeaderProbe =
  | { endpoint: string; answered: true; leaderAddress: string }
  | { endpoint: string; answered: false; error: MemberError };

export interface ConsulInputs {
  probes: readonly LeaderProbe[];
  configuration?: RaftConfiguration;
  health?: AutopilotHealth;
  /** Why autopilot health could not be read (no leader, ACL, ...). */
  healthError?: MemberError;
}

/**
 * One member per server in the Raft configuration. Autopilot's view (the leader's) says
 * whether a server is alive and how far it got; the leader is the server whose Raft address
 * `/v1/status/leader` names.
 */
export function serverMembers(inputs: ConsulInputs): MemberStatus[] {
  const servers: RaftServer[] =
    inputs.configuration?.Servers ??
    (inputs.health?.Servers ?? []).map((server) => ({
      ...(server.ID !== undefined && { ID: server.ID }),
      ...(server.Name !== undefined && { Node: server.Name }),
      ...(server.Address !== undefined && { Address: server.Address }),
      ...(server.Leader !== undefined && { Leader: server.Leader }),
      ...(server.Voter !== undefined && { Voter: server.Voter }),
    }));
  const leaderAddress = agreedLeaderAddress(inputs.probes);
  const answeringHosts = new Set(
    inputs.probes.flatMap((probe) => (probe.answered ? [hostOf(probe.endpoint)] : [])),
  );
  return servers.map((server) => {
    const health = inputs.health?.Servers?.find(
      (candidate) =>
        (server.ID !== undefined && candidate.ID === server.ID) ||
        (server.Address !== undefined && candidate.Address === server.Address),
    );
    const voter = server.Voter ?? health?.Voter ?? true;
    const isLeader =
      leaderAddress === undefined
        ? server.Leader === true || health?.Leader === true
        : leaderAddress !== '' && server.Address === leaderAddress;
    const member: MemberStatus = {
      id: server.ID ?? server.Address ?? '?',
      name: nameOf(server, health),
      endpoint: server.Address ?? '',
      role: roleOf(isLeader, voter, leaderAddress),
      voter,
      reachable: false,
      alarms: [],
    };
    if (health?.Version !== undefined && health.Version !== '') member.version = health.Version;

    const error = unreachableReason(server, health, inputs, answeringHosts);
    if (error !== undefined) return { ...member, error };
    member.reachable = true;
    if (health === undefined) return member;
    if (health.LastTerm !== undefined) member.term = health.LastTerm;
    if (health.LastIndex !== undefined) member.commitIndex = health.LastIndex;
    const lastContactSeconds = parseGoDurationSeconds(health.LastContact);
    if (!isLeader && lastContactSeconds !== undefined && lastContactSeconds >= 0)
      member.lagSeconds = lastContactSeconds;
    const attributes: Attributes = {};
    if (health.Healthy !== undefined) attributes.autopilotHealthy = health.Healthy;
    if (server.ProtocolVersion !== undefined && server.ProtocolVersion !== '')
      attributes.raftProtocol = server.ProtocolVersion;
    if (Object.keys(attributes).length > 0) member.attributes = attributes;
    if (health.Healthy === false) {
      member.reportedErrors = [
        'autopilot: unhealthy (too far behind the leader, or out of contact longer than LastContactThreshold)',
      ];
    }
    return member;
  });
}

/** FailureTolerance as autopilot computes it (voters that may fail without an outage). */
export function clusterAttributes(health: AutopilotHealth | undefined): Attributes | undefined {
  if (health === undefined) return undefined;
  const attributes: Attributes = {};
  if (health.Healthy !== undefined) attributes.autopilotHealthy = health.Healthy;
  if (health.FailureTolerance !== undefined) attributes.failureTolerance = health.FailureTolerance;
  if (health.OptimisticFailureTolerance !== undefined)
    attributes.optimisticFailureTolerance = health.OptimisticFailureTolerance;
  return Object.keys(attributes).length === 0 ? undefined : attributes;
}

/**
 * The leader address the answering agents report: "" when they all say there is none,
 * undefined when none answered. Agents that disagree mid-election: the first non-empty wins.
 */
export function agreedLeaderAddress(probes: readonly LeaderProbe[]): string | undefined {
  const answers = probes.flatMap((probe) => (probe.answered ? [probe.leaderAddress] : []));
  if (answers.length === 0) return undefined;
  return answers.find((address) => address !== '') ?? '';
}

function roleOf(isLeader: boolean, voter: boolean, leaderAddress: string | undefined): MemberRole {
  if (isLeader) return 'leader';
  // Non-voters are servers autopilot has not promoted yet (or Enterprise read replicas).
  if (!voter) return 'learner';
  return leaderAddress === '' ? 'unknown' : 'follower';
}

function nameOf(server: RaftServer, health: ServerHealth | undefined): string {
  if (server.Node !== undefined && server.Node !== '' && server.Node !== '(unknown)')
    return server.Node;
  return health?.Name ?? server.Address ?? server.ID ?? '?';
}

function unreachableReason(
  server: RaftServer,
  health: ServerHealth | undefined,
  inputs: ConsulInputs,
  answeringHosts: ReadonlySet<string>,
): MemberError | undefined {
  if (health !== undefined) {
    const serf = health.SerfStatus ?? 'none';
    if (serf === 'alive') return undefined;
    const contact = health.LastContact === undefined ? '' : `, last contact ${health.LastContact}`;
    return {
      code: `SERF_${serf.toUpperCase()}`,
      message: `the leader's gossip marks this server ${serf}${contact}`,
    };
  }
  // Without autopilot (no leader to ask), only servers we reached ourselves count as up.
  if (server.Address !== undefined && answeringHosts.has(hostOf(server.Address))) return undefined;
  if (inputs.health !== undefined) {
    return { code: 'NOT_IN_AUTOPILOT', message: 'autopilot health does not list this server' };
  }
  return {
    code: 'HEALTH_UNAVAILABLE',
    message: `autopilot health could not be read (${inputs.healthError?.message ?? 'no answer'}) and no given endpoint is on this server's host`,
  };
}

function hostOf(address: string): string {
  const withScheme = address.includes('://') ? address : `tcp://${address}`;
  return (URL.parse(withScheme)?.hostname ?? address)
    .toLowerCase()
    .replace(/^localhost$/, '127.0.0.1');
}

/** Nanoseconds per unit of Go's time.Duration text. */
const DURATION_UNIT_NANOS: Record<string, number> = {
  h: 3600e9,
  m: 60e9,
  s: 1e9,
  ms: 1e6,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ns: 1,
};

/** Go's time.Duration text ("27.291304ms", "1m2.5s", "-1ns") in seconds. */
export function parseGoDurationSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^([-+]?)((?:\d+(?:\.\d*)?(?:h|ms|us|µs|μs|ns|m|s))+|0)$/.exec(text.trim());
  if (match === null) return undefined;
  const sign = match[1] === '-' ? -1 : 1;
  let nanos = 0;
  for (const part of (match[2] ?? '').matchAll(/(\d+(?:\.\d*)?)(h|ms|us|µs|μs|ns|m|s)/g)) {
    nanos += Number(part[1]) * (DURATION_UNIT_NANOS[part[2] ?? 's'] ?? 0);
  }
  // Whole nanoseconds first, so "27.291304ms" is exactly 0.027291304 s, not 0.0272913040000002.
  return (sign * Math.round(nanos)) / 1e9;
}
