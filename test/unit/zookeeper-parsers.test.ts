// ZooKeeper answer parsers against answers recorded from real 3.8.0 servers (test/fixtures/zookeeper-3.8.0).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  adminCommandError,
  classifyReply,
  decodeZxid,
  parseAdminConfiguration,
  parseAdminMonitor,
  parseAdminServerStats,
  parseAdminVotingView,
  parseAdminZabState,
  parseConf,
  parseMembership,
  parseMntr,
  parseSrvr,
} from '../../systems/zookeeper/parsers.js';
import { REPO_ROOT } from '../support/cli.js';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/zookeeper-3.8.0');
const text = (path: string) => readFileSync(join(FIXTURES, path), 'utf8');
const json = (path: string): unknown => JSON.parse(text(path));

describe('srvr', () => {
  test('leader: mode, zxid, version, latency, outstanding requests, znode count', () => {
    assert.deepEqual(parseSrvr(text('ensemble/server.3.srvr.txt')), {
      mode: 'leader',
      zxid: '0x10000001b',
      version: '3.8.0',
      latencyAvgMs: 2.3333,
      latencyMaxMs: 4,
      outstandingRequests: 0,
      znodeCount: 8,
    });
  });

  test('follower, observer, standalone and the new leader after a failover', () => {
    assert.equal(parseSrvr(text('ensemble/server.1.srvr.txt')).mode, 'follower');
    assert.equal(parseSrvr(text('observer/server.4.srvr.txt')).mode, 'observer');
    assert.equal(parseSrvr(text('standalone-whitelist-ruok/srvr.txt')).mode, 'standalone');
    const newLeader = parseSrvr(text('leader-stopped/server.2.srvr.txt'));
    assert.equal(newLeader.mode, 'leader');
    assert.equal(newLeader.zxid, '0x200000000');
  });

  test('anything else is not a srvr answer', () => {
    assert.throws(() => parseSrvr('HTTP/1.1 400 Bad Request\r\n\r\n'), SyntaxError);
    assert.throws(() => parseSrvr('Mode: leader\nZxid: banana\n'), SyntaxError);
  });
});

describe('replies that are not answers', () => {
  test('"not currently serving requests" from every word of a server without quorum', () => {
    for (const word of ['srvr', 'mntr', 'conf']) {
      const reply = classifyReply(text(`no-quorum/server.1.${word}.txt`));
      assert.equal(reply.kind, 'not-serving', word);
    }
  });

  test('a word outside 4lw.commands.whitelist', () => {
    assert.deepEqual(classifyReply(text('standalone-whitelist-ruok/mntr.txt')), {
      kind: 'not-whitelisted',
      message: 'mntr is not executed because it is not in the whitelist.',
    });
    assert.equal(classifyReply(text('standalone-whitelist-ruok/conf.txt')).kind, 'not-whitelisted');
    assert.equal(classifyReply(text('ensemble/server.1.srvr.txt')).kind, 'answer');
  });
});

describe('mntr', () => {
  test('leader: data size and the leader-only sync counts', () => {
    const leader = parseMntr(text('ensemble/server.3.mntr.txt'));
    assert.equal(leader.mode, 'leader');
    assert.equal(leader.version, '3.8.0');
    assert.equal(leader.znodeCount, 8);
    assert.equal(leader.approximateDataSizeBytes, 300);
    assert.equal(leader.syncedFollowers, 2);
    assert.equal(leader.syncedObservers, 0);
    assert.equal(leader.syncedNonVotingFollowers, 0);
    assert.equal(leader.pendingSyncs, 0);
    assert.equal(leader.learners, 2);
  });

  test('a follower has no leader-only counts; a leader with an observer counts it', () => {
    const follower = parseMntr(text('ensemble/server.1.mntr.txt'));
    assert.equal(follower.mode, 'follower');
    assert.equal(follower.syncedFollowers, undefined);
    assert.equal(follower.learners, undefined);
    const withObserver = parseMntr(text('observer/server.3.mntr.txt'));
    assert.equal(withObserver.syncedObservers, 1);
    assert.equal(withObserver.learners, 3);
  });

  test('the AdminServer monitor command reads the same way', () => {
    const fromJson = parseAdminMonitor(json('ensemble/server.3.admin-monitor.json'));
    assert.equal(fromJson.mode, 'leader');
    assert.equal(fromJson.syncedFollowers, 2);
    assert.equal(fromJson.learners, 2);
    assert.ok((fromJson.approximateDataSizeBytes ?? 0) > 0);
    assert.equal(
      parseAdminMonitor(json('standalone-whitelist-ruok/admin-monitor.json')).mode,
      'standalone',
    );
  });
});

