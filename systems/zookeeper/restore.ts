/**
 * Re-creates a dumped znode tree in a running ensemble: parents first, same data and ACLs,
 * ephemeral znodes left out; reads the tree back into a digest to compare with the dump.
 */
import { createReadStream } from 'node:fs';
import {
  DumpFormatError,
  isRestorable,
  parentPath,
  parseDump,
  pathDepth,
  type DumpAcl,
  type DumpRecord,
  type DumpZnode,
  znodeKindOf,
} from '../../core/backup/zookeeper-dump.js';
import { TreeDigest } from '../../core/backup/zookeeper-digest.js';
import {
  describeCause,
  UnreachableError,
  UnsafeOperationError,
  UsageError,
} from '../../core/errors.js';
import type { ClusterTarget, ConnectOptions } from '../../core/ports.js';
import { ZooKeeperClientError, ZooKeeperDataClient } from './client.js';
import { walkTree, type ZnodeReader } from './backup-walk.js';
import {
  digestAclId,
  restoreIdentity,
  ZooKeeperRestoreSession,
  type DigestIdentity,
} from './restore-session.js';

/** Creates in flight at once; the client pipelines them over one connection. */
const DEFAULT_CONCURRENCY = 64;

export interface TreeRestoreOptions {
  /**
   * Restore into an ensemble that already has user znodes: existing znodes get the dump's
   * data and ACL, znodes not in the dump are left alone. Off by default: the restore refuses.
   */
  allowExistingZnodes?: boolean;
  concurrency?: number;
  signal?: AbortSignal;
}

export interface TreeRestoreCounts {
  /** Znodes created. */
  created: number;
  /** Znodes that existed (always `/`) and were given the dump's data and ACL. */
  updated: number;
  /** Ephemeral znodes in the dump, not re-created: they belong to sessions. */
  skippedEphemeral: number;
  /** Container and TTL znodes, re-created as persistent (the client cannot create them). */
  madePersistent: number;
  /** Parents with sequential-looking children (10-digit suffix): their counter restarts. */
  sequentialParents: number;
}

/** A znode whose final ACL is set after the tree is complete (see `createTree`). */
export interface PendingAcl {
  path: string;
  acl: DumpAcl[];
}

export const ALL_PERMISSIONS: DumpAcl['permissions'] = [
  'READ',
  'WRITE',
  'CREATE',
  'DELETE',
  'ADMIN',
];

/** The ACL entry that lets the restore identity finish a znode (and read it back). */
export function restoreGrant(identity: DigestIdentity): DumpAcl {
  return { scheme: 'digest', id: digestAclId(identity), permissions: [...ALL_PERMISSIONS] };
}

/** `world:anyone` may do everything: the restore needs no help to fill or read the znode. */
export function grantsEveryoneAll(acl: readonly DumpAcl[]): boolean {
  return acl.some(
    (entry) =>
      entry.scheme === 'world' &&
      entry.id === 'anyone' &&
      ALL_PERMISSIONS.every((permission) => entry.permissions.includes(permission)),
  );
}

/**
 * Creates the dump's znodes in dump order (parents before children), up to `concurrency`
 * requests in flight: ZooKeeper executes one session's requests in the order they were sent
 * (FIFO client order), so a child sent after its parent is created after it. A znode
 * whose ACL would lock the restore out (no `world:anyone` ALL) is created with its ACL plus
 * `grant`, so its children can be created and the tree read back; `applyFinalAcls` then sets
 * the dumped ACL exactly. The dumped ACL is otherwise written as is (digest, ip, world...).
 */
