// The election timeout a Kubernetes drill judges by, read from a member pod's spec.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { electionTimeoutOfPod } from '../../chaos/kubernetes/pod-election-timeout.js';
import type { Container, Pod } from '../../core/kubernetes/objects.js';

function pod(...containers: Container[]): Pod {
  return { metadata: { name: 'db-0', namespace: 'data' }, spec: { containers } };
}

describe('electionTimeoutOfPod', () => {
  test('etcd: --election-timeout in either form, else ETCD_ELECTION_TIMEOUT, else the default', () => {
    const flag = pod({ name: 'etcd', command: ['etcd', '--election-timeout=5000'] });
    assert.deepEqual(electionTimeoutOfPod('etcd', flag, 'etcd'), {
      ms: 5000,
      source: '--election-timeout 5000 of pod db-0',
    });
    const spaced = pod({ name: 'etcd', command: ['etcd'], args: ['--election-timeout', '2500'] });
    assert.equal(electionTimeoutOfPod('etcd', spaced, 'etcd').ms, 2500);
    const bitnami = pod({
      name: 'etcd',
      env: [{ name: 'ETCD_ELECTION_TIMEOUT', value: '3000' }],
    });
    assert.deepEqual(electionTimeoutOfPod('etcd', bitnami, 'etcd'), {
      ms: 3000,
      source: 'ETCD_ELECTION_TIMEOUT=3000 of pod db-0',
    });
    assert.deepEqual(electionTimeoutOfPod('etcd', pod({ name: 'etcd', command: ['etcd'] })), {
      ms: 1000,
      source: 'etcd default (pod db-0 runs without --election-timeout)',
    });
    // A value that is no number of milliseconds is not believed.
    const garbage = pod({ name: 'etcd', command: ['etcd', '--election-timeout=soon'] });
    assert.equal(electionTimeoutOfPod('etcd', garbage).ms, 1000);
  });

  test('the named container is read, not a sidecar', () => {
    const withSidecar = pod(
      { name: 'exporter', args: ['--election-timeout=9999'] },
      { name: 'etcd', command: ['etcd', '--election-timeout=4000'] },
    );
    assert.equal(electionTimeoutOfPod('etcd', withSidecar, 'etcd').ms, 4000);
  });

  test('ZooKeeper: Bitnami tickTime x syncLimit; without them the defaults, said so', () => {
    const bitnami = pod({
      name: 'zookeeper',
      env: [
        { name: 'ZOO_TICK_TIME', value: '1000' },
        { name: 'ZOO_SYNC_LIMIT', value: '4' },
      ],
    });
    assert.deepEqual(electionTimeoutOfPod('zookeeper', bitnami, 'zookeeper'), {
      ms: 4000,
      source: 'tickTime 1000 ms x syncLimit 4 (ZOO_TICK_TIME, ZOO_SYNC_LIMIT of pod db-0)',
    });
    const plain = electionTimeoutOfPod('zookeeper', pod({ name: 'zookeeper' }), 'zookeeper');
    assert.equal(plain.ms, 10_000);
    assert.match(plain.source, /not read/);
  });

  test('NATS: fixed in the server', () => {
    assert.equal(electionTimeoutOfPod('nats', pod({ name: 'nats' })).ms, 9000);
  });
});
