// The ZooKeeper adapter over recorded answers: discovery from one endpoint, failover, no quorum, refused words, AdminServer fallback.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { UnreachableError, UsageError } from '../../core/errors.js';
import type { ClusterStatus, MemberStatus } from '../../core/model.js';
import type { ClusterTarget } from '../../core/ports.js';
import { HttpTransportError } from '../../systems/transport/http.js';
import type { AdminCommand } from '../../systems/zookeeper/admin-server.js';
import { connectWith } from '../../systems/zookeeper/adapter.js';
import {
  FourLetterWordError,
  serverAddress,
  type FourLetterWord,
} from '../../systems/zookeeper/four-letter-words.js';
import { REPO_ROOT } from '../support/cli.js';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/zookeeper-3.8.0');
const fixture = (path: string) => readFileSync(join(FIXTURES, path), 'utf8');
const OBSERVED_AT = new Date('2026-11-29T05:00:00.000Z');

/** Recorded answers per client port: a directory prefix (`ensemble/server.1`), or a transport error code. */
type Server = string | { code: string } | Partial<Record<FourLetterWord, string>>;

function replay(
  servers: Record<number, Server>,
  admin: Record<string, Record<string, string>> = {},
) {
  const calls: string[] = [];
  return {
    calls,
    transport: {
      now: () => OBSERVED_AT,
      sendWord: (endpoint: string, word: FourLetterWord) => {
        const { port } = serverAddress(endpoint);
        calls.push(`${port} ${word}`);
        const server = servers[port] ?? { code: 'ECONNREFUSED' };
        if (typeof server === 'string') return Promise.resolve(fixture(`${server}.${word}.txt`));
        if ('code' in server && typeof server.code === 'string') {
          return Promise.reject(
            new FourLetterWordError(server.code, endpoint, `${server.code} (replayed)`),
          );
        }
        const path = (server as Partial<Record<FourLetterWord, string>>)[word];
        return path === undefined
          ? Promise.reject(new FourLetterWordError('TIMEOUT', endpoint, 'no answer'))
          : Promise.resolve(fixture(path));
      },
      adminCommand: (monitorUrl: string, command: AdminCommand) => {
        calls.push(`${monitorUrl} ${command}`);
        const path = admin[monitorUrl]?.[command];
        return path === undefined
          ? Promise.reject(new HttpTransportError('ECONNREFUSED', monitorUrl, 'connection refused'))
          : Promise.resolve(JSON.parse(fixture(path)) as unknown);
      },
    },
  };
}

function target(endpoints: string[], monitorUrls?: string[]): ClusterTarget {
  return {
    name: 'zk',
    kind: 'zookeeper',
    endpoints,
    ...(monitorUrls !== undefined && { monitorUrls }),
  };
}

async function statusOf(
  endpoints: string[],
  servers: Record<number, Server>,
  options: { monitorUrls?: string[]; admin?: Record<string, Record<string, string>> } = {},
): Promise<{ status: ClusterStatus; calls: string[] }> {
  const { transport, calls } = replay(servers, options.admin);
  const adapter = connectWith(
    target(endpoints, options.monitorUrls),
    { timeoutMs: 1000 },
    transport,
  );
  return { status: await adapter.status(), calls };
}

function member(status: ClusterStatus, name: string): MemberStatus {
  const found = status.members.find((candidate) => candidate.name === name);
  assert.ok(found, `${name} in ${status.members.map((m) => m.name).join(', ')}`);
  return found;
}

const ENSEMBLE = {
  21820: 'ensemble/server.1',
  25281: 'ensemble/server.2',
  26444: 'ensemble/server.3',
} as const;

