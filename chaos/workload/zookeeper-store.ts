/**
 * The workload on ZooKeeper: one session per client; a write is a multi that sets the
 * register and creates a record znode `<root>/w/<value>`; CAS is a versioned setData; a read
 * is getData confirmed by a multi `check` of the version it saw, which goes through the
 * leader: plain reads on a follower may be stale, and that is ZooKeeper's contract, not a bug.
 */
import type * as zookeeper from 'node-zookeeper-client';
import { loadLibrary, within, type Library } from '../../systems/zookeeper/session-support.js';
import {
  COMPARE_FAILED,
  type AcknowledgedWrite,
  type KeyValueClient,
  type OperationAnswer,
  type WorkloadStore,
} from './client.js';

/** getData + check attempts before a read gives up (the version moved on in between). */
const READ_ATTEMPTS = 3;
/** Codes after which the request certainly had no effect. */
const DEFINITE_CODES = ['BAD_VERSION', 'NO_NODE', 'NODE_EXISTS', 'NO_AUTH', 'BAD_ARGUMENTS'];

export interface ZooKeeperStoreOptions {
  /** host:port of every server. */
  servers: readonly string[];
  /** Unique per drill, e.g. /quorumctl-drill-<run> */
  root: string;
  timeoutMs: number;
  sessionTimeoutMs?: number;
}

interface RemoveRecursive {
  removeRecursive(path: string, version: number, callback: (error: Error | null) => void): void;
}

interface Session {
  library: Library;
  client: zookeeper.Client;
}

function codeOf(error: unknown): string {
  const named = (error as { name?: unknown }).name;
  const code = (error as { code?: unknown }).code;
  if (typeof named === 'string' && named !== 'Error' && /^[A-Z_]+$/.test(named)) return named;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : 'unknown error';
}

/** Resolves `value` or rejects with the library's exception (its name is the ZooKeeper code). */
function settle<T>(
  resolve: (value: T) => void,
  reject: (error: Error) => void,
  value: T,
): (error: unknown) => void {
  return (error) => {
    if (error === null || error === undefined) resolve(value);
    else reject(asError(error));
  };
}

/** The library's Exception inherits from Error at runtime; its typings do not say so. */
function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function getData(
  client: zookeeper.Client,
  path: string,
): Promise<{ text: string | null; version: number }> {
  return new Promise((resolve, reject) => {
    client.getData(path, (error, data, stat) => {
      if (error !== null && error !== undefined) {
        reject(asError(error));
        return;
      }
      // An empty znode is a register with no value yet.
      const text = data === undefined || data.length === 0 ? null : data.toString('utf8');
      resolve({ text, version: stat.version });
    });
  });
}

function commit(transaction: zookeeper.Transaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.commit((error) => {
      settle(resolve, reject, undefined)(error);
    });
  });
}

function create(client: zookeeper.Client, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    client.create(path, Buffer.alloc(0), (error) => {
      settle(resolve, reject, undefined)(error);
    });
  });
}

function clear(client: zookeeper.Client, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    client.setData(path, Buffer.alloc(0), -1, (error) => {
      settle(resolve, reject, undefined)(error);
    });
  });
}

function children(client: zookeeper.Client, path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    client.getChildren(path, (error, names) => {
      if (error !== null && error !== undefined) reject(asError(error));
      else resolve(names);
    });
  });
}

function removeTree(client: zookeeper.Client, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // removeRecursive exists in the library (1.1) but not in its type definitions.
    (client as unknown as RemoveRecursive).removeRecursive(path, -1, (error) => {
      settle(resolve, reject, undefined)(error);
    });
  });
}

async function openSession(options: ZooKeeperStoreOptions, preferred: number): Promise<Session> {
  const library = await loadLibrary();
  // Rotated so clients start spread over the servers (the library shuffles the rest).
  const servers = options.servers.map(
    (_, index) => options.servers[(index + preferred) % options.servers.length] ?? '',
  );
  const client = library.createClient(servers.join(','), {
    sessionTimeout: options.sessionTimeoutMs ?? 8000,
    spinDelay: 100,
    retries: 0,
  });
  const connected = new Promise<void>((resolve) => {
    client.once('connected', () => {
      resolve();
    });
  });
  client.connect();
  try {
    await within(
      connected,
      { timeoutMs: Math.max(options.timeoutMs, 5000) },
      `connect to ${servers.join(',')}`,
    );
  } catch (error) {
    client.close();
    throw error;
  }
  return { library, client };
}

class ZooKeeperClient implements KeyValueClient {
  private session: Session | undefined;

  constructor(
    private readonly options: ZooKeeperStoreOptions,
    private readonly index: number,
    session: Session,
  ) {
    this.session = session;
  }

