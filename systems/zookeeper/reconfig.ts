/**
 * ZooKeeper membership through incremental dynamic reconfig (3.5+): add a participant or
 * observer, promote an observer, remove a server; then verify that every server of the new
 * configuration reports its version.
 */
import {
  PartialFailureError,
  UnreachableError,
  UnsafeOperationError,
  UnsupportedOperationError,
  UsageError,
  describeCause,
  type QuorumctlError,
} from '../../core/errors.js';
import type {
  AddMemberRequest,
  AddedMember,
  ClusterTarget,
  ConnectOptions,
} from '../../core/ports.js';
import type { MemberRef } from '../../core/check/observations.js';
import { ZooKeeperClientError } from './client-error.js';
import { AdminSession, KeeperError } from './admin-session.js';
import { sendFourLetterWord } from './four-letter-words.js';
import { KeeperCode } from './jute-frames.js';
import { parseConf, parseMembership, type ConfiguredServer, type Membership } from './parsers.js';

/** The leader waits for a quorum of the new configuration to acknowledge: give it time. */
const RECONFIG_MIN_TIMEOUT_MS = 15_000;
/** How long servers get to learn a committed configuration before verification gives up. */
export const CONVERGE_TIMEOUT_MS = 20_000;
const CONVERGE_POLL_MS = 250;

/** One server's answer in the verify-config step. */
export interface ServerConfigVersion {
  id: string;
  endpoint: string;
  /** The configuration version the server reports (`conf`'s `version=`), hex. */
  version?: string;
  error?: string;
}

/** The verify-config step: did every server of the configuration learn its version? */
export interface ConfigVerification {
  expectedVersion: string;
  converged: boolean;
  servers: ServerConfigVersion[];
  waitedMs: number;
}

/** A committed change: the configuration after it and its verification. */
export interface ReconfigOutcome {
  membership: Membership;
  /** The configuration text as `/zookeeper/config` holds it. */
  text: string;
  verification: ConfigVerification;
}

/** What a membership change sends, apart from the target. */
type Change =
  | { kind: 'add'; server: ConfiguredServer }
  | { kind: 'promote'; id: string }
  | { kind: 'remove'; id: string };

/** I/O the verification does, replaceable in unit tests. */
export interface ReconfigIo {
  sendWord: typeof sendFourLetterWord;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

const REAL_IO: ReconfigIo = {
  sendWord: sendFourLetterWord,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
};

/** `server.4=host:2888:3888:participant;clientHost:2181`: the spec reconfig -add takes. */
export function serverSpec(server: ConfiguredServer): string {
  const host = bracket(server.host);
  const quorum = `${host}:${server.quorumPort ?? 0}:${server.electionPort ?? 0}:${server.role}`;
  if (server.clientPort === undefined) return `server.${server.id}=${quorum}`;
  const clientHost = server.clientHost === undefined ? '' : `${bracket(server.clientHost)}:`;
  return `server.${server.id}=${quorum};${clientHost}${server.clientPort}`;
}

/**
 * The server an AddMemberRequest describes. ZooKeeper has no learner: a non-voter is an
 * observer, so `learner` and `observer` both join as observers (promote makes a participant).
 */
export function serverFromRequest(request: AddMemberRequest): ConfiguredServer {
  const id = serverIdOf(request.id ?? request.name);
  const peer = request.peerUrls[0];
  const match =
    peer === undefined
      ? null
      : /^(?:[a-z]+:\/\/)?(\[[^\]]+\]|[^:/]+):(\d+):(\d+)$/.exec(peer.trim());
  if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined) {
    throw new UsageError(
      'BAD_PEER_ADDRESS',
      `ZooKeeper server.${id} needs its quorum and election address as HOST:QUORUM_PORT:ELECTION_PORT, got ${JSON.stringify(peer ?? '')}`,
      { actions: ['pass --peer-urls 10.0.0.4:2888:3888 (the server.N= address of its zoo.cfg)'] },
    );
  }
  const server: ConfiguredServer = {
    id,
    host: unbracket(match[1]),
    quorumPort: Number(match[2]),
    electionPort: Number(match[3]),
    role: request.role === 'voter' ? 'participant' : 'observer',
  };
  const client = request.clientUrls?.[0];
  if (client !== undefined) {
    const url = URL.parse(client.includes('://') ? client : `tcp://${client}`);
    if (url === null || url.port === '') {
      throw new UsageError(
        'BAD_CLIENT_ADDRESS',
        `ZooKeeper server.${id}: the client address must be HOST:PORT, got ${JSON.stringify(client)}`,
        { actions: ['pass --client-urls 10.0.0.4:2181'] },
      );
    }
    server.clientHost = unbracket(url.hostname);
    server.clientPort = Number(url.port);
  }
  return server;
}

