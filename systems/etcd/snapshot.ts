/**
 * etcd backups: a snapshot streamed from one healthy member (a follower unless the operator
 * names one), read as a bbolt file while it passes (structure and revision), and fingerprinted
 * afterwards with HashKV and the key count at that revision, so a restore test can prove
 * the restored data is the same.
 */
import { BACKUP_FORMATS, type BackupManifest } from '../../core/backup/manifest.js';
import type {
  BackupFingerprint,
  BackupKindSupport,
  BackupProducer,
  BackupSink,
  BackupStructureCheck,
  ProduceBackupRequest,
  ProducedBackup,
} from '../../core/backup/producer.js';
import { describeCause, UnreachableError, UsageError } from '../../core/errors.js';
import type { ClusterStatus, MemberStatus } from '../../core/model.js';
import type { ClusterTarget, ConnectOptions } from '../../core/ports.js';
import { HttpTransportError } from '../transport/http.js';
import { connect } from './adapter.js';
import { EtcdGateway } from './gateway.js';
import { BboltSnapshotReader, SnapshotStructureError, type BboltFacts } from './snapshot-bbolt.js';
import { readFingerprint } from './snapshot-fingerprint.js';
import { grpcSnapshotMessages } from './snapshot-grpc.js';
import { snapshotMessages, type SnapshotMessage } from './snapshot-stream.js';
import { planEtcdRestore } from './restore-plan.js';
import { restoreTestEtcd } from './restore-test.js';

/** Silence allowed between snapshot messages; a big database streams steadily once started. */
const MIN_IDLE_TIMEOUT_MS = 30_000;
/** HashKV walks every key up to the revision: seconds on a large database. */
const MIN_FINGERPRINT_TIMEOUT_MS = 60_000;
const SHA256_TRAILER_BYTES = 32;

export const backupSupport: BackupKindSupport = {
  kind: 'etcd',
  format: BACKUP_FORMATS.etcd,
  dataFileExtension: '.db',
  openProducer: (target, options) => new EtcdSnapshotProducer(target, options),
  checkStructure: checkSnapshotStructure,
  restoreTest: restoreTestEtcd,
  planRestore: planEtcdRestore,
  restoreMembers: async (target, options) => {
    const gateway = new EtcdGateway(options);
    let lastError: unknown;
    for (const endpoint of target.endpoints) {
      try {
        const { members = [] } = await gateway.memberList(endpoint);
        return members.map((member) => ({
          name: member.name ?? member.ID ?? 'unnamed',
          clientUrl: member.clientURLs?.[0] ?? '',
          ...(member.peerURLs?.[0] !== undefined && { peerUrl: member.peerURLs[0] }),
        }));
      } catch (cause) {
        lastError = cause;
      }
    }
    throw new UnreachableError(
      'CLUSTER_UNREACHABLE',
      `no endpoint of "${target.name}" lists its members: ${describeCause(lastError)}`,
      { actions: ['name the members instead: --members NAME=PEER_URL,...'] },
    );
  },
};

class EtcdSnapshotProducer implements BackupProducer {
  private readonly gateway: EtcdGateway;

  constructor(
    private readonly target: ClusterTarget,
    private readonly options: ConnectOptions,
  ) {
    this.gateway = new EtcdGateway(options);
  }