  async read(key: string): Promise<OperationAnswer> {
    const path = this.registerPath(key);
    // A follower's copy may trail the leader: the check then fails and the read is retried.
    for (let attempt = 1; ; attempt++) {
      try {
        const { client } = await this.current();
        const { text, version } = await getData(client, path);
        await commit(client.transaction().check(path, version));
        return { outcome: 'ok', result: text };
      } catch (error) {
        this.noteFailure(error);
        if (codeOf(error) !== 'BAD_VERSION' || attempt >= READ_ATTEMPTS)
          return { outcome: 'fail', error: codeOf(error) };
      }
    }
  }

  write(key: string, value: string): Promise<OperationAnswer> {
    return this.update(key, value, -1);
  }

  async cas(key: string, expected: string | null, value: string): Promise<OperationAnswer> {
    let version: number;
    try {
      const { client } = await this.current();
      const current = await getData(client, this.registerPath(key));
      if (current.text !== expected) return { outcome: 'fail', error: COMPARE_FAILED };
      version = current.version;
    } catch (error) {
      this.noteFailure(error);
      return { outcome: 'fail', error: codeOf(error) };
    }
    return this.update(key, value, version);
  }

  close(): Promise<void> {
    this.session?.client.close();
    this.session = undefined;
    return Promise.resolve();
  }

  private registerPath(key: string): string {
    return `${this.options.root}/k/${key}`;
  }

  /** setData (versioned for CAS; -1 = any) and the record znode, in one multi. */
  private async update(key: string, value: string, version: number): Promise<OperationAnswer> {
    const receipt = `${this.options.root}/w/${value}`;
    try {
      const { client } = await this.current();
      const bytes = Buffer.from(value, 'utf8');
      await commit(
        client.transaction().setData(this.registerPath(key), bytes, version).create(receipt, bytes),
      );
      return { outcome: 'ok', receipt };
    } catch (error) {
      this.noteFailure(error);
      const code = codeOf(error);
      return { outcome: DEFINITE_CODES.includes(code) ? 'fail' : 'unknown', error: code };
    }
  }

  private async current(): Promise<Session> {
    this.session ??= await openSession(this.options, this.index);
    return this.session;
  }

  /** An expired session never comes back: the next operation opens a new one. */
  private noteFailure(error: unknown): void {
    if (codeOf(error) === 'SESSION_EXPIRED') {
      this.session?.client.close();
      this.session = undefined;
    }
  }
}

export function zookeeperWorkloadStore(options: ZooKeeperStoreOptions): WorkloadStore {
  const { root } = options;
  let admin: Session | undefined;
  const adminSession = async () => (admin ??= await openSession(options, 0));
  const bounded = <T>(promise: Promise<T>, what: string) =>
    within(promise, { timeoutMs: Math.max(options.timeoutMs, 5000) }, what);
  return {
    location: `znodes ${root}`,
    prepare: async (keys) => {
      const { client } = await adminSession();
      const registers = keys.map((key) => `${root}/k/${key}`);
      // Idempotent: the runner retries a prepare that failed half-way.
      for (const path of [root, `${root}/k`, `${root}/w`, ...registers])
        await bounded(create(client, path), `create ${path}`).catch((error: unknown) => {
          if (codeOf(error) !== 'NODE_EXISTS') throw error;
        });
      // The library turns version 0 into "any version" (`version || -1`): one empty write
      // moves every register to version 1, so a CAS on a fresh key is still conditional.
      for (const path of registers) await bounded(clear(client, path), `setData ${path}`);
    },
    openClient: async (index) =>
      new ZooKeeperClient(options, index, await openSession(options, index)),
    findWrites: async (writes: readonly AcknowledgedWrite[]) => {
      const { client } = await adminSession();
      // A write through this session first: its server has then applied every earlier
      // commit, so the children listed next include every write acknowledged before.
      await bounded(create(client, `${root}/read-back-${Date.now()}`), 'read-back marker');
      const names = await bounded(children(client, `${root}/w`), `getChildren ${root}/w`);
      const present = new Set(names.map((name) => `${root}/w/${name}`));
      return new Set(
        writes.map((write) => write.receipt).filter((receipt) => present.has(receipt)),
      );
    },
    cleanup: async () => {
      const { client } = await adminSession();
      // A write still in flight when the clients closed may add a record znode while the
      // tree is removed (NOT_EMPTY): try again.
      for (let attempt = 1; ; attempt++) {
        try {
          await within(removeTree(client, root), { timeoutMs: 30_000 }, `remove ${root}`);
          return;
        } catch (error) {
          if (codeOf(error) !== 'NOT_EMPTY' || attempt >= 5) throw error;
        }
      }
    },
    close: () => {
      admin?.client.close();
      admin = undefined;
      return Promise.resolve();
    },
  };
}
