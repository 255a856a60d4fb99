/** ZooKeeper backups: a logical dump of the znode tree read from one server, its check, restore test and restore plan. */
import { dirname } from 'node:path';
import { BACKUP_FORMATS, type BackupManifest } from '../../core/backup/manifest.js';
import type {
  BackupKindSupport,
  BackupProducer,
  BackupSink,
  BackupStructureCheck,
  ProduceBackupRequest,
  ProducedBackup,
  RestoreIntoInput,
  RestoreIntoResult,
  RestorePlan,
  RestoreRequest,
  RestoreTestInput,
  RestoreTestResult,
} from '../../core/backup/producer.js';
import {
  DumpChecker,
  DumpFormatError,
  encodeDumpRecord,
  parseDump,
  zookeeperFingerprint,
  znodeKindOf,
  ZOOKEEPER_DUMP_FORMAT,
  ZOOKEEPER_DUMP_VERSION,
  type DumpZnode,
} from '../../core/backup/zookeeper-dump.js';
import { TreeDigest } from '../../core/backup/zookeeper-digest.js';
import { describeCause, UsageError } from '../../core/errors.js';
import type { ClusterStatus, MemberStatus } from '../../core/model.js';
import type { ClusterTarget, ConnectOptions } from '../../core/ports.js';
import { connect as connectAdapter } from './adapter.js';
import { walkTree } from './backup-walk.js';
import { ZooKeeperClientError, ZooKeeperDataClient, type Znode } from './client.js';
import { sendFourLetterWord, serverAddress } from './four-letter-words.js';
import { parseSrvr } from './parsers.js';
import { restoreDumpInto, type TreeRestoreOptions } from './restore.js';

/** Znodes read at once: enough to hide the round trip, few enough not to load the server. */
const WALK_CONCURRENCY = 32;
/** Lines are handed to the sink in batches of about this size. */
const SINK_BATCH_BYTES = 64 * 1024;

export const backupSupport: BackupKindSupport = {
  kind: 'zookeeper',
  format: BACKUP_FORMATS.zookeeper,
  dataFileExtension: '.jsonl',
  openProducer: (target, options) => new ZooKeeperTreeProducer(target, options),
  checkStructure: checkDump,
  restoreTest: restoreTestZooKeeper,
  planRestore: planZooKeeperRestore,
  restoreInto: restoreIntoZooKeeper,
};

class ZooKeeperTreeProducer implements BackupProducer {
  constructor(
    private readonly target: ClusterTarget,
    private readonly options: ConnectOptions,
  ) {}

  async produce(request: ProduceBackupRequest, sink: BackupSink): Promise<ProducedBackup> {
    const root = dumpRoot(request.include);
    const signal = request.signal ?? this.options.signal;
    const options: ConnectOptions = { ...this.options, ...(signal !== undefined && { signal }) };
    const adapter = connectAdapter(this.target, options);
    const status = await adapter.status().finally(() => adapter.close());
    const { member, notes } = chooseDumpMember(status, request.member);
    if (serverAddress(member.endpoint).tls) {
      throw new UsageError(
        'BACKUP_TLS_UNSUPPORTED',
        `${member.name} is reached over TLS (${member.endpoint}); the ZooKeeper data client cannot speak TLS`,
        { actions: ["list the servers' plain clientPort endpoints for backups"] },
      );
    }

    const startedAt = new Date();
    const zxidStart = await lastZxid(member.endpoint, options);
    const client = await connectData(member, options);
    const batch = new SinkBatcher(sink);
    const digest = new TreeDigest();
    let ephemeralZnodes = 0;
    let maxZxidSeen = 0n;
    try {
      await batch.add(
        encodeDumpRecord({
          type: 'header',
          format: ZOOKEEPER_DUMP_FORMAT,
          formatVersion: ZOOKEEPER_DUMP_VERSION,
          root,
          member: member.name,
          endpoint: member.endpoint,
          zxidStart: zxidStart ?? 'unknown',
          startedAt: startedAt.toISOString(),
        }),
      );
      const walk = await walkTree(
        client,
        {
          root,
          concurrency: WALK_CONCURRENCY,
          skip: (path) => path === '/zookeeper',
          ...(signal !== undefined && { signal }),
        },
        async (znode) => {
          const record = dumpZnode(znode);
          if (record.kind === 'ephemeral') ephemeralZnodes += 1;
          else digest.add({ path: record.path, data: znode.data, acl: record.acl });
          for (const zxid of [record.stat.czxid, record.stat.mzxid, record.stat.pzxid])
            if (BigInt(zxid) > maxZxidSeen) maxZxidSeen = BigInt(zxid);
          await batch.add(encodeDumpRecord(record));
        },
      ).catch((error: unknown) => {
        throw walkError(error, root, member);
      });
      const zxidEnd = (await lastZxid(member.endpoint, options)) ?? `0x${maxZxidSeen.toString(16)}`;
      const treeDigest = digest.digest();
      await batch.add(
        encodeDumpRecord({
          type: 'end',
          znodes: walk.znodes,
          ephemeralZnodes,
          vanishedZnodes: walk.vanished,
          zxidEnd,
          treeDigest,
          finishedAt: new Date().toISOString(),
        }),
      );
      await batch.flush();
      if (zxidStart === undefined)
        notes.push(
          `${member.name} did not answer srvr: zxidEnd is the highest zxid seen in the znodes`,
        );
      if (walk.vanished > 0)
        notes.push(
          `${walk.vanished} znodes were deleted while the tree was read (the dump is not atomic)`,
        );
      if (ephemeralZnodes > 0)
        notes.push(
          `${ephemeralZnodes} ephemeral znodes recorded; a restore does not re-create them`,
        );
      return {
        member: member.name,
        position: { zxidStart: zxidStart ?? 'unknown', zxidEnd },
        fingerprint: zookeeperFingerprint({
          treeDigest,
          restorableZnodes: walk.znodes - ephemeralZnodes,
        }),
        notes,
      };
    } finally {
      await client.close();
    }
  }

