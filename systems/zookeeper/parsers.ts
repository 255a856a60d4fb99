/** Pure parsers of ZooKeeper's answers: four-letter words (`srvr`, `mntr`, `conf`) and AdminServer JSON. */

/** `Mode:` in srvr; `read-only` is a server cut off from the quorum that still serves reads. */
export type ServerMode = 'leader' | 'follower' | 'observer' | 'standalone' | 'read-only';

export type VotingRole = 'participant' | 'observer';

/** One `server.N=...` line of the (dynamic) configuration. */
export interface ConfiguredServer {
  id: string;
  host: string;
  quorumPort?: number;
  electionPort?: number;
  role: VotingRole;
  /** Absent when the configuration has no `;host:clientPort` part for this server. */
  clientHost?: string;
  clientPort?: number;
}

export interface Membership {
  servers: ConfiguredServer[];
  /** The configuration's version, a zxid in hex as ZooKeeper prints it (`100000000`). */
  version?: string;
}

/**
 * What one server says about itself, whichever way it was read. Every parser fills the
 * fields its source has; a probe merges them.
 */
export interface ServerObservation {
  mode?: ServerMode;
  /** Last processed zxid, `0x`-prefixed hex (ZooKeeper's own spelling). */
  zxid?: string;
  version?: string;
  latencyAvgMs?: number;
  latencyMaxMs?: number;
  outstandingRequests?: number;
  znodeCount?: number;
  approximateDataSizeBytes?: number;
  /** Leader only, from mntr. */
  syncedFollowers?: number;
  syncedNonVotingFollowers?: number;
  syncedObservers?: number;
  pendingSyncs?: number;
  learners?: number;
  serverId?: string;
  membership?: Membership;
}

/** How a server answered a four-letter word, before its text is parsed. */
export type WordReply =
  | { kind: 'answer'; text: string }
  | { kind: 'not-serving'; message: string }
  | { kind: 'not-whitelisted'; message: string };

export const NOT_SERVING_MESSAGE = 'This ZooKeeper instance is not currently serving requests';
const NOT_WHITELISTED = /^(\w+) is not executed because it is not in the whitelist\.?/;

export function classifyReply(text: string): WordReply {
  const trimmed = text.trim();
  if (trimmed.startsWith(NOT_SERVING_MESSAGE)) return { kind: 'not-serving', message: trimmed };
  if (NOT_WHITELISTED.test(trimmed)) return { kind: 'not-whitelisted', message: trimmed };
  return { kind: 'answer', text };
}

/** `srvr`: `Key: value` lines. Throws when the text is not a srvr answer at all. */
export function parseSrvr(text: string): ServerObservation {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const mode = fields.get('Mode');
  const zxid = fields.get('Zxid');
  if (mode === undefined || zxid === undefined || !isHexZxid(zxid)) {
    throw new SyntaxError(`not a srvr answer: ${JSON.stringify(text.slice(0, 80))}`);
  }
  const observation: ServerObservation = { mode: serverMode(mode), zxid: normalizeZxid(zxid) };
  const version = releaseOf(fields.get('Zookeeper version'));
  if (version !== undefined) observation.version = version;
  // "Latency min/avg/max: 0/0.4/12", in milliseconds.
  const [, avg, max] = (fields.get('Latency min/avg/max') ?? '').split('/').map(Number);
  assign(observation, 'latencyAvgMs', avg);
  assign(observation, 'latencyMaxMs', max);
  assign(observation, 'outstandingRequests', numberOf(fields.get('Outstanding')));
  assign(observation, 'znodeCount', numberOf(fields.get('Node count')));
  return observation;
}