  async produce(request: ProduceBackupRequest, sink: BackupSink): Promise<ProducedBackup> {
    const signal = request.signal ?? this.options.signal;
    const adapter = connect(this.target, {
      ...this.options,
      ...(signal !== undefined && { signal }),
    });
    const status = await adapter.status();
    const choice = chooseSnapshotMember(status, request.member);
    const member = choice.member;
    const token = await this.gateway.authToken(member.endpoint);
    const reader = new BboltSnapshotReader();
    const stream = {
      ...(this.options.tls !== undefined && { tls: this.options.tls }),
      ...(token !== undefined && { token }),
      idleTimeoutMs: Math.max(this.options.timeoutMs, MIN_IDLE_TIMEOUT_MS),
      ...(signal !== undefined && { signal }),
    };
    const transport = request.transport ?? 'auto';
    if (!['auto', 'grpc', 'gateway'].includes(transport)) {
      throw new UsageError(
        'TRANSPORT_INVALID',
        `etcd backups use grpc or gateway, not ${transport}`,
        {
          actions: ['pass --transport grpc, gateway or auto'],
        },
      );
    }
    let received = 0;
    const copy = async (messages: AsyncIterable<SnapshotMessage>) => {
      for await (const message of messages) {
        if (received === 0) {
          // The first message tells the database size: what follows plus this blob, plus the hash.
          sink.expectTotalBytes(
            message.remainingBytes + message.blob.length + SHA256_TRAILER_BYTES,
          );
        }
        received += message.blob.length;
        reader.push(message.blob);
        await sink.write(message.blob);
      }
    };
    const notes: string[] = [];
    try {
      if (transport === 'gateway') await copy(snapshotMessages(member.endpoint, stream));
      else {
        try {
          await copy(grpcSnapshotMessages(member.endpoint, stream));
        } catch (cause) {
          // auto: gRPC refused before any data (a proxy that passes only HTTP/1.1, say):
          // the JSON gateway serves the same stream, slower.
          if (transport === 'grpc' || received > 0 || !gatewayMayHelp(cause)) throw cause;
          notes.push(`gRPC snapshot failed (${describeCause(cause)}); used the JSON gateway`);
          await copy(snapshotMessages(member.endpoint, stream));
        }
      }
    } catch (cause) {
      throw snapshotFailed(cause, member);
    }
    const facts = finishOrThrow(reader, member);
    if (!facts.hashTrailer) {
      throw new UnreachableError(
        'SNAPSHOT_INCOMPLETE',
        `the snapshot from ${member.name} (${member.endpoint}) ended without etcd's SHA-256 trailer: the stream was cut`,
        { actions: ['run the backup again', `check ${member.name}'s log for snapshot errors`] },
      );
    }
    notes.unshift(...choice.notes);
    const fingerprint = await this.fingerprint(member, facts.revision, token, signal).catch(
      (cause: unknown) => {
        notes.push(`no fingerprint (a restore test will compare nothing): ${describeCause(cause)}`);
        return undefined;
      },
    );
    return {
      member: member.name,
      position: { revision: facts.revision },
      ...(fingerprint !== undefined && { fingerprint }),
      ...(member.version !== undefined && { serverVersion: member.version }),
      notes,
    };
  }

  async close(): Promise<void> {
    // Every call used its own connection.
  }

