// metaGroupStatus on real nats-server 2.9.10 answers (test/fixtures/nats-2.9.10): the meta group as members.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assembleClusterStatus } from '../../core/cluster-status.js';
import type { MemberStatus } from '../../core/model.js';
import { metaGroupStatus } from '../../systems/nats/meta-members.js';
import type {
  Healthz,
  Jsz,
  MetaClusterInfo,
  Routez,
  Varz,
} from '../../systems/nats/monitoring-types.js';
import { natsPeerId } from '../../systems/nats/peer-id.js';
import type { ReachedServer, ServerProbe } from '../../systems/nats/server-probe.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'nats-2.9.10');

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
}

const VARZ_N1 = fixture('varz_n1.json') as Varz;
const ROUTEZ_N1 = fixture('routez_n1.json') as Routez;
const OK: Healthz = { status: 'ok' };
const endpointOf = (name: string) => `http://127.0.0.1:822${name.slice(1)}`;

/** A server of the recorded C1 cluster: n1's /varz with this server's name and meta view. */
function reached(name: string, jszFile: string, overrides: Partial<ReachedServer> = {}) {
  const jsz = fixture(jszFile) as Jsz;
  const varz: Varz = {
    ...VARZ_N1,
    server_name: name,
    jetstream: { ...VARZ_N1.jetstream, meta: jsz.meta_cluster as MetaClusterInfo },
  };
  const probe: ReachedServer = {
    endpoint: endpointOf(name),
    reachable: true,
    varz,
    jsz,
    healthz: OK,
    routez: ROUTEZ_N1,
    problems: [],
    ...overrides,
  };
  return probe;
}

function refused(name: string): ServerProbe {
  return {
    endpoint: endpointOf(name),
    reachable: false,
    error: { code: 'ECONNREFUSED', message: 'connection refused' },
  };
}

interface RecordedServer {
  endpoint: string;
  varz?: Varz;
  jsz?: Jsz;
  healthz?: Healthz;
  routez?: Routez;
  error?: { code: string; message: string };
}

/** The recorded quorumctl sandbox: every server's answers, or the error its endpoint gave. */
function sandboxProbes(file: string, only?: string[]): ServerProbe[] {
  const servers = fixture(file) as Record<string, RecordedServer>;
  return Object.entries(servers)
    .filter(([name]) => only === undefined || only.includes(name))
    .map(([, server]): ServerProbe => {
      if (server.error !== undefined)
        return { endpoint: server.endpoint, reachable: false, error: server.error };
      const probe: ReachedServer = {
        endpoint: server.endpoint,
        reachable: true,
        varz: server.varz ?? {},
        problems: [],
      };
      if (server.jsz !== undefined) probe.jsz = server.jsz;
      if (server.healthz !== undefined) probe.healthz = server.healthz;
      if (server.routez !== undefined) probe.routez = server.routez;
      return probe;
    });
}

function byName(members: readonly MemberStatus[], name: string): MemberStatus {
  const member = members.find((candidate) => candidate.name === name);
  assert.ok(member, `member ${name} among ${members.map((m) => m.name).join(', ')}`);
  return member;
}

function assembled(probes: ServerProbe[]) {
  return assembleClusterStatus({
    cluster: 'C1',
    kind: 'nats',
    members: metaGroupStatus(probes).members,
    observedAt: new Date(0),
  });
}

describe('natsPeerId', () => {
  test('is the Raft peer ID nats-server shows for each server name', () => {
    const meta = (fixture('jsz_leader_n1.json') as Jsz).meta_cluster;
    assert.equal(natsPeerId('n1'), meta?.peer, 'meta_cluster.peer is the hash of the leader');
    for (const replica of meta?.replicas ?? [])
      assert.equal(natsPeerId(replica.name), replica.peer);
    // With no leader, nats-server hashes the empty name.
    assert.equal(natsPeerId(''), (fixture('jsz_no_meta_leader.json') as Jsz).meta_cluster?.peer);
  });
});