describe('conf and the membership', () => {
  test('server ID, three participants with client addresses, the config version', () => {
    assert.deepEqual(parseConf(text('ensemble/server.1.conf.txt')), {
      serverId: '1',
      membership: {
        servers: [
          {
            id: '1',
            host: '127.0.0.1',
            quorumPort: 24909,
            electionPort: 24825,
            role: 'participant',
            clientHost: '127.0.0.1',
            clientPort: 21820,
          },
          {
            id: '2',
            host: '127.0.0.1',
            quorumPort: 21990,
            electionPort: 24834,
            role: 'participant',
            clientHost: '127.0.0.1',
            clientPort: 25281,
          },
          {
            id: '3',
            host: '127.0.0.1',
            quorumPort: 24200,
            electionPort: 25462,
            role: 'participant',
            clientHost: '127.0.0.1',
            clientPort: 26444,
          },
        ],
        version: '100000000',
      },
    });
  });

  test('an observer is in conf as observer', () => {
    const conf = parseConf(text('observer/server.4.conf.txt'));
    assert.equal(conf.serverId, '4');
    assert.deepEqual(
      conf.membership?.servers.map((server) => `${server.id}:${server.role}`),
      ['1:participant', '2:participant', '3:participant', '4:observer'],
    );
  });

  test('membership lines without a role, with a bare client port, without a client part, IPv6', () => {
    const membership = parseMembership(
      [
        'server.1=zk1.example:2888:3888;2181',
        'server.2=zk2.example:2888:3888:observer;0.0.0.0:2181',
        'server.3=zk3.example:2888:3888',
        'server.4=[fd00::4]:2888:3888:participant;[fd00::4]:2181',
        'version=2000000a1',
      ].join('\n'),
    );
    assert.deepEqual(membership, {
      servers: [
        {
          id: '1',
          host: 'zk1.example',
          quorumPort: 2888,
          electionPort: 3888,
          role: 'participant',
          clientHost: 'zk1.example',
          clientPort: 2181,
        },
        {
          id: '2',
          host: 'zk2.example',
          quorumPort: 2888,
          electionPort: 3888,
          role: 'observer',
          clientHost: '0.0.0.0',
          clientPort: 2181,
        },
        { id: '3', host: 'zk3.example', quorumPort: 2888, electionPort: 3888, role: 'participant' },
        {
          id: '4',
          host: 'fd00::4',
          quorumPort: 2888,
          electionPort: 3888,
          role: 'participant',
          clientHost: 'fd00::4',
          clientPort: 2181,
        },
      ],
      version: '2000000a1',
    });
  });

  test('voting_view lists voters only; configuration gives ID and client port', () => {
    const view = parseAdminVotingView(json('observer/server.3.admin-voting_view.json'));
    assert.deepEqual(
      view.membership?.servers.map((server) => [server.id, server.clientPort]),
      [
        ['1', 25501],
        ['2', 25502],
        ['3', 25503],
      ],
    );
    assert.deepEqual(parseAdminConfiguration(json('ensemble/server.2.admin-configuration.json')), {
      serverId: '2',
      clientPort: 25281,
    });
  });
});

describe('AdminServer answers', () => {
  test('zabstate has the zxid as hex, server_stats the srvr facts', () => {
    assert.deepEqual(parseAdminZabState(json('ensemble/server.3.admin-zabstate.json')), {
      zxid: '0x10000001b',
      serverId: '3',
    });
    const stats = parseAdminServerStats(json('ensemble/server.3.admin-server_stats.json'));
    assert.equal(stats.mode, 'leader');
    assert.equal(stats.version, '3.8.0');
    assert.equal(stats.znodeCount, 8);
  });

  test('a command that cannot run says so in "error" (HTTP 200)', () => {
    assert.equal(
      adminCommandError(json('no-quorum/server.1.admin-voting_view.json')),
      'This ZooKeeper instance is not currently serving requests',
    );
    assert.equal(adminCommandError(json('ensemble/server.3.admin-zabstate.json')), undefined);
  });
});

describe('zxid', () => {
  test('epoch is the high 32 bits, the counter the low 32', () => {
    assert.deepEqual(decodeZxid('0x10000001b'), { epoch: 1, counter: 27, value: 4294967323 });
    assert.deepEqual(decodeZxid('0x0'), { epoch: 0, counter: 0, value: 0 });
    assert.deepEqual(decodeZxid('200000000'), { epoch: 2, counter: 0, value: 8589934592 });
  });

  test('above 2^53 the epoch and counter stay exact and the Number is left out', () => {
    // Epoch 0x7fffffff: a Number would round the low bits of the whole zxid.
    assert.deepEqual(decodeZxid('0x7fffffff00000003'), { epoch: 0x7fffffff, counter: 3 });
    assert.deepEqual(decodeZxid('0x1fffff00000001'), {
      epoch: 0x1fffff,
      counter: 1,
      value: 0x1fffff00000001,
    });
  });
});
