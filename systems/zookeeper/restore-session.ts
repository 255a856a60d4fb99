/**
 * A ZooKeeper session for restores: creates znodes with any ACL, sets data and ACLs, with
 * several digest identities. (The data client creates only open or creator-only znodes.)
 */
import { createHash, randomBytes } from 'node:crypto';
import type * as zookeeper from 'node-zookeeper-client';
import type { DumpAcl } from '../../core/backup/zookeeper-dump.js';
import { ZooKeeperClientError } from './client-error.js';
import { serverAddress } from './four-letter-words.js';
import { hostPortOf } from './member-status.js';
import { loadLibrary, within, type Library } from './session-support.js';

export interface DigestIdentity {
  username: string;
  password: string;
}

export interface RestoreSessionOptions {
  /** One server: reads by another session on it then see every write this one made. */
  endpoint: string;
  identities: readonly DigestIdentity[];
  timeoutMs: number;
  signal?: AbortSignal;
}

export type RestoreCreateMode = 'persistent' | 'ephemeral';

const PERMISSION_BITS: Record<string, number> = {
  READ: 1,
  WRITE: 2,
  CREATE: 4,
  DELETE: 8,
  ADMIN: 16,
};

/**
 * A throwaway digest identity for one restore. ZooKeeper accepts any digest identity at
 * connect time; znodes the restore creates grant it ALL until their real ACL is set.
 */
export function restoreIdentity(): DigestIdentity {
  return { username: 'quorumctl-restore', password: randomBytes(18).toString('base64url') };
}

/** ZooKeeper's digest ACL id for an identity: `user:base64(sha1("user:password"))`. */
export function digestAclId(identity: DigestIdentity): string {
  const hash = createHash('sha1').update(`${identity.username}:${identity.password}`).digest();
  return `${identity.username}:${hash.toString('base64')}`;
}

export class ZooKeeperRestoreSession {
  private constructor(
    private readonly library: Library,
    private readonly client: zookeeper.Client,
    private readonly options: RestoreSessionOptions,
  ) {}

  static async connect(options: RestoreSessionOptions): Promise<ZooKeeperRestoreSession> {
    const address = serverAddress(options.endpoint);
    if (address.tls) {
      throw new ZooKeeperClientError(
        'TLS_UNSUPPORTED',
        `${options.endpoint}: node-zookeeper-client cannot speak TLS; restore through a plain clientPort`,
      );
    }
    const library = await loadLibrary();
    const client = library.createClient(hostPortOf(address), {
      sessionTimeout: 30_000,
      spinDelay: 200,
      retries: 0,
    });
    for (const identity of options.identities)
      client.addAuthInfo('digest', Buffer.from(`${identity.username}:${identity.password}`));
    const ready = new Promise<void>((resolve, reject) => {
      client.once('connected', resolve);
      client.once('authenticationFailed', () => {
        reject(
          new ZooKeeperClientError('AUTH_FAILED', `${options.endpoint} rejected the credentials`),
        );
      });
    });
    client.connect();
    try {
      await within(ready, options, `${options.endpoint} did not accept a session`);
    } catch (error) {
      client.close();
      throw error;
    }
    return new ZooKeeperRestoreSession(library, client, options);
  }

  create(
    path: string,
    data: Buffer,
    acl: readonly DumpAcl[],
    mode: RestoreCreateMode = 'persistent',
  ): Promise<string> {
    const createMode =
      mode === 'ephemeral' ? this.library.CreateMode.EPHEMERAL : this.library.CreateMode.PERSISTENT;
    return this.call(path, (done) => {
      this.client.create(path, data, this.acls(acl), createMode, done);
    });
  }

  setData(path: string, data: Buffer): Promise<unknown> {
    return this.call(path, (done) => {
      this.client.setData(path, data, -1, done);
    });
  }

  setAcl(path: string, acl: readonly DumpAcl[]): Promise<unknown> {
    return this.call(path, (done) => {
      this.client.setACL(path, this.acls(acl), -1, done);
    });
  }

  getChildren(path: string): Promise<string[]> {
    return this.call(path, (done) => {
      this.client.getChildren(path, (error, children) => {
        done(error, children);
      });
    });
  }

  /** Whether the znode exists. */
  async exists(path: string): Promise<boolean> {
    const stat = await this.call<zookeeper.Stat | null>(path, (done) => {
      this.client.exists(path, done);
    });
    return stat !== null && stat !== undefined;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      this.client.once('disconnected', resolve);
    });
    this.client.close();
    await within(closed, { timeoutMs: this.options.timeoutMs }, 'close').catch(() => undefined);
  }

  private acls(acl: readonly DumpAcl[]): zookeeper.ACL[] {
    const { ACL, Id } = this.library;
    return acl.map(
      (entry) =>
        new ACL(
          entry.permissions.reduce(
            (bits, permission) => bits | (PERMISSION_BITS[permission] ?? 0),
            0,
          ),
          new Id(entry.scheme, entry.id),
        ),
    );
  }

  private call<T>(
    path: string,
    start: (done: (error: unknown, value: T) => void) => void,
  ): Promise<T> {
    const result = new Promise<T>((resolve, reject) => {
      start((error, value) => {
        if (error === null || error === undefined) resolve(value);
        else reject(sessionError(error, path));
      });
    });
    return within(result, this.options, path);
  }
}

function sessionError(error: unknown, path: string): ZooKeeperClientError {
  const name =
    typeof error === 'object' && error !== null && 'getName' in error
      ? (error as zookeeper.Exception).getName()
      : 'UNKNOWN';
  const reason = error instanceof Error ? error.message : String(error);
  return new ZooKeeperClientError(name, `${path}: ${reason}`, path, { cause: error });
}