  async close(): Promise<void> {
    // Each produce() opens and closes its own session.
  }
}

/**
 * The server to read from: the operator's choice (name, ID or endpoint), else a reachable
 * follower (least behind), then an observer, and the leader only when nothing else answers,
 * since reads on the leader compete with every write.
 */
export function chooseDumpMember(
  status: ClusterStatus,
  requested?: string,
): { member: MemberStatus; notes: string[] } {
  // A server without a leader (candidate) or in read-only mode (unknown) cannot serve a consistent read.
  const reachable = status.members.filter(
    (member) => member.reachable && ['leader', 'follower', 'observer'].includes(member.role),
  );
  if (requested !== undefined) {
    const member = status.members.find(
      (candidate) =>
        candidate.name === requested ||
        candidate.id === requested ||
        candidate.endpoint === requested ||
        sameHostPort(candidate.endpoint, requested),
    );
    if (member === undefined) {
      throw new UsageError('MEMBER_NOT_FOUND', `no member of ${status.cluster} is "${requested}"`, {
        actions: [`members: ${status.members.map((candidate) => candidate.name).join(', ')}`],
      });
    }
    if (!reachable.includes(member)) {
      throw new UsageError(
        'MEMBER_NOT_SERVING',
        `${member.name} cannot serve a backup now: ${member.error?.message ?? 'unreachable'}`,
        { actions: ['pick another member, or leave the choice to quorumctl'] },
      );
    }
    return { member, notes: [`read from ${member.name} as asked`] };
  }
  const byLag = (left: MemberStatus, right: MemberStatus) =>
    (left.lagEntries ?? 0) - (right.lagEntries ?? 0);
  const follower = reachable.filter((member) => member.role === 'follower').sort(byLag)[0];
  const observer = reachable.filter((member) => member.role === 'observer').sort(byLag)[0];
  const leader = reachable.find((member) => member.role === 'leader');
  const member = follower ?? observer ?? leader;
  if (member === undefined) {
    throw new UsageError(
      'NO_MEMBER_SERVING',
      `no member of ${status.cluster} is serving requests: a dump needs a server with a quorum`,
      { actions: [`quorumctl status --cluster ${status.cluster}`] },
    );
  }
  const why =
    member === leader
      ? 'the leader: no follower or observer was serving'
      : `a ${member.role}${(member.lagEntries ?? 0) > 0 ? ` ${member.lagEntries} entries behind` : ''}, to keep reads off the leader`;
  return { member, notes: [`read from ${member.name}, ${why}`] };
}

/** ZooKeeper's Stat under its own names, the ACL with permission names, the data as base64. */
export function dumpZnode(znode: Znode): DumpZnode {
  const { stat } = znode;
  return {
    type: 'znode',
    path: znode.path,
    kind: znodeKindOf(stat.ephemeralOwner),
    data: znode.data.toString('base64'),
    acl: znode.acl.map((entry) => ({
      scheme: entry.scheme,
      id: entry.id,
      permissions: [...entry.permissions],
    })),
    stat: {
      version: stat.version,
      cversion: stat.childrenVersion,
      aversion: stat.aclVersion,
      ctime: stat.createdAt,
      mtime: stat.modifiedAt,
      czxid: stat.createdZxid,
      mzxid: stat.modifiedZxid,
      pzxid: stat.childrenZxid,
      ephemeralOwner: stat.ephemeralOwner,
      dataLength: stat.dataLength,
      numChildren: stat.numChildren,
    },
  };
}

