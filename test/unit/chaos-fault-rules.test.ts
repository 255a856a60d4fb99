// Fault rules (pure): which iptables rules isolate, partition and the proxy redirects add, and how undo finds them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { insertArgs, splitRuleLine, taggedRules } from '../../chaos/faults/iptables.js';
import {
  isolationRules,
  partitionRules,
  validatePartitionGroups,
  type NetMember,
} from '../../chaos/faults/network-faults.js';
import { parseProcessState } from '../../chaos/faults/process-faults.js';
import {
  PEER_PORTS,
  proxiedPorts,
  redirectRules,
  toxicsOf,
} from '../../chaos/faults/shaping-faults.js';
import { UsageError } from '../../core/errors.js';

function members(count: number): NetMember[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `n${index + 1}`,
    host: `10.213.7.${11 + index}`,
    netns: `ns${index + 1}`,
  }));
}

/** "ns1 INPUT -s n2" style summaries, sorted, so expectations read like a table. */
function summary(rules: ReturnType<typeof isolationRules>): string[] {
  return rules
    .map((rule) => `${rule.netns} ${rule.chain} ${rule.match.join(' ')} ${rule.action.join(' ')}`)
    .sort();
}

describe('isolate', () => {
  test('drops INPUT from and OUTPUT to every other member, in the isolated namespace only', () => {
    assert.deepEqual(summary(isolationRules(members(3), ['n1'])), [
      'ns1 INPUT -s 10.213.7.12/32 -j DROP',
      'ns1 INPUT -s 10.213.7.13/32 -j DROP',
      'ns1 OUTPUT -d 10.213.7.12/32 -j DROP',
      'ns1 OUTPUT -d 10.213.7.13/32 -j DROP',
    ]);
  });

  test('never drops the bridge address: clients in the root namespace still reach the member', () => {
    const rules = isolationRules(members(5), ['n1', 'n2']);
    assert.ok(rules.every((rule) => !rule.match.join(' ').includes('10.213.7.1/')));
    assert.equal(rules.length, 2 * 4 * 2, 'two isolated members, four peers each, in and out');
  });
});

describe('partition', () => {
  test('a 2/1 split cuts both sides of every pair that shares no group', () => {
    const rules = summary(partitionRules(members(3), [['n1', 'n2'], ['n3']]));
    assert.deepEqual(rules, [
      'ns1 INPUT -s 10.213.7.13/32 -j DROP',
      'ns1 OUTPUT -d 10.213.7.13/32 -j DROP',
      'ns2 INPUT -s 10.213.7.13/32 -j DROP',
      'ns2 OUTPUT -d 10.213.7.13/32 -j DROP',
      'ns3 INPUT -s 10.213.7.11/32 -j DROP',
      'ns3 INPUT -s 10.213.7.12/32 -j DROP',
      'ns3 OUTPUT -d 10.213.7.11/32 -j DROP',
      'ns3 OUTPUT -d 10.213.7.12/32 -j DROP',
    ]);
  });

  test('bridge partition: n3 in both groups keeps every link, n1/n2 lose n4/n5', () => {
    const rules = partitionRules(members(5), [
      ['n1', 'n2', 'n3'],
      ['n3', 'n4', 'n5'],
    ]);
    assert.ok(
      rules.every((rule) => rule.netns !== 'ns3'),
      'the bridge has no rule',
    );
    assert.ok(
      rules.every((rule) => !rule.match.includes('10.213.7.13/32')),
      'nobody drops n3',
    );
    const cut = new Set(rules.map((rule) => `${rule.netns}>${rule.match[1] ?? ''}`));
    for (const [from, to] of [
      ['ns1', '10.213.7.14/32'],
      ['ns1', '10.213.7.15/32'],
      ['ns2', '10.213.7.14/32'],
      ['ns4', '10.213.7.11/32'],
      ['ns5', '10.213.7.12/32'],
    ])
      assert.ok(cut.has(`${from}>${to}`), `${from} drops ${to}`);
    assert.ok(!cut.has('ns1>10.213.7.12/32'), 'n1 and n2 share a group');
    assert.equal(rules.length, 2 * 2 * 2 * 2, 'four cut pairs, both sides, in and out');
  });

  test('members in no group are left alone', () => {
    const rules = partitionRules(members(5), [['n1'], ['n2']]);
    assert.deepEqual([...new Set(rules.map((rule) => rule.netns))].sort(), ['ns1', 'ns2']);
    assert.ok(rules.every((rule) => !/10\.213\.7\.1[345]/.test(rule.match.join(' '))));
  });

  test('fewer than two groups, or an empty one, is a usage error', () => {
    assert.throws(() => validatePartitionGroups([['n1', 'n2']]), UsageError);
    assert.throws(() => validatePartitionGroups([['n1'], []]), UsageError);
    assert.throws(() => validatePartitionGroups(undefined), UsageError);
  });
});

