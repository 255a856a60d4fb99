/** ZooKeeper reconfig's pure parts: jute frames, server specs, requests and the verify-config step. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isQuorumctlError } from '../../core/errors.js';
import {
  decodeDataResponse,
  decodeReplyHeader,
  encodeConnectRequest,
  encodeDigestAuth,
  encodeReconfig,
  JuteReader,
  JuteWriter,
  keeperCodeName,
  splitFrames,
} from '../../systems/zookeeper/jute-frames.js';
import {
  serverFromRequest,
  serverIdOf,
  serverSpec,
  verifyConfigVersion,
  type ReconfigIo,
} from '../../systems/zookeeper/reconfig.js';
import { zookeeperKind } from '../../sandbox/zookeeper.js';

describe('jute frames', () => {
  test('ReconfigRequest: header, three nullable ustrings, the version as a long', () => {
    const frame = encodeReconfig(7, {
      joiningServers: 'server.4=h:1:2:participant;h:3',
      leavingServers: null,
      newMembers: null,
      curConfigId: 0x100000000n,
    });
    const joining = Buffer.from('server.4=h:1:2:participant;h:3');
    const expected = Buffer.concat([
      int(4 + 4 + 4 + joining.length + 4 + 4 + 8),
      int(7),
      int(16),
      int(joining.length),
      joining,
      int(-1),
      int(-1),
      Buffer.from('0000000100000000', 'hex'),
    ]);
    assert.deepEqual(frame, expected);
  });

  test('ConnectRequest is 45 bytes: protocol, zxid, timeout, session, 16-byte password, readOnly', () => {
    const frame = encodeConnectRequest(10_000);
    assert.equal(frame.readInt32BE(0), 4 + 8 + 4 + 8 + 4 + 16 + 1);
    assert.equal(frame.readInt32BE(4 + 4 + 8), 10_000);
  });

  test('digest auth: xid -4, opcode 100, scheme digest, user:password', () => {
    const reader = new JuteReader(
      splitFrames(encodeDigestAuth('super', 's3cret')).frames[0] ?? Buffer.alloc(0),
    );
    assert.equal(reader.int(), -4);
    assert.equal(reader.int(), 100);
    assert.equal(reader.int(), 0);
    assert.equal(reader.ustring(), 'digest');
    assert.equal(reader.buffer()?.toString(), 'super:s3cret');
  });

  test('a reply header and a GetDataResponse with its Stat decode; short frames are a RangeError', () => {
    const body = new JuteWriter()
      .int(3)
      .long(0x200000005n)
      .int(0)
      .buffer(Buffer.from('server.1=a:1:2:participant;a:3\nversion=200000005'))
      .long(1n)
      .long(0x200000005n)
      .long(0n)
      .long(0n)
      .int(2)
      .int(0)
      .int(0)
      .long(0n)
      .int(47)
      .int(0)
      .long(0n)
      .frame();
    const { frames, rest } = splitFrames(Buffer.concat([body, body.subarray(0, 5)]));
    assert.equal(frames.length, 1);
    assert.equal(rest.length, 5);
    const reader = new JuteReader(frames[0] ?? Buffer.alloc(0));
    assert.deepEqual(decodeReplyHeader(reader), { xid: 3, zxid: 0x200000005n, err: 0 });
    const data = decodeDataResponse(reader);
    assert.equal(data.modifiedZxid, 0x200000005n);
    assert.equal(data.version, 2);
    assert.match(data.data.toString(), /version=200000005/);
    assert.throws(() => decodeDataResponse(new JuteReader(Buffer.alloc(6))), RangeError);
  });

  test('error codes have their ZooKeeper names', () => {
    assert.equal(keeperCodeName(-13), 'NEWCONFIGNOQUORUM');
    assert.equal(keeperCodeName(-123), 'RECONFIGDISABLED');
    assert.equal(keeperCodeName(-999), 'KEEPER_ERROR_-999');
  });
});

describe('server specs', () => {
  test('a voter request becomes a participant spec; learner and observer become observers', () => {
    const request = {
      name: 'server.4',
      role: 'voter' as const,
      peerUrls: ['10.0.0.4:2888:3888'],
      clientUrls: ['tcp://10.0.0.4:2181'],
    };
    assert.equal(
      serverSpec(serverFromRequest(request)),
      'server.4=10.0.0.4:2888:3888:participant;10.0.0.4:2181',
    );
    assert.equal(serverFromRequest({ ...request, role: 'learner' }).role, 'observer');
    assert.equal(serverFromRequest({ ...request, role: 'observer' }).role, 'observer');
    assert.equal(
      serverSpec(
        serverFromRequest({ ...request, id: '12', peerUrls: ['[::1]:1:2'], clientUrls: [] }),
      ),
      'server.12=[::1]:1:2:participant',
    );
  });

  test('bad IDs and addresses are usage errors that say what to pass', () => {
    assert.equal(serverIdOf('server.07'), '7');
    for (const bad of [
      () => serverIdOf('n4'),
      () => serverFromRequest({ name: '4', role: 'voter', peerUrls: ['10.0.0.4:2888'] }),
      () => serverFromRequest({ name: '4', role: 'voter', peerUrls: ['h:1:2'], clientUrls: ['h'] }),
    ]) {
      assert.throws(bad, (error: unknown) => isQuorumctlError(error) && error.exitCode === 2);
    }
  });
});

const SRVR_FOLLOWER = 'Zookeeper version: 3.8.0\nMode: follower\nNode count: 5\n';

describe('verify-config', () => {
  const servers = [
    { id: '1', host: '127.0.0.1', role: 'participant' as const, clientPort: 1 },
    {
      id: '2',
      host: '127.0.0.1',
      role: 'participant' as const,
      clientPort: 2,
      clientHost: '0.0.0.0',
    },
  ];
  const conf = (version: string) => `clientPort=1\nserverId=1\nmembership: \nversion=${version}\n`;

  test('polls until every server reports the version', async () => {
    let round = 0;
    let clock = 0;
    const asked: string[] = [];
    const io: ReconfigIo = {
      sendWord: (endpoint, word) => {
        asked.push(endpoint);
        if (word === 'srvr') return Promise.resolve(SRVR_FOLLOWER);
        return Promise.resolve(
          conf(endpoint.endsWith(':2') && round < 2 ? '100000000' : '100000003'),
        );
      },
      sleep: () => {
        round += 1;
        clock += 250;
        return Promise.resolve();
      },
      now: () => clock,
    };
    const result = await verifyConfigVersion(servers, '0x100000003', { timeoutMs: 100 }, io);
    assert.equal(result.converged, true);
    assert.equal(round, 2);
    assert.ok(
      asked.includes('tcp://127.0.0.1:2'),
      'a wildcard client host is reached on the server host',
    );
  });

  test('a server with the new version but not yet serving in its role is not done', async () => {
    let clock = 0;
    const modes = [
      'This ZooKeeper instance is not currently serving requests\n',
      SRVR_FOLLOWER.replace('follower', 'observer'),
    ];
    const io: ReconfigIo = {
      sendWord: (_endpoint, word) =>
        Promise.resolve(word === 'srvr' ? (modes[0] ?? '') : conf('100000003')),
      sleep: () => {
        clock += 250;
        modes.shift();
        return Promise.resolve();
      },
      now: () => clock,
    };
    const observer = [{ id: '4', host: '127.0.0.1', role: 'observer' as const, clientPort: 4 }];
    const result = await verifyConfigVersion(observer, '100000003', { timeoutMs: 100 }, io);
    assert.equal(result.converged, true);
    assert.equal(result.waitedMs, 250);
  });

  test('gives up after the timeout and names who lags or did not answer', async () => {
    let clock = 0;
    const io: ReconfigIo = {
      sendWord: (endpoint, word) =>
        endpoint.endsWith(':2')
          ? Promise.reject(new Error('ECONNREFUSED'))
          : Promise.resolve(word === 'srvr' ? SRVR_FOLLOWER : conf('100000003')),
      sleep: () => {
        clock += 1000;
        return Promise.resolve();
      },
      now: () => clock,
    };
    const result = await verifyConfigVersion(servers, '100000003', { timeoutMs: 100 }, io, 3000);
    assert.equal(result.converged, false);
    assert.equal(result.waitedMs, 3000);
    assert.deepEqual(
      result.servers.map((server) => [server.id, server.version, server.error]),
      [
        ['1', '100000003', undefined],
        ['2', undefined, 'ECONNREFUSED'],
      ],
    );
  });
});

describe('sandbox planJoin', () => {
  const slot = (name: string, base: number) => ({
    name,
    host: '127.0.0.1',
    ports: { client: base, quorum: base + 1, election: base + 2, admin: base + 3 },
    dataDir: `/s/data/${name}`,
    logFile: `/s/logs/${name}.log`,
  });

  test('the joiner lists the current servers plus itself, with its own myid', () => {
    const launch = zookeeperKind.planJoin?.({
      sandbox: 's',
      confDir: '/s/conf',
      members: [slot('n1', 100), slot('n2', 200), slot('n3', 300)],
      joining: slot('n4', 400),
      role: 'observer',
    });
    assert.ok(launch !== undefined);
    const file = (suffix: string) =>
      launch.files.find((entry) => entry.path.endsWith(suffix))?.content;
    assert.equal(
      file('n4.cfg.dynamic'),
      [
        'server.1=127.0.0.1:101:102:participant;127.0.0.1:100',
        'server.2=127.0.0.1:201:202:participant;127.0.0.1:200',
        'server.3=127.0.0.1:301:302:participant;127.0.0.1:300',
        'server.4=127.0.0.1:401:402:observer;127.0.0.1:400',
        '',
      ].join('\n'),
    );
    assert.equal(file('/s/data/n4/myid'), '4\n');
    assert.match(file('n4.cfg') ?? '', /dynamicConfigFile=\/s\/conf\/n4\.cfg\.dynamic/);
    assert.equal(launch.clientUrl, 'tcp://127.0.0.1:400');
  });

  test('a joiner whose name has no number gets one past the highest ID', () => {
    const launch = zookeeperKind.planJoin?.({
      sandbox: 's',
      confDir: '/s/conf',
      members: [slot('n1', 100), slot('n5', 200)],
      joining: slot('extra', 400),
      role: 'voter',
    });
    assert.equal(launch?.files.find((entry) => entry.path.endsWith('myid'))?.content, '6\n');
  });
});

function int(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
}