describe('metaGroupStatus on the recorded C1 cluster', () => {
  test('healthy: one leader, two followers following it, lag 0, facts from /varz and /jsz', () => {
    const meta = metaGroupStatus([
      reached('n1', 'jsz_full_n1.json'),
      reached('n2', 'jsz_follower_n2.json'),
      reached('n3', 'jsz_follower_n2.json'),
    ]);
    assert.equal(meta.clusterName, 'C1');
    assert.equal(meta.clusterSize, 3);
    assert.equal(meta.metaLeader, 'n1');
    const n1 = byName(meta.members, 'n1');
    assert.equal(n1.role, 'leader');
    assert.equal(n1.id, 'fjFyEjc1');
    assert.equal(n1.version, '2.9.10');
    assert.equal(n1.term, undefined, '2.9 exposes no meta term: none is invented');
    assert.equal(n1.dbSizeBytes, 900);
    assert.equal(n1.quotaBytes, 57933702144);
    assert.deepEqual(n1.attributes, { current: true, streams: 1, consumers: 1, routes: 2 });
    for (const name of ['n2', 'n3']) {
      const follower = byName(meta.members, name);
      assert.equal(follower.role, 'follower');
      assert.equal(follower.leaderId, 'fjFyEjc1');
      assert.equal(follower.lagEntries, 0);
      assert.equal(follower.attributes?.current, true);
      assert.equal(follower.attributes?.lastSeenSeconds, 0.9);
      assert.equal(follower.reportedErrors, undefined);
    }
    const status = assembled([
      reached('n1', 'jsz_full_n1.json'),
      reached('n2', 'jsz_follower_n2.json'),
      reached('n3', 'jsz_follower_n2.json'),
    ]);
    assert.equal(status.leaderId, 'fjFyEjc1');
    assert.equal(status.term, undefined);
    assert.equal(status.quorum.quorumMargin, 1);
  });

  test('n3 killed: its endpoint is the one peer left, so it is n3, unreachable with our reason', () => {
    const probes = [
      reached('n1', 'jsz_leader_with_n3_down.json'),
      reached('n2', 'jsz_follower_n2.json'),
      refused('n3'),
    ];
    const n3 = byName(metaGroupStatus(probes).members, 'n3');
    assert.equal(n3.reachable, false);
    assert.equal(n3.id, 'BXScrY9i');
    assert.equal(n3.endpoint, endpointOf('n3'));
    assert.deepEqual(n3.error, { code: 'ECONNREFUSED', message: 'connection refused' });
    assert.deepEqual(n3.attributes, { current: false, lastSeenSeconds: 15.7 });
    const status = assembled(probes);
    assert.equal(status.members.length, 3);
    assert.equal(status.quorum.healthyVoters, 2);
    assert.equal(status.quorum.quorumMargin, 0);
    assert.equal(status.leaderId, 'fjFyEjc1');
  });

  test('n3 killed and not among the endpoints: the meta leader says it is offline', () => {
    const members = metaGroupStatus([
      reached('n1', 'jsz_leader_with_n3_down.json'),
      reached('n2', 'jsz_follower_n2.json'),
    ]).members;
    const n3 = byName(members, 'n3');
    assert.equal(n3.reachable, false);
    assert.equal(n3.endpoint, '');
    assert.equal(n3.error?.code, 'OFFLINE');
    assert.match(n3.error?.message ?? '', /meta leader n1 reports it offline, last heard 15\.7 s/);
  });

  test('only the leader given: the other peers are members as the leader sees them', () => {
    const status = assembled([reached('n1', 'jsz_leader_n1.json')]);
    assert.deepEqual(
      status.members.map((member) => [member.name, member.role, member.reachable]),
      [
        ['n1', 'leader', true],
        ['n2', 'follower', true],
        ['n3', 'follower', true],
      ],
    );
    assert.match(byName(status.members, 'n2').reportedErrors?.[0] ?? '', /^not probed/);
    assert.equal(status.quorum.quorumMargin, 1);
  });

  test('no meta leader: no leader, /healthz reason reported, votes kept at the meta group size', () => {
    const probes = [
      reached('n1', 'jsz_no_meta_leader.json', {
        healthz: JSON.parse(
          readFileSync(join(FIXTURES, 'healthz_no_meta_leader.txt'), 'utf8').split('\n')[0]!,
        ) as Healthz,
        routez: { num_routes: 0, routes: [] },
      }),
      refused('n2'),
      refused('n3'),
    ];
    const meta = metaGroupStatus(probes);
    assert.equal(meta.metaLeader, undefined);
    assert.equal(meta.clusterSize, 2, 'n3 had been removed from the meta group');
    const n1 = byName(meta.members, 'n1');
    assert.equal(n1.role, 'unknown');
    assert.equal(n1.leaderId, undefined);
    assert.deepEqual(n1.reportedErrors, [
      'JetStream has not established contact with a meta leader',
    ]);
    const status = assembled(probes);
    assert.equal(status.leaderId, undefined);
    assert.equal(status.quorum.voters, 2);
    assert.equal(status.quorum.hasQuorum, false);
    assert.equal(status.members.filter((member) => !member.reachable).length, 2);
  });

  test('two servers claim the meta leadership: the one the others follow wins', () => {
    const leaderN2: Jsz = {
      meta_cluster: { name: 'C1', leader: 'n2', peer: natsPeerId('n2'), cluster_size: 3 },
    };
    const stale = reached('n1', 'jsz_leader_n1.json');
    const current = reached('n2', 'jsz_leader_n1.json', {
      varz: {
        ...VARZ_N1,
        server_name: 'n2',
        jetstream: {
          meta: {
            ...leaderN2.meta_cluster,
            replicas: [
              { name: 'n1', current: true, active: 1e8, peer: 'fjFyEjc1' },
              { name: 'n3', current: true, active: 1e8, peer: 'BXScrY9i' },
            ],
          },
        },
      },
    });
    const follower = reached('n3', 'jsz_leader_n1.json', {
      varz: { ...VARZ_N1, server_name: 'n3', jetstream: { meta: leaderN2.meta_cluster } },
    });
    const meta = metaGroupStatus([stale, current, follower]);
    assert.equal(meta.metaLeader, 'n2');
  });
});