describe('ZooKeeper adapter over recorded answers', () => {
  test('one endpoint finds the ensemble through conf: one leader, three voters, the epoch as term', async () => {
    const { status, calls } = await statusOf(['http://127.0.0.1:21820'], ENSEMBLE);
    assert.deepEqual(
      status.members.map((m) => [m.id, m.name, m.endpoint, m.role, m.voter, m.reachable]),
      [
        ['1', 'server.1', 'tcp://127.0.0.1:21820', 'follower', true, true],
        ['2', 'server.2', 'tcp://127.0.0.1:25281', 'follower', true, true],
        ['3', 'server.3', 'tcp://127.0.0.1:26444', 'leader', true, true],
      ],
    );
    assert.equal(status.leaderId, '3');
    assert.equal(status.term, 1);
    assert.deepEqual(status.quorum, {
      voters: 3,
      healthyVoters: 3,
      majority: 2,
      faultTolerance: 1,
      quorumMargin: 1,
      hasQuorum: true,
    });
    assert.deepEqual(member(status, 'server.3'), {
      id: '3',
      name: 'server.3',
      endpoint: 'tcp://127.0.0.1:26444',
      role: 'leader',
      voter: true,
      reachable: true,
      alarms: [],
      term: 1,
      commitIndex: 0x10000001b,
      leaderId: '3',
      dbSizeBytes: 300,
      version: '3.8.0',
      lagEntries: 0,
      attributes: {
        zxid: '0x10000001b',
        outstandingRequests: 0,
        latencyAvgMs: 2.3333,
        latencyMaxMs: 4,
        znodeCount: 8,
        configVersion: '0x100000000',
      },
    });
    assert.deepEqual(status.attributes, {
      syncedFollowers: 2,
      syncedObservers: 0,
      pendingSyncs: 0,
      learners: 2,
      configVersion: '0x100000000',
    });
    assert.equal(status.observedAt, OBSERVED_AT.toISOString());
    // Each server is asked each word exactly once.
    for (const port of [21820, 25281, 26444])
      for (const word of ['srvr', 'mntr', 'conf'])
        assert.equal(
          calls.filter((call) => call === `${port} ${word}`).length,
          1,
          `${port} ${word}`,
        );
  });

  test('given every endpoint, each server is still probed once', async () => {
    const { status, calls } = await statusOf(
      ['tcp://127.0.0.1:21820', 'tcp://127.0.0.1:25281', 'tcp://127.0.0.1:26444'],
      ENSEMBLE,
    );
    assert.equal(status.members.length, 3);
    assert.equal(calls.length, 9);
  });

  test('leader stopped: the new leader at epoch 2, the old one unreachable with the reason, no false lag', async () => {
    const { status } = await statusOf(['http://127.0.0.1:21820'], {
      21820: 'leader-stopped/server.1',
      25281: 'leader-stopped/server.2',
      26444: { code: 'ECONNREFUSED' },
    });
    assert.equal(status.leaderId, '2');
    assert.equal(status.term, 2);
    const stopped = member(status, 'server.3');
    assert.equal(stopped.reachable, false);
    assert.equal(stopped.voter, true);
    assert.deepEqual(stopped.error, { code: 'ECONNREFUSED', message: 'ECONNREFUSED (replayed)' });
    // server.1's last transaction is from epoch 1 (0x10000001b), the leader is at 0x200000000:
    // it lacks nothing, though the raw difference is 2^32 - 27.
    const follower = member(status, 'server.1');
    assert.equal(follower.term, 1);
    assert.equal(follower.lagEntries, 0);
    assert.equal(status.quorum.quorumMargin, 0);
    assert.equal(status.attributes?.syncedFollowers, 1);
  });

  test('no quorum: the survivor answers but serves nobody (candidate), the others are down', async () => {
    const { status } = await statusOf(
      ['tcp://127.0.0.1:21820', 'tcp://127.0.0.1:25281', 'tcp://127.0.0.1:26444'],
      { 21820: 'no-quorum/server.1' },
    );
    const survivor = member(status, '127.0.0.1:21820');
    assert.equal(survivor.reachable, true);
    assert.equal(survivor.role, 'candidate');
    assert.equal(survivor.voter, true);
    assert.match(survivor.reportedErrors?.[0] ?? '', /not currently serving requests/);
    assert.equal(survivor.error, undefined);
    assert.equal(status.leaderId, undefined);
    assert.equal(status.quorum.hasQuorum, false);
    assert.deepEqual(
      status.members.filter((m) => !m.reachable).map((m) => m.error?.code),
      ['ECONNREFUSED', 'ECONNREFUSED'],
    );
    assert.deepEqual(status.attributes, { membership: 'unknown: voters are the given endpoints' });
  });

  test('an observer does not vote; voters come from the configuration, not from who answered', async () => {
    const { status } = await statusOf(['tcp://127.0.0.1:25504'], { 25504: 'observer/server.4' });
    const observer = member(status, 'server.4');
    assert.equal(observer.role, 'observer');
    assert.equal(observer.voter, false);
    assert.equal(observer.reachable, true);
    assert.equal(status.quorum.voters, 3);
    assert.equal(status.quorum.healthyVoters, 0);
    assert.equal(member(status, 'server.1').role, 'unknown');
  });

  test('a given endpoint outside the configuration is shown, not counted as a voter', async () => {
    const { status } = await statusOf(['tcp://127.0.0.1:21820', 'tcp://127.0.0.1:29999'], ENSEMBLE);
    const stranger = member(status, '127.0.0.1:29999');
    assert.equal(stranger.voter, false);
    assert.equal(stranger.reachable, false);
    assert.equal(status.quorum.voters, 3);
    assert.equal(status.quorum.quorumMargin, 1);
  });

  test('something that is not ZooKeeper on the port: unreachable with BAD_RESPONSE', async () => {
    const { status } = await statusOf(['tcp://127.0.0.1:21820', 'tcp://127.0.0.1:29998'], {
      ...ENSEMBLE,
      29998: { srvr: 'standalone-whitelist-ruok/admin-monitor.json' },
    });
    const wrong = member(status, '127.0.0.1:29998');
    assert.equal(wrong.reachable, false);
    assert.equal(wrong.error?.code, 'BAD_RESPONSE');
  });

  test('nobody answers: CLUSTER_UNREACHABLE naming every endpoint and its reason', async () => {
    await assert.rejects(
      statusOf(['tcp://127.0.0.1:21820', 'tcp://127.0.0.1:25281'], {
        25281: { code: 'TIMEOUT' },
      }),
      (error) => {
        assert.ok(error instanceof UnreachableError);
        assert.equal(error.code, 'CLUSTER_UNREACHABLE');
        assert.match(error.message, /tcp:\/\/127\.0\.0\.1:21820 \(ECONNREFUSED \(replayed\)\)/);
        assert.match(error.message, /tcp:\/\/127\.0\.0\.1:25281 \(TIMEOUT \(replayed\)\)/);
        assert.ok(error.actions.length > 0);
        return true;
      },
    );
  });
});