/** `mntr`: `zk_key<TAB>value` lines, about 500 of them. */
export function parseMntr(text: string): ServerObservation {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) values.set(line.slice(0, tab), line.slice(tab + 1).trim());
  }
  if (!values.has('zk_server_state')) {
    throw new SyntaxError(`not a mntr answer: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return monitorObservation((key) => values.get(`zk_${key}`));
}

/** The AdminServer's `/commands/monitor` (the same gauges as mntr, as JSON). */
export function parseAdminMonitor(json: unknown): ServerObservation {
  const record = asRecord(json, 'monitor');
  if (record.server_state === undefined)
    throw new SyntaxError('monitor answer has no server_state');
  return monitorObservation((key) => {
    const value = record[key];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  });
}

function monitorObservation(get: (key: string) => string | undefined): ServerObservation {
  const observation: ServerObservation = {};
  const state = get('server_state');
  if (state !== undefined) observation.mode = serverMode(state);
  const version = releaseOf(get('version'));
  if (version !== undefined) observation.version = version;
  assign(observation, 'latencyAvgMs', numberOf(get('avg_latency')));
  assign(observation, 'latencyMaxMs', numberOf(get('max_latency')));
  assign(observation, 'outstandingRequests', numberOf(get('outstanding_requests')));
  assign(observation, 'znodeCount', numberOf(get('znode_count')));
  assign(observation, 'approximateDataSizeBytes', numberOf(get('approximate_data_size')));
  // Present only on the leader.
  assign(observation, 'syncedFollowers', numberOf(get('synced_followers')));
  assign(observation, 'syncedNonVotingFollowers', numberOf(get('synced_non_voting_followers')));
  assign(observation, 'syncedObservers', numberOf(get('synced_observers')));
  assign(observation, 'pendingSyncs', numberOf(get('pending_syncs')));
  assign(observation, 'learners', numberOf(get('learners')));
  return observation;
}

/**
 * `conf`: `key=value` lines, then (on an ensemble) `membership:`, the `server.N=` lines and
 * `version=` of the dynamic configuration. It has no trailing newline.
 */
export function parseConf(text: string): ServerObservation {
  const lines = text.split('\n').map((line) => line.trim());
  const settings = new Map<string, string>();
  for (const line of lines) {
    const equals = line.indexOf('=');
    if (equals > 0 && !line.startsWith('server.'))
      settings.set(line.slice(0, equals), line.slice(equals + 1));
  }
  if (!settings.has('clientPort') && !settings.has('serverId') && !settings.has('dataDir')) {
    throw new SyntaxError(`not a conf answer: ${JSON.stringify(text.slice(0, 80))}`);
  }
  const observation: ServerObservation = {};
  const serverId = settings.get('serverId');
  if (serverId !== undefined) observation.serverId = serverId;
  const membershipStart = lines.indexOf('membership:');
  if (membershipStart >= 0)
    observation.membership = parseMembership(lines.slice(membershipStart + 1));
  return observation;
}

/**
 * The dynamic configuration: `server.N=host:quorum:election[:participant|observer][;[clientHost:]clientPort]`
 * lines and `version=`, as in conf and the znode `/zookeeper/config`.
 */
export function parseMembership(lines: readonly string[] | string): Membership {
  const membership: Membership = { servers: [] };
  for (const raw of typeof lines === 'string' ? lines.split('\n') : lines) {
    const line = raw.trim();
    const version = /^version=([0-9a-fA-F]+)$/.exec(line);
    if (version?.[1] !== undefined) membership.version = version[1];
    const server = /^server\.(\d+)=(.+)$/.exec(line);
    if (server?.[1] !== undefined && server[2] !== undefined) {
      membership.servers.push(configuredServer(server[1], server[2]));
    }
  }
  return membership;
}

function configuredServer(id: string, spec: string): ConfiguredServer {
  const [serverPart = '', clientPart] = spec.split(';');
  // host:quorum:election[:role]; an IPv6 host is bracketed.
  const match = /^(\[[^\]]+\]|[^:]+):(\d+):(\d+)(?::(participant|observer))?$/.exec(
    serverPart.trim(),
  );
  const server: ConfiguredServer = {
    id,
    host: unbracket(match?.[1] ?? serverPart.split(':')[0] ?? ''),
    role: match?.[4] === 'observer' ? 'observer' : 'participant',
  };
  if (match?.[2] !== undefined) server.quorumPort = Number(match[2]);
  if (match?.[3] !== undefined) server.electionPort = Number(match[3]);
  const client = clientPart?.trim();
  if (client !== undefined && client !== '') {
    const clientMatch = /^(?:(\[[^\]]+\]|[^:]+):)?(\d+)$/.exec(client);
    if (clientMatch?.[2] !== undefined) {
      server.clientPort = Number(clientMatch[2]);
      server.clientHost = clientMatch[1] === undefined ? server.host : unbracket(clientMatch[1]);
    }
  }
  return server;
}

/** `/commands/voting_view`: the voting members only (observers are not in it). */
export function parseAdminVotingView(json: unknown): ServerObservation {
  const record = asRecord(json, 'voting_view');
  const config = record.current_config;
  if (typeof config !== 'object' || config === null) {
    throw new SyntaxError('voting_view answer has no current_config');
  }
  const servers = Object.entries(config as Record<string, unknown>).map(([id, entry]) => {
    const fields = asRecord(entry, 'voting_view server');
    const quorum = hostPort(firstString(fields.server_addresses));
    const election = hostPort(firstString(fields.election_addresses));
    const client = hostPort(typeof fields.client_address === 'string' ? fields.client_address : '');
    const server: ConfiguredServer = {
      id,
      host: quorum?.host ?? client?.host ?? '',
      role: fields.learner_type === 'observer' ? 'observer' : 'participant',
    };
    if (quorum !== undefined) server.quorumPort = quorum.port;
    if (election !== undefined) server.electionPort = election.port;
    if (client !== undefined) {
      server.clientHost = client.host;
      server.clientPort = client.port;
    }
    return server;
  });
  return { membership: { servers } };
}

/** `/commands/configuration`: the server's ID and client port (to pair a monitor URL with a member). */
export function parseAdminConfiguration(json: unknown): { serverId: string; clientPort?: number } {
  const record = asRecord(json, 'configuration');
  if (typeof record.server_id !== 'number') {
    throw new SyntaxError('configuration answer has no server_id');
  }
  return {
    serverId: String(record.server_id),
    ...(typeof record.client_port === 'number' && { clientPort: record.client_port }),
  };
}

/** `/commands/zabstate`: the zxid as hex (server_stats gives it as a JSON number, unsafe above 2^53). */
export function parseAdminZabState(json: unknown): ServerObservation {
  const record = asRecord(json, 'zabstate');
  const observation: ServerObservation = {};
  if (typeof record.last_zxid === 'string' && isHexZxid(record.last_zxid)) {
    observation.zxid = normalizeZxid(record.last_zxid);
  }
  if (typeof record.myid === 'number') observation.serverId = String(record.myid);
  return observation;
}

/** `/commands/server_stats`: the srvr facts. */
export function parseAdminServerStats(json: unknown): ServerObservation {
  const record = asRecord(json, 'server_stats');
  const stats = asRecord(record.server_stats, 'server_stats.server_stats');
  const observation: ServerObservation = {};
  if (typeof stats.server_state === 'string') observation.mode = serverMode(stats.server_state);
  const version = releaseOf(typeof record.version === 'string' ? record.version : undefined);
  if (version !== undefined) observation.version = version;
  assign(observation, 'latencyAvgMs', numberOf(stats.avg_latency));
  assign(observation, 'latencyMaxMs', numberOf(stats.max_latency));
  assign(observation, 'outstandingRequests', numberOf(stats.outstanding_requests));
  assign(observation, 'znodeCount', numberOf(record.node_count));
  return observation;
}

/**
 * The AdminServer answers HTTP 200 with `"error": "..."` when a command cannot run (e.g.
 * without quorum); that text, or undefined when the command succeeded.
 */
export function adminCommandError(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const error = (json as Record<string, unknown>).error;
  return typeof error === 'string' && error !== '' ? error : undefined;
}

export interface DecodedZxid {
  /** ZAB epoch: the high 32 bits, incremented by every new leader. */
  epoch: number;
  /** Transactions in this epoch: the low 32 bits. */
  counter: number;
  /** The whole zxid as a Number when it is exact (epoch below 2^21), else undefined. */
  value?: number;
}

/** Decodes `0x200000005` into epoch 2 and counter 5. zxids are 64-bit: BigInt, never Number arithmetic. */
export function decodeZxid(zxid: string): DecodedZxid {
  const value = BigInt(normalizeZxid(zxid));
  const decoded: DecodedZxid = {
    epoch: Number(value >> 32n),
    counter: Number(value & 0xffffffffn),
  };
  if (value <= BigInt(Number.MAX_SAFE_INTEGER)) decoded.value = Number(value);
  return decoded;
}

export function isHexZxid(text: string): boolean {
  return /^(0x)?[0-9a-fA-F]{1,16}$/.test(text.trim());
}

function normalizeZxid(zxid: string): string {
  const digits = zxid.trim().replace(/^0x/i, '').toLowerCase();
  return `0x${digits.replace(/^0+(?=.)/, '')}`;
}

function serverMode(text: string): ServerMode | undefined {
  const mode = text.trim().toLowerCase();
  return mode === 'leader' ||
    mode === 'follower' ||
    mode === 'observer' ||
    mode === 'standalone' ||
    mode === 'read-only'
    ? mode
    : undefined;
}

/** `3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC` -> `3.8.0`. */
function releaseOf(text: string | undefined): string | undefined {
  return /^\s*(\d+\.\d+\.\d+[^\s,-]*)/.exec(text ?? '')?.[1];
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

type NumericField = {
  [K in keyof ServerObservation]-?: ServerObservation[K] extends number | undefined ? K : never;
}[keyof ServerObservation];

function assign(target: ServerObservation, field: NumericField, value: number | undefined): void {
  if (value !== undefined && Number.isFinite(value)) target[field] = value;
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SyntaxError(`${what} answer is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function firstString(value: unknown): string {
  return Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '';
}

function hostPort(text: string): { host: string; port: number } | undefined {
  const match = /^(\[[^\]]+\]|[^:]+|.*):(\d+)$/.exec(text.trim());
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { host: unbracket(match[1].replace(/^\//, '')), port: Number(match[2]) };
}

function unbracket(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1');
}