export async function createTree(
  records: AsyncIterable<DumpRecord>,
  session: ZooKeeperRestoreSession,
  grant: DumpAcl,
  options: TreeRestoreOptions = {},
): Promise<{ root: string; counts: TreeRestoreCounts; pendingAcls: PendingAcl[] }> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const counts: TreeRestoreCounts = {
    created: 0,
    updated: 0,
    skippedEphemeral: 0,
    madePersistent: 0,
    sequentialParents: 0,
  };
  const pendingAcls: PendingAcl[] = [];
  const sequentialParents = new Set<string>();
  const running = new Set<Promise<void>>();
  let firstError: unknown;
  let root: string | undefined;

  const upsert = async (znode: DumpZnode, acl: DumpAcl[]) => {
    const data = Buffer.from(znode.data, 'base64');
    if (znode.path !== '/') {
      try {
        await session.create(znode.path, data, acl);
        counts.created += 1;
        return;
      } catch (error) {
        if (!(error instanceof ZooKeeperClientError && error.code === 'NODE_EXISTS')) throw error;
        if (options.allowExistingZnodes !== true) throw notEmpty(znode.path, error);
      }
    }
    await session.setData(znode.path, data);
    await session.setAcl(znode.path, acl);
    counts.updated += 1;
  };

  for await (const record of records) {
    if (firstError !== undefined) break;
    if (record.type === 'header') {
      root = record.root;
      await refuseUnlessEmpty(session, root, options);
      await createAncestors(session, root);
      continue;
    }
    if (record.type === 'end') continue;
    if (root === undefined) throw new DumpFormatError('the first line is not the header', 1);
    if (!isRestorable(record)) {
      counts.skippedEphemeral += 1;
      continue;
    }
    if (record.kind !== 'persistent') counts.madePersistent += 1;
    const parent = parentPath(record.path);
    if (parent !== undefined && /\d{10}$/.test(record.path)) sequentialParents.add(parent);
    const locksOut = !grantsEveryoneAll(record.acl);
    if (locksOut) pendingAcls.push({ path: record.path, acl: record.acl });
    const acl = locksOut ? [...record.acl, grant] : record.acl;

    while (running.size >= concurrency) await Promise.race(running);
    const tracked: Promise<void> = upsert(record, acl).then(
      () => undefined,
      (error: unknown) => {
        firstError ??= error;
      },
    );
    running.add(tracked);
    void tracked.finally(() => running.delete(tracked));
  }
  await Promise.all(running);
  if (firstError !== undefined) throw restoreError(firstError);
  if (root === undefined) throw new DumpFormatError('empty dump', 1);
  counts.sequentialParents = sequentialParents.size;
  return { root, counts, pendingAcls };
}

/** Sets each held-back ACL to the dumped one; ZooKeeper checks ADMIN on the znode itself only, so order does not matter. */
export async function applyFinalAcls(
  session: ZooKeeperRestoreSession,
  pendingAcls: readonly PendingAcl[],
  concurrency = DEFAULT_CONCURRENCY,
): Promise<void> {
  // Deepest first anyway: a failure half-way leaves parents still open to the restore identity.
  const ordered = [...pendingAcls].sort(
    (left, right) => pathDepth(right.path) - pathDepth(left.path),
  );
  for (let start = 0; start < ordered.length; start += concurrency) {
    await Promise.all(
      ordered.slice(start, start + concurrency).map(({ path, acl }) => session.setAcl(path, acl)),
    );
  }
}

/**
 * The digest of a live tree as the dump computes it (ephemeral znodes and `/zookeeper`
 * left out), with the restore identity's grant removed from each ACL.
 */
export async function readTreeDigest(
  reader: ZnodeReader,
  root: string,
  ignoredAclIds: readonly string[] = [],
  signal?: AbortSignal,
): Promise<{ treeDigest: string; znodes: number }> {
  const digest = new TreeDigest();
  await walkTree(
    reader,
    {
      root,
      concurrency: 32,
      skip: (path) => path === '/zookeeper',
      ...(signal !== undefined && { signal }),
    },
    (znode) => {
      if (znodeKindOf(znode.stat.ephemeralOwner) === 'ephemeral') return Promise.resolve();
      digest.add({
        path: znode.path,
        data: znode.data,
        acl: znode.acl.filter(
          (entry) => !(entry.scheme === 'digest' && ignoredAclIds.includes(entry.id)),
        ),
      });
      return Promise.resolve();
    },
  );
  return { treeDigest: digest.digest(), znodes: digest.count };
}

export interface DumpRestoreResult {
  counts: TreeRestoreCounts;
  /** Read back after the znodes were created, before the held-back ACLs were set. */
  fingerprint: { treeDigest: string; znodes: number };
  /** Creating the tree plus setting the held-back ACLs, without the read-back. */
  restoreMs: number;
  endpoint: string;
}

/**
 * Restores a dump file into the ensemble `target`: one server is used for writing and for
 * reading back, so the read-back sees every write. The operator's credentials are added to
 * the session (needed when `/` itself is locked down).
 */