/** `4` and `server.4` both mean server ID 4. */
export function serverIdOf(nameOrId: string): string {
  const id = /^(?:server\.)?(\d+)$/.exec(nameOrId.trim())?.[1];
  if (id === undefined) {
    throw new UsageError(
      'BAD_SERVER_ID',
      `"${nameOrId}" is not a ZooKeeper server ID (server.N or N, N a positive integer)`,
      { actions: ['quorumctl members list shows the server IDs'] },
    );
  }
  return String(Number(id));
}

export function addServer(
  target: ClusterTarget,
  options: ConnectOptions,
  request: AddMemberRequest,
  io: ReconfigIo = REAL_IO,
): Promise<AddedMember & { verification: ConfigVerification }> {
  const server = serverFromRequest(request);
  return applyChange(target, options, { kind: 'add', server }, io).then((outcome) => ({
    id: server.id,
    // The operator's name for it (a sandbox's n4); status shows it as server.<id>.
    name: request.name,
    configVersion: outcome.verification.expectedVersion,
    verification: outcome.verification,
  }));
}

export function promoteServer(
  target: ClusterTarget,
  options: ConnectOptions,
  member: MemberRef,
  io: ReconfigIo = REAL_IO,
): Promise<ReconfigOutcome> {
  return applyChange(target, options, { kind: 'promote', id: serverIdOf(member.id) }, io);
}

export function removeServer(
  target: ClusterTarget,
  options: ConnectOptions,
  member: MemberRef,
  io: ReconfigIo = REAL_IO,
): Promise<ReconfigOutcome> {
  return applyChange(target, options, { kind: 'remove', id: serverIdOf(member.id) }, io);
}

/**
 * Reads the configuration, checks the change against it, sends it conditional on that
 * version (so a concurrent change is refused, not overwritten), then verifies.
 */
async function applyChange(
  target: ClusterTarget,
  options: ConnectOptions,
  change: Change,
  io: ReconfigIo,
): Promise<ReconfigOutcome> {
  const session = await openSession(target, options);
  let committed: { text: string; membership: Membership };
  try {
    const current = parseMembership((await session.getData('/zookeeper/config')).data.toString());
    const record = reconfigRecord(current, change, target.name);
    const answer = await session.reconfig(
      record,
      Math.max(options.timeoutMs, RECONFIG_MIN_TIMEOUT_MS),
    );
    const text = answer.data.toString('utf8');
    committed = { text, membership: parseMembership(text) };
  } catch (error) {
    throw translate(error, target, change);
  } finally {
    await session.close();
  }
  const version = committed.membership.version ?? '';
  const verification = await verifyConfigVersion(
    committed.membership.servers,
    version,
    options,
    io,
  );
  if (!verification.converged) {
    const behind = verification.servers.filter(
      (server) => server.error !== undefined || !sameVersion(server.version, version),
    );
    throw new PartialFailureError(
      'ZK_CONFIG_NOT_CONVERGED',
      `${describeChange(change)} was committed as configuration version ${version}, but ${behind
        .map(
          (server) =>
            `server.${server.id} ${server.error === undefined ? `reports ${server.version ?? 'no version'}` : `is not there yet (${server.error})`}`,
        )
        .join(', ')} after ${Math.round(verification.waitedMs / 1000)} s`,
      {
        actions: [
          'a joining server must be running with the current configuration plus itself before it can report the new version',
          'quorumctl status shows every server; look at the log of the servers named above',
        ],
        details: { verification, configuration: committed.text },
      },
    );
  }
  return { ...committed, verification };
}

function reconfigRecord(current: Membership, change: Change, cluster: string) {
  const curConfigId = current.version === undefined ? -1n : BigInt(`0x${current.version}`);
  const existing = (id: string) => current.servers.find((server) => server.id === id);
  const ids = current.servers.map((server) => `server.${server.id}`).join(', ');
  switch (change.kind) {
    case 'add': {
      const found = existing(change.server.id);
      if (found !== undefined) {
        throw new UsageError(
          'MEMBER_EXISTS',
          `ZooKeeper cluster "${cluster}" already has server.${found.id} (${found.role}): ${serverSpec(found)}`,
          {
            actions: [
              found.role === 'observer'
                ? `to make it a voter: quorumctl members promote server.${found.id}`
                : `pick a free server ID; the configuration has ${ids}`,
            ],
          },
        );
      }
      return {
        joiningServers: serverSpec(change.server),
        leavingServers: null,
        newMembers: null,
        curConfigId,
      };
    }
    case 'promote': {
      const found = requireServer(existing(change.id), change.id, cluster, ids);
      if (found.role === 'participant') {
        throw new UsageError(
          'ALREADY_VOTER',
          `server.${found.id} of ZooKeeper cluster "${cluster}" is already a participant`,
          { actions: ['nothing to do; quorumctl members list shows the roles'] },
        );
      }
      // Re-adding a known server ID with another role changes the role (observer -> participant).
      return {
        joiningServers: serverSpec({ ...found, role: 'participant' }),
        leavingServers: null,
        newMembers: null,
        curConfigId,
      };
    }
    case 'remove':
      requireServer(existing(change.id), change.id, cluster, ids);
      return { joiningServers: null, leavingServers: change.id, newMembers: null, curConfigId };
  }
}