describe('four-letter words outside the whitelist', () => {
  const standalone = {
    24111: {
      srvr: 'standalone-whitelist-ruok/srvr.txt',
      mntr: 'standalone-whitelist-ruok/mntr.txt',
      conf: 'standalone-whitelist-ruok/conf.txt',
    },
  };
  const MONITOR = 'http://127.0.0.1:24112/commands';
  const ADMIN = {
    [MONITOR]: {
      configuration: 'standalone-whitelist-ruok/admin-configuration.json',
      monitor: 'standalone-whitelist-ruok/admin-monitor.json',
      voting_view: 'standalone-whitelist-ruok/admin-voting_view.json',
    },
  };

  test('every server refuses mntr and conf: a usage error naming the words and where to add them', async () => {
    await assert.rejects(statusOf(['tcp://127.0.0.1:24111'], standalone), (error) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.code, 'FOUR_LETTER_WORDS_DISABLED');
      assert.equal(
        error.message,
        'ZooKeeper cluster "zk": every server refused the four-letter words mntr, conf (not in 4lw.commands.whitelist)',
      );
      assert.ok(
        error.actions.includes(
          'add to zoo.cfg on every server and restart it: 4lw.commands.whitelist=srvr,mntr,conf',
        ),
        error.actions.join('\n'),
      );
      assert.ok(
        error.actions.some((action) =>
          action.includes('-Dzookeeper.4lw.commands.whitelist=srvr,mntr,conf'),
        ),
      );
      assert.ok(error.actions.some((action) => action.includes('--monitor-urls')));
      assert.deepEqual(error.details.refusedWords, ['mntr', 'conf']);
      return true;
    });
  });

  test('with the AdminServer given, it stands in for the refused words', async () => {
    const { status, calls } = await statusOf(['tcp://127.0.0.1:24111'], standalone, {
      monitorUrls: [MONITOR],
      admin: ADMIN,
    });
    const server = member(status, 'server.0');
    assert.equal(server.role, 'leader');
    assert.equal(server.voter, true);
    assert.equal(server.error, undefined);
    assert.equal(server.dbSizeBytes, 44);
    assert.equal(server.attributes?.zxid, '0x0');
    assert.equal(status.leaderId, '0');
    assert.equal(status.quorum.hasQuorum, true);
    // A standalone server has no ensemble configuration to miss.
    assert.equal(status.attributes, undefined);
    assert.ok(calls.includes(`${MONITOR} monitor`));
    assert.ok(calls.includes(`${MONITOR} voting_view`));
  });

  test('an AdminServer that does not answer: still the usage error, saying what the AdminServer did', async () => {
    await assert.rejects(
      statusOf(['tcp://127.0.0.1:24111'], standalone, { monitorUrls: [MONITOR], admin: {} }),
      (error) => {
        assert.ok(error instanceof UsageError);
        assert.equal(error.code, 'FOUR_LETTER_WORDS_DISABLED');
        assert.match(
          String(error.details.adminServer),
          /no monitor URL answers for 127\.0\.0\.1:24111/,
        );
        return true;
      },
    );
  });

  test('one server of three refuses (a rolling config change): a per-member error, status still served', async () => {
    const { status } = await statusOf(['tcp://127.0.0.1:25281'], {
      ...ENSEMBLE,
      21820: {
        srvr: 'ensemble/server.1.srvr.txt',
        mntr: 'standalone-whitelist-ruok/mntr.txt',
        conf: 'standalone-whitelist-ruok/conf.txt',
      },
    });
    const refusing = member(status, 'server.1');
    assert.equal(refusing.reachable, true);
    assert.equal(refusing.role, 'follower');
    assert.deepEqual(refusing.error, {
      code: 'FOUR_LETTER_WORDS_DISABLED',
      message:
        'mntr, conf not in 4lw.commands.whitelist: add 4lw.commands.whitelist=srvr,mntr,conf',
    });
    assert.equal(member(status, 'server.2').error, undefined);
    assert.equal(status.quorum.healthyVoters, 3);
  });
});