describe('metaGroupStatus on a recorded sandbox', () => {
  test('meta leader n2 killed 6 s ago: n1 leads, n2 is unreachable with our reason', () => {
    const probes = sandboxProbes('sandbox-meta-leader-n2-killed.json');
    const meta = metaGroupStatus(probes);
    assert.equal(meta.metaLeader, 'n1');
    assert.equal(meta.clusterName, 'x');
    const n2 = byName(meta.members, 'n2');
    assert.equal(n2.reachable, false);
    assert.equal(n2.error?.code, 'ECONNREFUSED');
    assert.deepEqual(n2.attributes, { current: false, lastSeenSeconds: 6.1 });
    const n3 = byName(meta.members, 'n3');
    assert.equal(n3.role, 'follower');
    assert.equal(n3.leaderId, natsPeerId('n1'));
    assert.equal(assembled(probes).leaderId, natsPeerId('n1'));
  });

  test('one follower given: the leader it names and the peers of its streams are members', () => {
    const status = assembled(sandboxProbes('sandbox-healthy.json', ['n1']));
    assert.deepEqual(
      status.members.map((member) => [member.name, member.role, member.reachable, member.voter]),
      [
        ['n1', 'follower', true, true],
        ['n2', 'leader', true, true],
        ['n3', 'follower', true, true],
      ],
    );
    assert.equal(status.leaderId, natsPeerId('n2'));
    assert.equal(status.quorum.quorumMargin, 1);
    assert.match(
      byName(status.members, 'n2').reportedErrors?.[0] ?? '',
      /n1 follow it as meta leader/,
    );
  });

  test('one follower given, no streams, routes missing: an unnamed stand-in keeps the vote count', () => {
    const [n1] = sandboxProbes('sandbox-healthy.json', ['n1']) as ReachedServer[];
    const bare: ReachedServer = {
      ...n1!,
      jsz: { ...n1!.jsz, account_details: [] },
      routez: { num_routes: 1, routes: [{ remote_id: 'N2' }] },
    };
    const status = assembled([bare]);
    assert.equal(status.quorum.voters, 3);
    const standIn = status.members.find((member) => member.id === 'unknown-1');
    assert.equal(standIn?.reachable, false);
    assert.equal(standIn?.error?.code, 'UNKNOWN_PEER');
  });
});
