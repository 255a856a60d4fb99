// What `sandbox up` registers: the URLs each adapter talks to.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sandboxTarget, type SandboxRecord } from '../../sandbox/index.js';

function record(kind: SandboxRecord['kind'], endpoints: string[], monitorUrls: string[]) {
  const value: SandboxRecord = {
    name: 's',
    kind,
    version: '1',
    createdAt: '2026-11-29T00:00:00.000Z',
    dir: '/tmp/s',
    members: [],
    endpoints,
    monitorUrls,
  };
  return value;
}

describe('sandboxTarget', () => {
  test('etcd: the client URLs', () => {
    assert.deepEqual(
      sandboxTarget(record('etcd', ['http://127.0.0.1:1'], ['http://127.0.0.1:1'])),
      {
        endpoints: ['http://127.0.0.1:1'],
      },
    );
  });

  test('NATS: the monitoring URLs, which is where the adapter reads', () => {
    assert.deepEqual(
      sandboxTarget(record('nats', ['nats://127.0.0.1:4222'], ['http://127.0.0.1:8222'])),
      { endpoints: ['http://127.0.0.1:8222'] },
    );
  });

  test('ZooKeeper: the client ports for four-letter words, the AdminServer as monitor URLs', () => {
    assert.deepEqual(
      sandboxTarget(
        record('zookeeper', ['tcp://127.0.0.1:2181'], ['http://127.0.0.1:8080/commands']),
      ),
      { endpoints: ['tcp://127.0.0.1:2181'], monitorUrls: ['http://127.0.0.1:8080/commands'] },
    );
  });
});
