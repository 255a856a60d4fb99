/** The typed failure of a ZooKeeper data or restore session. */

/** Failure codes: ZooKeeper's own (`NO_NODE`, `NO_AUTH`, `CONNECTION_LOSS`, ...) plus ours. */
export type ZooKeeperClientErrorCode =
  | 'NO_NODE'
  | 'NO_AUTH'
  | 'NODE_EXISTS'
  | 'NOT_EMPTY'
  | 'CONNECTION_LOSS'
  | 'SESSION_EXPIRED'
  | 'AUTH_FAILED'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'TLS_UNSUPPORTED'
  | 'BAD_ENDPOINT';

export class ZooKeeperClientError extends Error {
  constructor(
    /** A ZooKeeperClientErrorCode, or another ZooKeeper code name the library reports. */
    readonly code: ZooKeeperClientErrorCode | (string & Record<never, never>),
    message: string,
    readonly path?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ZooKeeperClientError';
  }
}