  /** HashKV and the key count at the snapshot's revision, read from the member that sent it. */
  private fingerprint(
    member: MemberStatus,
    revision: number,
    token: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<BackupFingerprint> {
    return readFingerprint(member.endpoint, revision, {
      timeoutMs: Math.max(this.options.timeoutMs, MIN_FINGERPRINT_TIMEOUT_MS),
      ...(this.options.tls !== undefined && { tls: this.options.tls }),
      ...(token !== undefined && { token }),
      ...(signal !== undefined && { signal }),
    });
  }
}

export interface SnapshotMemberChoice {
  member: MemberStatus;
  notes: string[];
}

/**
 * The member to read from: the one named (by name, ID or client URL), else the healthy
 * follower that lags least (a snapshot costs the sender disk and network bandwidth, which
 * the leader needs for replication), else the leader when it is the only healthy member.
 */
export function chooseSnapshotMember(status: ClusterStatus, wanted?: string): SnapshotMemberChoice {
  const members = status.members;
  if (wanted !== undefined) {
    const named = members.find(
      (member) =>
        member.name === wanted || member.id === wanted || sameUrl(member.endpoint, wanted),
    );
    if (named === undefined) {
      throw new UsageError(
        'MEMBER_UNKNOWN',
        `cluster "${status.cluster}" has no member "${wanted}"`,
        {
          actions: [`members are: ${members.map((member) => member.name).join(', ')}`],
        },
      );
    }
    if (!named.reachable) {
      throw new UnreachableError(
        'MEMBER_UNREACHABLE',
        `member ${named.name} (${named.endpoint}) does not answer: ${named.error?.message ?? 'unreachable'}`,
        { actions: ['pick another member with --member, or leave it out to let quorumctl choose'] },
      );
    }
    return {
      member: named,
      notes: named.role === 'leader' ? [`reading from the leader ${named.name}, as asked`] : [],
    };
  }
  const healthy = members.filter(
    (member) =>
      member.reachable &&
      member.role !== 'learner' &&
      !member.alarms.includes('CORRUPT') &&
      (member.reportedErrors ?? []).length === 0,
  );
  const followers = healthy
    .filter((member) => member.role === 'follower')
    .sort((a, b) => (a.lagEntries ?? 0) - (b.lagEntries ?? 0) || a.name.localeCompare(b.name));
  const follower = followers[0];
  if (follower !== undefined) return { member: follower, notes: [] };
  const leader = healthy.find((member) => member.role === 'leader');
  if (leader !== undefined) {
    return {
      member: leader,
      notes: [
        members.length === 1
          ? `reading from ${leader.name}, the only member`
          : `reading from the leader ${leader.name}: no follower is healthy`,
      ],
    };
  }
  throw new UnreachableError(
    'NO_HEALTHY_MEMBER',
    `cluster "${status.cluster}" has no healthy member to take a snapshot from`,
    {
      actions: [
        'quorumctl status shows what each member reports',
        'name a reachable member with --member to read from it anyway',
      ],
    },
  );
}

async function checkSnapshotStructure(
  data: AsyncIterable<Uint8Array>,
  manifest: BackupManifest,
): Promise<BackupStructureCheck> {
  const reader = new BboltSnapshotReader();
  for await (const chunk of data) reader.push(chunk);
  let facts: BboltFacts;
  try {
    facts = reader.finish();
  } catch (cause) {
    if (cause instanceof SnapshotStructureError)
      return { ok: false, facts: {}, problem: `not a usable etcd snapshot: ${cause.message}` };
    throw cause;
  }
  const found = {
    revision: facts.revision,
    totalKeys: facts.totalKeys,
    totalSizeBytes: facts.totalSizeBytes,
    pageSizeBytes: facts.pageSizeBytes,
  };
  const recorded = manifest.position.revision;
  if (recorded !== undefined && Number(recorded) !== facts.revision) {
    return {
      ok: false,
      facts: found,
      problem: `the snapshot's revision is ${facts.revision}, the manifest says ${recorded}`,
    };
  }
  if (!facts.hashTrailer) {
    return {
      ok: false,
      facts: found,
      problem: "etcd's SHA-256 trailer is missing: etcdctl snapshot restore would refuse it",
    };
  }
  return { ok: true, facts: found };
}

function finishOrThrow(reader: BboltSnapshotReader, member: MemberStatus): BboltFacts {
  try {
    return reader.finish();
  } catch (cause) {
    if (cause instanceof SnapshotStructureError) {
      throw new UnreachableError(
        'SNAPSHOT_INVALID',
        `the snapshot from ${member.name} (${member.endpoint}) is not a valid bbolt database: ${cause.message}`,
        {
          actions: [
            'run the backup again (from another member: --member NAME)',
            `if it repeats, compare etcdctl endpoint hashkv across members and read ${member.name}'s log`,
          ],
          cause,
        },
      );
    }
    throw cause;
  }
}

/** Protocol-level gRPC failures (not auth, not an abort) that the JSON gateway may not have. */
function gatewayMayHelp(cause: unknown): boolean {
  if (!(cause instanceof HttpTransportError)) return false;
  return !['ABORTED', 'AUTH_FAILED', 'ECONNREFUSED', 'TIMEOUT'].includes(cause.code);
}

/** Transport failures mid-stream name the member; an abort stays an abort for ops/ to report. */
function snapshotFailed(cause: unknown, member: MemberStatus): unknown {
  if (!(cause instanceof HttpTransportError) || cause.code === 'ABORTED') return cause;
  const denied =
    cause.code === 'AUTH_FAILED' || cause.code === 'HTTP_401' || cause.code === 'HTTP_403';
  const options = {
    actions: denied
      ? [
          'the snapshot needs the root role in etcd 3.4: pass --user root (password in QUORUMCTL_PASSWORD)',
        ]
      : ['run the backup again', 'pick another member with --member NAME'],
    details: { member: member.name, endpoint: member.endpoint, code: cause.code },
    cause,
  };
  const message = `the snapshot from ${member.name} (${member.endpoint}) failed: ${cause.message}`;
  return denied
    ? new UsageError('AUTH_FAILED', message, options)
    : new UnreachableError('SNAPSHOT_FAILED', message, options);
}

function sameUrl(a: string, b: string): boolean {
  const normalize = (url: string) =>
    url
      .replace(/\/+$/, '')
      .replace('://localhost:', '://127.0.0.1:')
      .replace(/^etcd(\+https)?:\/\//, (_, tls) => (tls === undefined ? 'http://' : 'https://'));
  return normalize(a) === normalize(b);
}