async function checkDump(
  data: AsyncIterable<Uint8Array>,
  manifest: BackupManifest,
): Promise<BackupStructureCheck> {
  const checker = new DumpChecker();
  let facts;
  try {
    for await (const record of parseDump(data)) checker.accept(record);
    facts = checker.finish();
  } catch (error) {
    if (error instanceof DumpFormatError)
      return {
        ok: false,
        facts: {},
        problem: `not a usable ZooKeeper tree dump: ${error.message}`,
      };
    throw error;
  }
  const found = {
    root: facts.root,
    member: facts.member,
    zxidStart: facts.zxidStart,
    zxidEnd: facts.zxidEnd,
    znodes: facts.znodes,
    restorableZnodes: facts.restorableZnodes,
    ephemeralZnodes: facts.ephemeralZnodes,
    dataBytes: facts.dataBytes,
    treeDigest: facts.treeDigest,
  };
  const recorded = manifest.fingerprint;
  const expected = zookeeperFingerprint(facts);
  if (
    recorded !== undefined &&
    (String(recorded.treeDigest) !== expected.treeDigest ||
      Number(recorded.znodes) !== expected.znodes)
  ) {
    return {
      ok: false,
      facts: found,
      problem: `the dump's tree (${expected.znodes} znodes, ${expected.treeDigest}) is not the one the manifest records (${String(recorded.znodes)} znodes, ${String(recorded.treeDigest)})`,
    };
  }
  return { ok: true, facts: found };
}

async function restoreTestZooKeeper(input: RestoreTestInput): Promise<RestoreTestResult> {
  const cluster = await input.throwaway.start('zookeeper', 3, input.signal);
  try {
    const result = await restoreDumpInto(cluster.target, input.dataPath, {
      timeoutMs: 10_000,
      ...(input.signal !== undefined && { signal: input.signal }),
    });
    return { restoreMs: result.restoreMs, fingerprint: result.fingerprint };
  } finally {
    await cluster.destroy();
  }
}

/**
 * `RestoreIntoInput` has no way yet to say "restore into existing znodes"; a caller that has
 * the operator's typed confirmation passes `allowExistingZnodes` alongside.
 */
export type ZooKeeperRestoreIntoInput = RestoreIntoInput &
  Pick<TreeRestoreOptions, 'allowExistingZnodes'>;

async function restoreIntoZooKeeper(input: ZooKeeperRestoreIntoInput): Promise<RestoreIntoResult> {
  const result = await restoreDumpInto(input.target, input.dataPath, input.options, {
    ...(input.allowExistingZnodes !== undefined && {
      allowExistingZnodes: input.allowExistingZnodes,
    }),
  });
  return {
    restored: {
      znodes: result.counts.created + result.counts.updated,
      created: result.counts.created,
      updated: result.counts.updated,
      skippedEphemeral: result.counts.skippedEphemeral,
      madePersistent: result.counts.madePersistent,
      sequentialParents: result.counts.sequentialParents,
      restoreMs: result.restoreMs,
    },
    fingerprint: result.fingerprint,
  };
}

/** Pure: the steps of re-creating the tree into an empty ensemble, and what does not come back. */
export function planZooKeeperRestore(request: RestoreRequest): RestorePlan {
  const { manifest, targetCluster, members } = request;
  const servers = members.map((member) => member.clientUrl);
  const firstServer = hostPortText(servers[0] ?? 'HOST:2181');
  const fingerprint = manifest.fingerprint ?? {};
  return {
    apiVersion: 'quorumctl/v1',
    kind: 'RestorePlan',
    backup: manifest.name,
    systemKind: 'zookeeper',
    targetCluster,
    steps: [
      {
        id: 'prepare-ensemble',
        title: `Start ${targetCluster} as an empty ensemble (fresh data directories)`,
        detail: `servers: ${servers.join(', ') || '(none named)'}; the tree is re-created through the client API, so the servers must run with a quorum and hold no user znodes`,
      },
      {
        id: 'check-empty',
        title: 'Check that the ensemble has no znodes but /zookeeper',
        command: `zkCli.sh -server ${firstServer} ls /`,
        detail: 'expect [zookeeper]; quorumctl refuses a non-empty ensemble unless told to merge',
      },
      {
        id: 'restore-tree',
        title: `Re-create ${String(fingerprint.znodes ?? 'the')} znodes from ${manifest.name}, parents first, with their data and ACLs`,
        command: `quorumctl backup restore ${manifest.name} --dest ${dirname(request.dataPath)} --cluster ${targetCluster} --execute`,
        detail:
          'znodes whose ACL would lock the restore out get a temporary grant for a one-time digest identity, removed when the tree is complete',
      },
      {
        id: 'verify-digest',
        title: 'Compare the restored tree with the backup',
        detail: `tree digest ${String(fingerprint.treeDigest ?? '(recorded in the manifest)')}, read back from the restored ensemble`,
      },
      {
        id: 'move-clients',
        title: 'Point clients at the restored ensemble',
        detail:
          'applications re-create their ephemeral znodes (locks, leader latches, service registrations) when their sessions start',
      },
    ],
    warnings: [
      'znode versions (version, cversion, aversion), zxids and times are not preserved: every znode starts at version 0 with new zxids; clients that update conditionally on a version must re-read first',
      'ephemeral znodes are not restored: they belong to sessions of the old ensemble',
      'container and TTL znodes come back as persistent znodes',
      'sequential znodes keep their names, but the parent counter restarts: a new sequential child can collide with a restored one (NODE_EXISTS) until the counter passes it',
      'ACLs are written as recorded: digest ACLs work with the same user:password; ip, x509 or sasl entries need the same authentication providers on the target; the super digest (-Dzookeeper.DigestAuthenticationProvider.superDigest) lets an operator reach every znode',
      `read from ${manifest.member} between zxids ${String(manifest.position.zxidStart)} and ${String(manifest.position.zxidEnd)}: the dump is fuzzy within that range, like ZooKeeper's own snapshots`,
    ],
  };
}