export async function restoreDumpInto(
  target: ClusterTarget,
  dataPath: string,
  options: ConnectOptions,
  restoreOptions: TreeRestoreOptions = {},
): Promise<DumpRestoreResult> {
  const identity = restoreIdentity();
  const identities: DigestIdentity[] = [identity];
  const { username, password } = options.auth ?? {};
  if (username !== undefined && password !== undefined) identities.push({ username, password });
  const signal = restoreOptions.signal ?? options.signal;
  const { session, endpoint } = await openOnFirstServer(target, identities, options);
  const grant = restoreGrant(identity);
  try {
    const started = performance.now();
    const { root, counts, pendingAcls } = await createTree(
      parseDump(createReadStream(dataPath)),
      session,
      grant,
      { ...restoreOptions, ...(signal !== undefined && { signal }) },
    );
    const createdMs = performance.now() - started;
    const reader = await ZooKeeperDataClient.connect([endpoint], {
      auth: identity,
      timeoutMs: options.timeoutMs,
      ...(signal !== undefined && { signal }),
    });
    let fingerprint;
    try {
      fingerprint = await readTreeDigest(reader, root, [grant.id], signal);
    } finally {
      await reader.close();
    }
    const aclsStarted = performance.now();
    await applyFinalAcls(session, pendingAcls);
    const restoreMs = Math.round(createdMs + performance.now() - aclsStarted);
    return { counts, fingerprint, restoreMs, endpoint };
  } finally {
    await session.close();
  }
}

async function openOnFirstServer(
  target: ClusterTarget,
  identities: DigestIdentity[],
  options: ConnectOptions,
): Promise<{ session: ZooKeeperRestoreSession; endpoint: string }> {
  const failures: string[] = [];
  for (const endpoint of target.endpoints) {
    try {
      const session = await ZooKeeperRestoreSession.connect({
        endpoint,
        identities,
        timeoutMs: options.timeoutMs,
        ...(options.signal !== undefined && { signal: options.signal }),
      });
      return { session, endpoint };
    } catch (error) {
      if (error instanceof ZooKeeperClientError && error.code === 'TLS_UNSUPPORTED') {
        failures.push(error.message);
        continue;
      }
      failures.push(`${endpoint}: ${describeCause(error)}`);
    }
  }
  throw new UnreachableError(
    'CLUSTER_UNREACHABLE',
    `no server of ZooKeeper cluster ${target.name} accepted a session for the restore`,
    {
      actions: [
        'check that the target ensemble is running and has a quorum (quorumctl status)',
        'restores need a plain clientPort: node-zookeeper-client cannot speak TLS',
      ],
      details: { attempts: failures },
    },
  );
}

/** Refuses an ensemble that has user znodes (anything but `/zookeeper`) unless allowed. */
async function refuseUnlessEmpty(
  session: ZooKeeperRestoreSession,
  root: string,
  options: TreeRestoreOptions,
): Promise<void> {
  if (options.allowExistingZnodes === true) return;
  const existing =
    root === '/'
      ? (await session.getChildren('/'))
          .filter((child) => child !== 'zookeeper')
          .map((child) => `/${child}`)
      : (await session.exists(root))
        ? [root]
        : [];
  if (existing.length > 0) throw notEmpty(existing.slice(0, 5).join(', '));
}

/** A dump of `/a/b` needs `/a`: created open and empty, and said so in the result. */
async function createAncestors(session: ZooKeeperRestoreSession, root: string): Promise<void> {
  const ancestors: string[] = [];
  for (let path = parentPath(root); path !== undefined && path !== '/'; path = parentPath(path))
    ancestors.unshift(path);
  for (const path of ancestors) {
    try {
      await session.create(path, Buffer.alloc(0), [
        { scheme: 'world', id: 'anyone', permissions: [...ALL_PERMISSIONS] },
      ]);
    } catch (error) {
      if (!(error instanceof ZooKeeperClientError && error.code === 'NODE_EXISTS')) throw error;
    }
  }
}

function notEmpty(found: string, cause?: unknown): UnsafeOperationError {
  return new UnsafeOperationError(
    'RESTORE_TARGET_NOT_EMPTY',
    `the target ensemble already has znodes (${found}): a ZooKeeper restore re-creates the tree into an empty ensemble`,
    {
      actions: [
        'restore into a new, empty ensemble (fresh data directories), then move clients to it',
        'or, knowing that existing znodes get the backup data and ACL and others stay, allow restoring into existing znodes (--force)',
      ],
      cause,
    },
  );
}

/** NO_AUTH here means the target's own ACLs (on `/` or existing znodes) lock the restore out. */
function restoreError(error: unknown): unknown {
  if (error instanceof ZooKeeperClientError && error.code === 'NO_AUTH') {
    return new UsageError(
      'RESTORE_NOT_AUTHORIZED',
      `restore refused by the target: ${error.message}`,
      {
        actions: [
          "pass credentials the target's ACL on / grants CREATE (--user/--password, digest)",
          'or authenticate as the super user: start the servers with -Dzookeeper.DigestAuthenticationProvider.superDigest=super:<digest> and pass --user super',
        ],
        cause: error,
      },
    );
  }
  return error;
}
