/** Walks a znode tree breadth-first with bounded concurrency, handing each znode on before its children are read. */
import { joinPath } from '../../core/backup/zookeeper-dump.js';
import type { Znode } from './client.js';

/** The reads a walk needs (ZooKeeperDataClient, or a fake tree in tests). */
export interface ZnodeReader {
  getChildren(path: string): Promise<string[]>;
  getData(path: string): Promise<Znode>;
}

export interface TreeWalkOptions {
  /** Where the walk starts (`/` for the whole tree). */
  root: string;
  /** Znodes read at once; the client pipelines requests over one connection. */
  concurrency: number;
  /** Subtrees left out, e.g. `/zookeeper` (ZooKeeper's own config and quota znodes). */
  skip?: (path: string) => boolean;
  signal?: AbortSignal;
}

export interface TreeWalkResult {
  znodes: number;
  /** Listed by their parent, gone by the time they were read. */
  vanished: number;
}

/**
 * Reads data, Stat, ACL and children of each znode and calls `visit` one znode at a time,
 * in the order the reads complete. A znode's children are queued only after `visit`
 * returned for it, so every parent is handed on before its children; awaiting `visit`
 * is also the backpressure.
 */
export function walkTree(
  reader: ZnodeReader,
  options: TreeWalkOptions,
  visit: (znode: Znode) => Promise<void>,
): Promise<TreeWalkResult> {
  const queue: string[] = [options.root];
  let next = 0;
  let inFlight = 0;
  let znodes = 0;
  let vanished = 0;
  let failed = false;
  // Serializes visits: reads run in parallel, the output is one line at a time.
  let visits: Promise<void> = Promise.resolve();

  const readOne = async (path: string): Promise<string[]> => {
    let read: [Znode, string[]];
    try {
      read = await Promise.all([reader.getData(path), reader.getChildren(path)]);
    } catch (error) {
      // Deleted between its parent's listing and this read: the walk is not a snapshot.
      if (isNoNode(error) && path !== options.root) {
        vanished += 1;
        return [];
      }
      throw error;
    }
    const [znode, children] = read;
    const visited = visits.then(() => visit(znode));
    visits = visited;
    await visited;
    znodes += 1;
    return children
      .sort()
      .map((child) => joinPath(path, child))
      .filter((child) => options.skip?.(child) !== true);
  };

  return new Promise<TreeWalkResult>((resolve, reject) => {
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    const pump = () => {
      if (failed) return;
      if (options.signal?.aborted === true) {
        fail(options.signal.reason ?? new Error('aborted'));
        return;
      }
      while (inFlight < options.concurrency && next < queue.length) {
        const path = queue[next] as string;
        next += 1;
        inFlight += 1;
        readOne(path).then((children) => {
          inFlight -= 1;
          queue.push(...children);
          // Drop what was read so a long walk does not keep every path.
          if (next > 4096 && next * 2 > queue.length) {
            queue.splice(0, next);
            next = 0;
          }
          pump();
        }, fail);
      }
      if (inFlight === 0 && next >= queue.length) resolve({ znodes, vanished });
    };
    pump();
  });
}

function isNoNode(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'NO_NODE';
}