describe('iptables bookkeeping', () => {
  test('every rule is inserted at the top with the fault comment', () => {
    const [rule] = isolationRules(members(2), ['n1']);
    assert.ok(rule);
    assert.deepEqual(insertArgs(rule, 'isolate-1a2b3c4d'), [
      '-w',
      '-t',
      'filter',
      '-I',
      'INPUT',
      '-s',
      '10.213.7.12/32',
      '-m',
      'comment',
      '--comment',
      'qctl:isolate-1a2b3c4d',
      '-j',
      'DROP',
    ]);
  });

  test('undo finds exactly the rules of one fault in iptables -S output', () => {
    // Recorded from `ip netns exec ... iptables -S` (iptables 1.8.9, nf_tables).
    const listing = [
      '-P INPUT ACCEPT',
      '-P FORWARD ACCEPT',
      '-P OUTPUT ACCEPT',
      '-A INPUT -s 10.213.222.13/32 -m comment --comment "qctl:isolate-e88a8f86" -j DROP',
      '-A INPUT -s 10.213.222.12/32 -m comment --comment "qctl:isolate-ffff0000" -j DROP',
      '-A OUTPUT -d 10.213.222.13/32 -m comment --comment "qctl:isolate-e88a8f86" -j DROP',
      '-A OUTPUT -d 10.213.222.14/32 -m comment --comment "someone else" -j DROP',
      '-A OUTPUT -d 10.213.222.15/32 -j DROP',
      '',
    ].join('\n');
    assert.deepEqual(taggedRules(listing, 'isolate-e88a8f86'), [
      [
        'INPUT',
        '-s',
        '10.213.222.13/32',
        '-m',
        'comment',
        '--comment',
        'qctl:isolate-e88a8f86',
        '-j',
        'DROP',
      ],
      [
        'OUTPUT',
        '-d',
        '10.213.222.13/32',
        '-m',
        'comment',
        '--comment',
        'qctl:isolate-e88a8f86',
        '-j',
        'DROP',
      ],
    ]);
    assert.deepEqual(
      taggedRules(listing, 'isolate-e88a8f8'),
      [],
      'a prefix of an id is not the id',
    );
  });

  test('quoted words stay one argument', () => {
    assert.deepEqual(splitRuleLine('-A OUTPUT -m comment --comment "two words" -j DROP'), [
      '-A',
      'OUTPUT',
      '-m',
      'comment',
      '--comment',
      'two words',
      '-j',
      'DROP',
    ]);
  });

  test('process state comes from /proc/PID/stat even with spaces and parentheses in the name', () => {
    assert.equal(parseProcessState('1234 (etcd) T 1 1234 1234 0 -1'), 'T');
    assert.equal(parseProcessState('99 (java (main) x) S 1 99'), 'S');
    assert.equal(parseProcessState(''), undefined);
  });
});

describe('latency and loss redirects', () => {
  const shaped = members(3).map((member, index) => ({
    ...member,
    ports: { client: 2000 + index, peer: 3000 + index },
  }));

  test('connections to a faulted member come from everyone, from it to the others only from it', () => {
    const ports = proxiedPorts(shaped, ['n1'], PEER_PORTS.etcd);
    assert.deepEqual(ports, [
      { member: 'n1', host: '10.213.7.11', port: 3000, fromNetns: ['ns2', 'ns3'] },
      { member: 'n2', host: '10.213.7.12', port: 3001, fromNetns: ['ns1'] },
      { member: 'n3', host: '10.213.7.13', port: 3002, fromNetns: ['ns1'] },
    ]);
    assert.ok(
      ports.every((port) => port.port !== 2000),
      'client ports keep their direct path',
    );
  });

  test('each redirect is a DNAT to the proxy plus a reset for connections opened before', () => {
    const [first] = proxiedPorts(shaped, ['n1'], PEER_PORTS.etcd);
    assert.ok(first);
    const rules = redirectRules(first, '10.213.7.1', 40000);
    assert.deepEqual(
      rules.map((rule) => `${rule.netns} ${rule.table} ${rule.chain} ${rule.action.join(' ')}`),
      [
        'ns2 nat OUTPUT -j DNAT --to-destination 10.213.7.1:40000',
        'ns2 filter OUTPUT -j REJECT --reject-with tcp-reset',
        'ns3 nat OUTPUT -j DNAT --to-destination 10.213.7.1:40000',
        'ns3 filter OUTPUT -j REJECT --reject-with tcp-reset',
      ],
    );
    assert.deepEqual(rules[0]?.match, ['-p', 'tcp', '-d', '10.213.7.11/32', '--dport', '3000']);
  });

  test('ZooKeeper proxies both the quorum and the election port', () => {
    const zk = members(3).map((member) => ({
      ...member,
      ports: { client: 1, quorum: 2, election: 3, admin: 4 },
    }));
    assert.equal(proxiedPorts(zk, ['n2'], PEER_PORTS.zookeeper).length, 6);
  });

  test('toxics are validated', () => {
    assert.equal(toxicsOf({ kind: 'latency', members: ['n1'], latencyMs: 250 }).latencyMs, 250);
    assert.equal(toxicsOf({ kind: 'loss', members: ['n1'], lossPercent: 20 }).lossPercent, 20);
    assert.throws(() => toxicsOf({ kind: 'latency', members: ['n1'] }), UsageError);
    assert.throws(() => toxicsOf({ kind: 'loss', members: ['n1'], lossPercent: 101 }), UsageError);
  });
});
