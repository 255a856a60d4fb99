/** A promise-based ZooKeeper data client (node-zookeeper-client underneath) for backups and drills: connect, digest auth, read znodes. */
import type * as zookeeper from 'node-zookeeper-client';
import type { AuthOptions } from '../../core/ports.js';
import { serverAddress } from './four-letter-words.js';
import { hostPortOf } from './member-status.js';
import { ZooKeeperClientError } from './client-error.js';
import { parseMembership, type Membership } from './parsers.js';
import { loadLibrary, within, type Library } from './session-support.js';

export interface ZooKeeperClientOptions {
  /** `username`/`password` become the digest identity `username:password`. */
  auth?: AuthOptions;
  /** Budget for connecting and for each call. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Requested session timeout; the server clamps it to its min/max (2 and 20 ticks by default). */
  sessionTimeoutMs?: number;
}

export { ZooKeeperClientError, type ZooKeeperClientErrorCode } from './client-error.js';

/** A znode's Stat with zxids as hex strings and times as ISO 8601 (the wire has 64-bit integers). */
export interface ZnodeStat {
  createdZxid: string;
  modifiedZxid: string;
  /** zxid of the last change to the children. */
  childrenZxid: string;
  createdAt: string;
  modifiedAt: string;
  version: number;
  childrenVersion: number;
  aclVersion: number;
  /** Session that owns an ephemeral znode; `0x0` for a persistent one. */
  ephemeralOwner: string;
  dataLength: number;
  numChildren: number;
}

export type ZnodePermission = 'READ' | 'WRITE' | 'CREATE' | 'DELETE' | 'ADMIN';

export interface ZnodeAcl {
  scheme: string;
  id: string;
  permissions: ZnodePermission[];
}

export interface Znode {
  path: string;
  data: Buffer;
  stat: ZnodeStat;
  acl: ZnodeAcl[];
}

/**
 * `open`: anyone may do anything (ZooKeeper's OPEN_ACL_UNSAFE). `creator`: only the
 * identities this client authenticated as (CREATOR_ALL_ACL, needs digest auth).
 */
export type AclPolicy = 'open' | 'creator';

const PERMISSIONS: ZnodePermission[] = ['READ', 'WRITE', 'CREATE', 'DELETE', 'ADMIN'];

export class ZooKeeperDataClient {
  private constructor(
    private readonly library: Library,
    private readonly client: zookeeper.Client,
    private readonly options: ZooKeeperClientOptions,
  ) {}

  /**
   * Opens a session with any server of `endpoints` (URLs or `host:port`). The library
   * retries forever on its own, so the timeout and the signal end the attempt here.
   */
  static async connect(
    endpoints: readonly string[],
    options: ZooKeeperClientOptions,
  ): Promise<ZooKeeperDataClient> {
    const connectString = connectStringOf(endpoints);
    const library = await loadLibrary();
    const client = library.createClient(connectString, {
      sessionTimeout: options.sessionTimeoutMs ?? 10_000,
      spinDelay: 200,
      retries: 0,
    });
    const { username, password } = options.auth ?? {};
    if (username !== undefined && password !== undefined) {
      client.addAuthInfo('digest', Buffer.from(`${username}:${password}`));
    }
    const ready = new Promise<void>((resolve, reject) => {
      client.once('connected', resolve);
      client.once('authenticationFailed', () => {
        reject(
          new ZooKeeperClientError('AUTH_FAILED', `${connectString} rejected the credentials`),
        );
      });
    });
    client.connect();
    try {
      await within(ready, options, `no server of ${connectString} accepted a session`);
    } catch (error) {
      client.close();
      throw error;
    }
    return new ZooKeeperDataClient(library, client, options);
  }

  getChildren(path: string): Promise<string[]> {
    return this.call(path, (done) => {
      this.client.getChildren(path, (error, children) => {
        done(error, children);
      });
    });
  }

  /** Data, Stat and ACL of one znode (the ACL is a second read, so not atomic with the data). */
  async getData(path: string): Promise<Znode> {
    const [[data, stat], acl] = await Promise.all([
      this.call(path, (done: (error: unknown, value: [Buffer, zookeeper.Stat]) => void) => {
        this.client.getData(path, (error, value, stat) => {
          done(error, [Buffer.isBuffer(value) ? value : Buffer.alloc(0), stat]);
        });
      }),
      this.call(path, (done: (error: unknown, value: zookeeper.ACL[]) => void) => {
        this.client.getACL(path, (error, acls) => {
          done(error, acls);
        });
      }),
    ]);
    return { path, data, stat: znodeStat(stat), acl: acl.map(znodeAcl) };
  }

