// The two whole-cluster failures, worded the same for every kind.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UnreachableError, UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import {
  clusterUnreachable,
  credentialsRejected,
  everyAttemptRejectedCredentials,
} from '../../core/unreachable.js';

const refused = { code: 'ECONNREFUSED', message: 'connection refused' };
const denied = { code: 'AUTH_FAILED', message: 'HTTP 401' };

describe('clusterUnreachable', () => {
  test('names the system, the cluster, every endpoint tried and why; adds the timeout advice', () => {
    const error = clusterUnreachable({
      system: 'ZooKeeper',
      cluster: 'zk',
      noun: 'server',
      attempts: [
        { endpoint: 'tcp://a:2181', error: refused },
        {
          endpoint: 'tcp://b:2181',
          error: { code: 'TIMEOUT', message: 'no answer within 3000 ms' },
        },
      ],
      actions: ['check the client ports'],
    });
    assert.ok(error instanceof UnreachableError);
    assert.equal(error.exitCode, ExitCode.unreachable);
    assert.equal(
      error.message,
      'cannot reach ZooKeeper cluster "zk": no server answered: tcp://a:2181 (connection refused), tcp://b:2181 (no answer within 3000 ms)',
    );
    assert.deepEqual(error.actions, [
      'check the client ports',
      'raise --timeout if the network is slow',
    ]);
    assert.deepEqual(error.details.endpoints, ['tcp://a:2181', 'tcp://b:2181']);
  });
});

describe('credentials', () => {
  test('rejected only when every failure is an auth failure, and at least one failed', () => {
    assert.equal(everyAttemptRejectedCredentials([{ endpoint: 'a', error: denied }]), true);
    assert.equal(
      everyAttemptRejectedCredentials([
        { endpoint: 'a', error: denied },
        { endpoint: 'b', error: refused },
      ]),
      false,
    );
    assert.equal(everyAttemptRejectedCredentials([{ endpoint: 'a' }]), false);
    assert.equal(everyAttemptRejectedCredentials([]), false);
  });

  test('a rejection is a usage error (exit 2) with the reason and what to pass', () => {
    const error = credentialsRejected({
      system: 'Consul',
      cluster: 'c',
      reason: 'ACL not found',
      endpoints: ['http://a:8500'],
      actions: ['pass --token-env'],
    });
    assert.ok(error instanceof UsageError);
    assert.equal(error.code, 'AUTH_FAILED');
    assert.equal(error.exitCode, ExitCode.usage);
    assert.equal(error.message, 'Consul cluster "c": ACL not found');
  });
});
