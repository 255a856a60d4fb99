/**
 * The two ways a whole cluster fails to answer, worded the same for every kind: nobody
 * answered (an outage or wrong endpoints, exit 3), or everybody refused our credentials
 * (bad input, exit 2).
 */
import { UnreachableError, UsageError } from './errors.js';
import type { MemberError } from './model.js';

/** One endpoint tried; `error` absent means it answered. */
export interface EndpointAttempt {
  endpoint: string;
  error?: MemberError;
}

export interface ClusterFailure {
  /** The system as people write it: `etcd`, `ZooKeeper`, `NATS`. */
  system: string;
  cluster: string;
  attempts: readonly EndpointAttempt[];
  /** What to check, most likely first; the timeout advice is added. */
  actions: readonly string[];
}

/** `cannot reach ZooKeeper cluster "zk": no server answered: a (refused), b (timeout)`. */
export function clusterUnreachable(failure: ClusterFailure & { noun: string }): UnreachableError {
  const tried = failure.attempts.map(
    (attempt) => `${attempt.endpoint} (${attempt.error?.message ?? 'ok'})`,
  );
  return new UnreachableError(
    'CLUSTER_UNREACHABLE',
    `cannot reach ${failure.system} cluster "${failure.cluster}": no ${failure.noun} answered: ${tried.join(', ')}`,
    {
      actions: [...failure.actions, 'raise --timeout if the network is slow'],
      details: {
        endpoints: failure.attempts.map((attempt) => attempt.endpoint),
        errors: failure.attempts.map((attempt) => attempt.error ?? null),
      },
    },
  );
}

/** True when at least one endpoint failed and every failure was a credentials refusal. */
export function everyAttemptRejectedCredentials(attempts: readonly EndpointAttempt[]): boolean {
  const errors = attempts.flatMap((attempt) =>
    attempt.error === undefined ? [] : [attempt.error],
  );
  return errors.length > 0 && errors.every((error) => error.code === 'AUTH_FAILED');
}

/** `NATS cluster "js": <why>`, as a usage error: the credentials are wrong, not the cluster. */
export function credentialsRejected(
  failure: Omit<ClusterFailure, 'attempts'> & { reason: string; endpoints: readonly string[] },
): UsageError {
  return new UsageError(
    'AUTH_FAILED',
    `${failure.system} cluster "${failure.cluster}": ${failure.reason}`,
    {
      actions: [...failure.actions],
      details: { endpoints: [...failure.endpoints] },
    },
  );
}
