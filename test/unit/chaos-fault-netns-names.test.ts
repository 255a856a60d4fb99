// Names and addresses of netns sandboxes (pure): short interface names, one subnet per sandbox, root and tools required.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../../core/errors.js';
import {
  assertNetnsAvailable,
  chooseSubnetOctet,
  inNetns,
  networkNames,
  planMemberNetwork,
  planNetwork,
  takenSubnetOctets,
} from '../../sandbox/netns.js';

describe('netns sandbox names', () => {
  test('interface names fit in 15 characters, namespaces name the sandbox and member', () => {
    const names = networkNames('/state', 'a-very-long-sandbox-name-of-32ch');
    assert.match(names.bridge, /^qbr-[0-9a-f]{6}$/);
    assert.ok(names.hostVeth('n1').length <= 15);
    assert.ok(names.hostVeth('member-with-long-name').length <= 15);
    assert.equal(names.netns('n1'), `qctl-a-very-long-sandbox-name-of-32ch-${names.hash}-n1`);
  });

  test('the same sandbox name in two state dirs gets different names', () => {
    assert.notEqual(networkNames('/a', 'demo').hash, networkNames('/b', 'demo').hash);
    assert.equal(networkNames('/a', 'demo').hash, networkNames('/a/', 'demo').hash);
  });

  test('a sandbox owns only its own namespaces and veths', () => {
    const names = networkNames('/state', 'demo');
    assert.ok(names.ownsNetns(names.netns('n4')));
    assert.ok(!names.ownsNetns(networkNames('/state', 'demo2').netns('n1')));
    assert.ok(!names.ownsNetns(names.netns('')), 'the bare prefix is nobody');
    assert.ok(names.ownsVeth(names.hostVeth('n1')));
    assert.ok(!names.ownsVeth(networkNames('/other', 'demo').hostVeth('n1')));
  });

  test('subnets: taken ones read from ip addr, the next free one chosen', () => {
    const output = [
      '1: lo    inet 127.0.0.1/8 scope host lo',
      '5: qbr-aaaaaa    inet 10.213.7.1/24 scope global qbr-aaaaaa',
      '6: qbr-bbbbbb    inet 10.213.8.1/24 scope global qbr-bbbbbb',
      '7: eth0    inet 10.21.3.9/24 scope global eth0',
    ].join('\n');
    assert.deepEqual([...takenSubnetOctets(output)], [7, 8]);
    const hashForSeven = (6).toString(16).padStart(6, '0'); // 6 % 254 + 1 = 7
    assert.equal(chooseSubnetOctet(hashForSeven, new Set([7, 8])), 9);
    assert.equal(chooseSubnetOctet(hashForSeven, new Set()), 7);
    const all = new Set(Array.from({ length: 254 }, (_, index) => index + 1));
    assert.throws(() => chooseSubnetOctet(hashForSeven, all), UsageError);
  });

  test('members get .11, .12, ...; the bridge .1; a joining member the next free address', () => {
    const network = planNetwork({
      stateDir: '/state',
      sandbox: 'demo',
      kind: 'etcd',
      members: ['n1', 'n2', 'n3'],
      octet: 42,
    });
    assert.equal(network.subnet, '10.213.42.0/24');
    assert.equal(network.bridgeAddress, '10.213.42.1');
    assert.deepEqual(
      network.members.map((member) => member.address),
      ['10.213.42.11', '10.213.42.12', '10.213.42.13'],
    );
    assert.equal(planMemberNetwork('/state', network, 'n4').address, '10.213.42.14');
  });

  test('members start through ip netns exec, which execs the server (same PID)', () => {
    assert.deepEqual(inNetns('ns1', 'etcd', ['--name', 'n1']), {
      command: 'ip',
      args: ['netns', 'exec', 'ns1', 'etcd', '--name', 'n1'],
    });
  });

  test('not root, or no ip/iptables: a usage error before anything is created', () => {
    assert.throws(
      () => {
        assertNetnsAvailable(false, process.env.PATH);
      },
      (error) =>
        error instanceof UsageError &&
        error.code === 'NETNS_UNAVAILABLE' &&
        error.message.includes('root'),
    );
    assert.throws(
      () => {
        assertNetnsAvailable(true, '/nonexistent');
      },
      (error) =>
        error instanceof UsageError &&
        error.message.includes('ip on PATH') &&
        error.actions.some((action) => action.includes('apt-get install -y iproute2 iptables')),
    );
  });
});