function requireServer(
  server: ConfiguredServer | undefined,
  id: string,
  cluster: string,
  ids: string,
): ConfiguredServer {
  if (server !== undefined) return server;
  throw new UsageError(
    'MEMBER_NOT_FOUND',
    `ZooKeeper cluster "${cluster}" has no server.${id} in its configuration (${ids})`,
    { actions: ['quorumctl members list shows the configured servers'] },
  );
}

/**
 * The verify-config step: asks every server of the configuration for `conf` and `srvr` until
 * each reports `version` and serves in its configured role (a server whose role changed
 * re-syncs with the leader, and is not done before), or the time is up. Never throws: the
 * result says who lags.
 */
export async function verifyConfigVersion(
  servers: readonly ConfiguredServer[],
  version: string,
  options: ConnectOptions,
  io: ReconfigIo = REAL_IO,
  timeoutMs = CONVERGE_TIMEOUT_MS,
): Promise<ConfigVerification> {
  const started = io.now();
  for (;;) {
    const answers = await Promise.all(servers.map((server) => askServer(server, options, io)));
    const waitedMs = io.now() - started;
    const converged = answers.every(
      (answer) => answer.error === undefined && sameVersion(answer.version, version),
    );
    if (converged || waitedMs >= timeoutMs || options.signal?.aborted === true) {
      return { expectedVersion: version, converged, servers: answers, waitedMs };
    }
    await io.sleep(CONVERGE_POLL_MS);
  }
}

async function askServer(
  server: ConfiguredServer,
  options: ConnectOptions,
  io: ReconfigIo,
): Promise<ServerConfigVersion> {
  const tls = options.tls;
  const endpoint = clientEndpoint(server, tls !== undefined);
  if (endpoint === undefined) {
    return { id: server.id, endpoint: '', error: 'no client address in the configuration' };
  }
  const wordOptions = { timeoutMs: options.timeoutMs, ...(tls !== undefined && { tls }) };
  try {
    const [conf, srvr] = await Promise.all([
      io.sendWord(endpoint, 'conf', wordOptions),
      io.sendWord(endpoint, 'srvr', wordOptions),
    ]);
    const reported = parseConf(conf).membership?.version;
    if (reported === undefined) {
      return { id: server.id, endpoint, error: 'conf has no version= (not serving yet?)' };
    }
    const mode = /Mode:\s*(\S+)/.exec(srvr)?.[1];
    const settled =
      server.role === 'observer' ? mode === 'observer' : mode === 'leader' || mode === 'follower';
    return settled
      ? { id: server.id, endpoint, version: reported }
      : {
          id: server.id,
          endpoint,
          version: reported,
          error: `not serving as ${server.role} yet (${mode === undefined ? 'not serving' : `mode ${mode}`})`,
        };
  } catch (error) {
    return { id: server.id, endpoint, error: describeCause(error) };
  }
}

/** `100000000` and `0x100000000` are one version. */
function sameVersion(reported: string | undefined, expected: string): boolean {
  if (reported === undefined) return false;
  const strip = (hex: string) =>
    hex
      .toLowerCase()
      .replace(/^0x/, '')
      .replace(/^0+(?=.)/, '');
  return strip(reported) === strip(expected);
}

function clientEndpoint(server: ConfiguredServer, tls: boolean): string | undefined {
  if (server.clientPort === undefined) return undefined;
  const wildcard =
    server.clientHost === undefined || /^(0\.0\.0\.0|::|0:0:0:0:0:0:0:0)$/.test(server.clientHost);
  const host = wildcard ? server.host : (server.clientHost ?? server.host);
  return `${tls ? 'tls' : 'tcp'}://${bracket(host)}:${server.clientPort}`;
}