/** Reads the server's last processed zxid from srvr (ZooKeeper always answers srvr); undefined if it cannot. */
async function lastZxid(endpoint: string, options: ConnectOptions): Promise<string | undefined> {
  try {
    const text = await sendFourLetterWord(endpoint, 'srvr', {
      timeoutMs: options.timeoutMs,
      ...(options.tls !== undefined && { tls: options.tls }),
      ...(options.signal !== undefined && { signal: options.signal }),
    });
    return parseSrvr(text).zxid;
  } catch {
    return undefined;
  }
}

async function connectData(
  member: MemberStatus,
  options: ConnectOptions,
): Promise<ZooKeeperDataClient> {
  try {
    return await ZooKeeperDataClient.connect([member.endpoint], {
      timeoutMs: options.timeoutMs,
      ...(options.auth !== undefined && { auth: options.auth }),
      ...(options.signal !== undefined && { signal: options.signal }),
    });
  } catch (error) {
    throw new UsageError(
      'BACKUP_SESSION_FAILED',
      `${member.name} (${member.endpoint}) did not accept a session: ${describeCause(error)}`,
      {
        actions: ['check the member with quorumctl status', 'name another member with --member'],
        cause: error,
      },
    );
  }
}

function walkError(error: unknown, root: string, member: MemberStatus): unknown {
  if (!(error instanceof ZooKeeperClientError)) return error;
  if (error.code === 'NO_AUTH') {
    return new UsageError(
      'BACKUP_READ_DENIED',
      `${error.path ?? root}: its ACL does not let this identity read it, so the dump would be incomplete`,
      {
        actions: [
          'pass --user/--password of a digest identity every znode grants READ',
          'or authenticate as the super user (servers started with -Dzookeeper.DigestAuthenticationProvider.superDigest=super:<digest>)',
        ],
        cause: error,
      },
    );
  }
  if (error.code === 'NO_NODE')
    return new UsageError('BACKUP_ROOT_NOT_FOUND', `${root} does not exist on ${member.name}`, {
      cause: error,
    });
  return error;
}

function dumpRoot(include: readonly string[] | undefined): string {
  if (include === undefined || include.length === 0) return '/';
  const [root] = include;
  if (
    include.length > 1 ||
    root === undefined ||
    !root.startsWith('/') ||
    (root !== '/' && root.endsWith('/'))
  ) {
    throw new UsageError(
      'BACKUP_BAD_INCLUDE',
      `a ZooKeeper dump takes one root znode path, got ${include.join(', ')}`,
      {
        actions: ['give one absolute path such as /app, or nothing for the whole tree'],
      },
    );
  }
  return root;
}

function sameHostPort(endpoint: string, requested: string): boolean {
  try {
    const left = serverAddress(endpoint);
    const right = serverAddress(requested);
    return left.host === right.host && left.port === right.port;
  } catch {
    return false;
  }
}

function hostPortText(endpoint: string): string {
  try {
    const address = serverAddress(endpoint);
    return `${address.host}:${address.port}`;
  } catch {
    return endpoint;
  }
}

/** Collects lines into chunks of about SINK_BATCH_BYTES: one sink write per batch, not per znode. */
class SinkBatcher {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly sink: BackupSink) {}

  async add(line: string): Promise<void> {
    this.parts.push(line);
    this.size += line.length;
    if (this.size >= SINK_BATCH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const chunk = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.size = 0;
    await this.sink.write(chunk);
  }
}
