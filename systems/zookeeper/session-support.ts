/** What both ZooKeeper sessions (data reads, restores) share: the lazily loaded library and call deadlines. */
import { ZooKeeperClientError } from './client-error.js';

/** Loaded only by commands that read or write data: status never pays for it. */
export async function loadLibrary() {
  return (await import('node-zookeeper-client')).default;
}

export type Library = Awaited<ReturnType<typeof loadLibrary>>;

/** Rejects with TIMEOUT or ABORTED when the budget runs out or the signal fires first. */
export function within<T>(
  promise: Promise<T>,
  options: { timeoutMs: number; signal?: AbortSignal },
  what: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      finish();
      reject(
        new ZooKeeperClientError('TIMEOUT', `${what}: no answer within ${options.timeoutMs} ms`),
      );
    }, options.timeoutMs);
    const onAbort = () => {
      finish();
      reject(new ZooKeeperClientError('ABORTED', `${what}: aborted`));
    };
    const finish = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    if (options.signal?.aborted === true) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        finish();
        resolve(value);
      },
      (error: unknown) => {
        finish();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