async function openSession(target: ClusterTarget, options: ConnectOptions): Promise<AdminSession> {
  try {
    return await AdminSession.open(target.endpoints, {
      timeoutMs: options.timeoutMs,
      ...(options.tls !== undefined && { tls: options.tls }),
      ...(options.auth !== undefined && { auth: options.auth }),
      ...(options.signal !== undefined && { signal: options.signal }),
    });
  } catch (error) {
    if (error instanceof ZooKeeperClientError && error.code === 'AUTH_FAILED') {
      throw new UsageError('AUTH_FAILED', error.message, {
        actions: ['check --user and the password (digest credentials)'],
        cause: error,
      });
    }
    throw new UnreachableError(
      'CLUSTER_UNREACHABLE',
      `ZooKeeper cluster "${target.name}": ${describeCause(error)}`,
      {
        actions: [
          "check that the endpoints are the servers' client ports and that a quorum is up (quorumctl status)",
        ],
        details: { endpoints: target.endpoints },
        cause: error,
      },
    );
  }
}

/** ZooKeeper's refusal, as the operator's error with what to do about it. */
function translate(error: unknown, target: ClusterTarget, change: Change): unknown {
  if (!(error instanceof KeeperError)) {
    if (error instanceof ZooKeeperClientError) {
      return new UnreachableError(
        'CLUSTER_UNREACHABLE',
        `ZooKeeper cluster "${target.name}": ${describeChange(change)}: ${error.message}`,
        {
          actions: ['quorumctl status shows whether the ensemble has a leader'],
          cause: error,
        },
      );
    }
    return error;
  }
  const what = `ZooKeeper cluster "${target.name}": ${describeChange(change)}`;
  const made = KEEPER_ERRORS[error.keeperCode]?.(what);
  if (made !== undefined) {
    Object.assign(made, { cause: error });
    return made;
  }
  return new UnreachableError(error.code, `${what} failed: ${error.message}`, {
    actions: ['look at the leader log for the reason'],
    cause: error,
  });
}

const KEEPER_ERRORS: Partial<Record<number, (what: string) => QuorumctlError>> = {
  [KeeperCode.NEWCONFIGNOQUORUM]: (what) =>
    new UnsafeOperationError(
      'ZK_NEW_CONFIG_NO_QUORUM',
      `${what} refused by the leader: a quorum of the new configuration is not connected to it`,
      {
        actions: [
          'start a joining server (with the current configuration plus itself) before adding it as a participant',
          'bring unhealthy servers back first (quorumctl status), or add it as an observer and promote it once it is in sync',
        ],
      },
    ),
  [KeeperCode.RECONFIGINPROGRESS]: (what) =>
    new UnsafeOperationError(
      'ZK_RECONFIG_IN_PROGRESS',
      `${what} refused: another reconfiguration is still in progress`,
      { actions: ['wait until it has committed (quorumctl members list), then run this again'] },
    ),
  [KeeperCode.BADVERSION]: (what) =>
    new UnsafeOperationError(
      'ZK_CONFIG_CHANGED',
      `${what} refused: the configuration changed between reading and changing it`,
      {
        actions: [
          'someone else reconfigured the ensemble: review quorumctl members list and re-run',
        ],
      },
    ),
  [KeeperCode.NOAUTH]: (what) =>
    new UsageError('ZK_RECONFIG_NOT_AUTHORIZED', `${what} refused: not authorized to reconfigure`, {
      actions: [
        'authenticate as the super user: --user super --password-env VAR (zookeeper.DigestAuthenticationProvider.superDigest)',
        'or grant the user write permission on /zookeeper/config, or (test clusters only) skipACL=yes',
      ],
    }),
  [KeeperCode.RECONFIGDISABLED]: (what) =>
    new UnsupportedOperationError(
      'ZK_RECONFIG_DISABLED',
      `${what}: dynamic reconfiguration is disabled`,
      {
        actions: [
          'set reconfigEnabled=true in zoo.cfg on every server (ZooKeeper 3.5.3+) and restart them one at a time',
        ],
      },
    ),
  [KeeperCode.UNIMPLEMENTED]: (what) =>
    new UnsupportedOperationError(
      'ZK_RECONFIG_UNSUPPORTED',
      `${what}: the server does not implement reconfig`,
      {
        actions: [
          'dynamic reconfiguration needs ZooKeeper 3.5+; older ensembles change membership by rolling restarts',
        ],
      },
    ),
  [KeeperCode.BADARGUMENTS]: (what) =>
    new UsageError(
      'ZK_RECONFIG_BAD_ARGUMENTS',
      `${what} rejected: ZooKeeper found the server specification invalid`,
      {
        actions: [
          'check the ports (quorum, election and client must be distinct and not taken by another server)',
          'the leader log names the exact reason',
        ],
      },
    ),
};

function describeChange(change: Change): string {
  switch (change.kind) {
    case 'add':
      return `adding server.${change.server.id} as ${change.server.role === 'participant' ? 'a participant' : 'an observer'}`;
    case 'promote':
      return `promoting server.${change.id} to participant`;
    case 'remove':
      return `removing server.${change.id}`;
  }
}

function bracket(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function unbracket(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1');
}