  /** The ensemble's dynamic configuration from `/zookeeper/config` (what `getConfig` returns). */
  async readConfig(): Promise<{ text: string; membership: Membership }> {
    const { data } = await this.getData('/zookeeper/config');
    const text = data.toString('utf8');
    return { text, membership: parseMembership(text) };
  }

  /** Creates a persistent znode; drills and tests write with it. */
  create(path: string, data: Buffer, acl: AclPolicy = 'open'): Promise<string> {
    const { ACL, Id, Permission, CreateMode } = this.library;
    const acls =
      acl === 'open'
        ? [new ACL(Permission.ALL, new Id('world', 'anyone'))]
        : [new ACL(Permission.ALL, new Id('auth', ''))];
    return this.call(path, (done) => {
      this.client.create(path, data, acls, CreateMode.PERSISTENT, (error, created) => {
        done(error, created);
      });
    });
  }

  remove(path: string): Promise<void> {
    return this.call(path, (done) => {
      this.client.remove(path, -1, (error) => {
        done(error, undefined);
      });
    });
  }

  /** Ends the session (its ephemeral znodes go with it) and waits, briefly, for the server to confirm. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      this.client.once('disconnected', resolve);
    });
    this.client.close();
    await within(closed, { timeoutMs: this.options.timeoutMs }, 'close').catch(() => undefined);
  }

  private call<T>(
    path: string,
    start: (done: (error: unknown, value: T) => void) => void,
  ): Promise<T> {
    const result = new Promise<T>((resolve, reject) => {
      start((error, value) => {
        if (error === null || error === undefined) resolve(value);
        else reject(clientError(error, path));
      });
    });
    return within(result, this.options, path);
  }
}

function connectStringOf(endpoints: readonly string[]): string {
  if (endpoints.length === 0) throw new ZooKeeperClientError('BAD_ENDPOINT', 'no endpoints given');
  return endpoints
    .map((endpoint) => {
      let address;
      try {
        address = serverAddress(endpoint);
      } catch (cause) {
        throw new ZooKeeperClientError(
          'BAD_ENDPOINT',
          `"${endpoint}" is not HOST:PORT`,
          undefined,
          {
            cause,
          },
        );
      }
      if (address.tls) {
        throw new ZooKeeperClientError(
          'TLS_UNSUPPORTED',
          `${endpoint}: the data client (node-zookeeper-client) cannot speak TLS; use a plain clientPort`,
        );
      }
      return hostPortOf(address);
    })
    .join(',');
}

function clientError(error: unknown, path: string): ZooKeeperClientError {
  // The library's Exception carries ZooKeeper's code name (NO_NODE, NO_AUTH, ...).
  const name =
    typeof error === 'object' && error !== null && 'getName' in error
      ? (error as zookeeper.Exception).getName()
      : 'UNKNOWN';
  return new ZooKeeperClientError(name, `${path}: ${REASONS[name] ?? name}`, path, {
    cause: error,
  });
}

const REASONS: Record<string, string> = {
  NO_NODE: 'no such znode',
  NO_AUTH:
    'not authorized: the znode ACL does not grant this identity (check --user and the password)',
  NODE_EXISTS: 'the znode already exists',
  NOT_EMPTY: 'the znode has children',
  CONNECTION_LOSS: 'connection to the server lost before it answered',
  SESSION_EXPIRED: 'the session expired',
  AUTH_FAILED: 'authentication failed',
};

function znodeStat(stat: zookeeper.Stat): ZnodeStat {
  return {
    createdZxid: hexOf(stat.czxid),
    modifiedZxid: hexOf(stat.mzxid),
    childrenZxid: hexOf(stat.pzxid),
    createdAt: timeOf(stat.ctime),
    modifiedAt: timeOf(stat.mtime),
    version: stat.version,
    childrenVersion: stat.cversion,
    aclVersion: stat.aversion,
    ephemeralOwner: hexOf(stat.ephemeralOwner),
    dataLength: stat.dataLength,
    numChildren: stat.numChildren,
  };
}

function znodeAcl(acl: zookeeper.ACL): ZnodeAcl {
  // @types/node-zookeeper-client says `perms`; the library sets `permission`.
  const bits = (acl as { permission?: number }).permission ?? acl.perms;
  return {
    scheme: acl.id.scheme,
    id: acl.id.id,
    // Bits 1, 2, 4, 8, 16 in ZooKeeper's order.
    permissions: PERMISSIONS.filter((_, bit) => (bits & (1 << bit)) !== 0),
  };
}

function hexOf(buffer: Buffer): string {
  return `0x${buffer.readBigUInt64BE(0).toString(16)}`;
}

function timeOf(buffer: Buffer): string {
  return new Date(Number(buffer.readBigInt64BE(0))).toISOString();
}
