// PD answers (test/fixtures/tikv, shaped from PD's docs and source) mapped to members, store counts and regions.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseJsonKeepingBigIntegers } from '../../systems/tikv/pd-client.js';
import {
  pdMemberStatuses,
  regionGroup,
  regionSummary,
  storeAttributes,
  unavailableStoreIds,
  type PdEndpointProbe,
} from '../../systems/tikv/pd-status.js';
import type {
  PdHealthEntry,
  PdMembersResponse,
  PdRegion,
  PdRegionsResponse,
  PdStoreInfo,
  PdStoresResponse,
} from '../../systems/tikv/pd-types.js';
import { REPO_ROOT } from '../support/cli.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'tikv');
const read = (scenario: string, file: string): unknown =>
  parseJsonKeepingBigIntegers(readFileSync(join(FIXTURES, scenario, file), 'utf8'));

const PD1 = '13195394291058371180';
const PD3 = '17342107650924838011';
const answered = (endpoint: string, health?: PdHealthEntry[]): PdEndpointProbe =>
  health === undefined ? { endpoint, answered: true } : { endpoint, answered: true, health };

describe('parseJsonKeepingBigIntegers', () => {
  test('member and cluster IDs beyond 2^53 stay exact decimal strings; small numbers stay numbers', () => {
    const members = read('healthy', 'members.json') as PdMembersResponse;
    assert.equal(members.members?.[0]?.member_id, PD1);
    assert.equal(members.header?.cluster_id, '7286450214361937129');
    assert.notEqual(
      String((JSON.parse(`[${PD1}]`) as number[])[0]),
      PD1,
      'plain JSON.parse really does round it',
    );
    const stores = read('healthy', 'stores.json') as PdStoresResponse;
    assert.equal(stores.stores?.[0]?.store?.id, 1);
    assert.equal(stores.stores?.[0]?.status?.region_count, 24);
  });
});

describe('pdMemberStatuses', () => {
  test('healthy: three voters, pd-1 leads, versions from binary_version, IDs as strings', () => {
    const health = read('healthy', 'health.json') as PdHealthEntry[];
    const members = pdMemberStatuses({
      probes: [answered('http://10.0.2.11:2379', health)],
      members: read('healthy', 'members.json') as PdMembersResponse,
      health,
    });
    assert.deepEqual(
      members.map((member) => [member.name, member.role, member.reachable, member.voter]),
      [
        ['pd-1', 'leader', true, true],
        ['pd-2', 'follower', true, true],
        ['pd-3', 'follower', true, true],
      ],
    );
    assert.deepEqual(members[0], {
      id: PD1,
      name: 'pd-1',
      endpoint: 'http://10.0.2.11:2379',
      role: 'leader',
      voter: true,
      reachable: true,
      alarms: [],
      version: 'v8.5.1',
    });
    assert.equal(members[1]?.endpoint, 'http://10.0.2.12:2379', 'client URL of a member not asked');
  });

  test('degraded: the member PD cannot health-check is unreachable with the reason', () => {
    const health = read('degraded', 'health.json') as PdHealthEntry[];
    const members = pdMemberStatuses({
      probes: [answered('http://10.0.2.11:2379', health)],
      members: read('degraded', 'members.json') as PdMembersResponse,
      health,
    });
    const pd3 = members.find((member) => member.id === PD3);
    assert.equal(pd3?.reachable, false);
    assert.equal(pd3?.role, 'unknown');
    assert.equal(pd3?.error?.code, 'UNHEALTHY');
    assert.equal(members.filter((member) => member.reachable).length, 2);
  });

  test('a given endpoint that failed speaks for its member, before PD health does', () => {
    const health = read('healthy', 'health.json') as PdHealthEntry[];
    const members = pdMemberStatuses({
      probes: [
        answered('http://10.0.2.11:2379', health),
        {
          endpoint: 'http://10.0.2.13:2379',
          answered: false,
          error: { code: 'ECONNREFUSED', message: 'connection refused' },
        },
      ],
      members: read('healthy', 'members.json') as PdMembersResponse,
      health,
    });
    const pd3 = members.find((member) => member.name === 'pd-3');
    assert.deepEqual(pd3?.error, { code: 'ECONNREFUSED', message: 'connection refused' });
    assert.equal(pd3?.endpoint, 'http://10.0.2.13:2379');
  });

  test('no leader in /members: reachable members have role unknown', () => {
    const members = read('healthy', 'members.json') as PdMembersResponse;
    const { leader, etcd_leader, ...leaderless } = members;
    const statuses = pdMemberStatuses({
      probes: [answered('http://10.0.2.11:2379')],
      members: leaderless,
      health: read('healthy', 'health.json') as PdHealthEntry[],
    });
    assert.ok(statuses.every((member) => member.reachable && member.role === 'unknown'));
  });

  test('members from /health alone when /members failed; unknown health names its cause', () => {
    const health = read('degraded', 'health.json') as PdHealthEntry[];
    const fromHealth = pdMemberStatuses({ probes: [answered('http://10.0.2.11:2379')], health });
    assert.equal(fromHealth.length, 3);
    assert.equal(fromHealth.find((member) => member.name === 'pd-3')?.reachable, false);

    const noHealth = pdMemberStatuses({
      probes: [answered('http://10.0.2.11:2379')],
      members: read('healthy', 'members.json') as PdMembersResponse,
    });
    assert.equal(noHealth.find((member) => member.name === 'pd-1')?.reachable, true);
    assert.equal(noHealth.find((member) => member.name === 'pd-2')?.error?.code, 'HEALTH_UNKNOWN');
  });

  test('nothing but endpoints: each endpoint stands for one member', () => {
    const statuses = pdMemberStatuses({
      probes: [
        answered('http://a:2379'),
        { endpoint: 'http://b:2379', answered: false, error: { code: 'TIMEOUT', message: 'slow' } },
      ],
    });
    assert.deepEqual(
      statuses.map((member) => [member.name, member.reachable, member.error?.code]),
      [
        ['http://a:2379', true, undefined],
        ['http://b:2379', false, 'TIMEOUT'],
      ],
    );
  });
});

describe('stores', () => {
  test('counts by state and the stores PD lost', () => {
    const healthy = (read('healthy', 'stores.json') as PdStoresResponse).stores ?? [];
    assert.deepEqual(storeAttributes(healthy), {
      storesUp: 3,
      storesDisconnected: 0,
      storesDown: 0,
      storesOffline: 0,
    });
    const degraded = (read('degraded', 'stores.json') as PdStoresResponse).stores ?? [];
    assert.deepEqual(storeAttributes(degraded), {
      storesUp: 3,
      storesDisconnected: 0,
      storesDown: 1,
      storesOffline: 0,
    });
    assert.deepEqual(unavailableStoreIds(degraded), ['7']);
  });

  test('without state_name the numeric state is used (Up is omitted as zero)', () => {
    const stores: PdStoreInfo[] = [{ store: { id: 1 } }, { store: { id: 2, state: 1 } }];
    assert.equal(storeAttributes(stores).storesUp, 1);
    assert.equal(storeAttributes(stores).storesOffline, 1);
  });
});

describe('regionSummary', () => {
  const degradedStores = (read('degraded', 'stores.json') as PdStoresResponse).stores ?? [];
  const lists = [
    'regions-check-down-peer.json',
    'regions-check-pending-peer.json',
    'regions-check-miss-peer.json',
    'regions-store-7.json',
  ].flatMap((file) => (read('degraded', file) as PdRegionsResponse).regions ?? []);

  test('degraded: the region led from a Down store is leaderless, four are under-replicated', () => {
    const summary = regionSummary({
      regionCount: 40,
      problemRegions: lists,
      stores: degradedStores,
      maxReplicas: 3,
    });
    assert.equal(summary.total, 40);
    assert.equal(summary.leaderless, 1);
    assert.equal(summary.underReplicated, 4);
    assert.deepEqual(summary.byType, [
      { type: 'region', total: 40, leaderless: 1, underReplicated: 4 },
    ]);
    assert.deepEqual(
      summary.worst.map((group) => group.id),
      ['31', '12', '20', '8'],
    );
    const [leaderless] = summary.worst;
    assert.equal(leaderless?.leader, undefined);
    assert.equal(leaderless?.replicas, 3);
    assert.equal(leaderless?.healthyReplicas, 1);
    assert.deepEqual(leaderless?.problems, [
      'no leader: its last leader is on store 7 (Down)',
      'peer 34 on store 7 (Down)',
      '2 of 3 replicas placed',
    ]);
    const region8 = summary.worst.find((group) => group.id === '8');
    assert.equal(region8?.leader, 'store 1');
    assert.deepEqual(region8?.problems, ['peer 11 on store 7 down 31m2s']);
    const region20 = summary.worst.find((group) => group.id === '20');
    assert.deepEqual(region20?.problems, ['peer 83 on store 5 pending (catching up)']);
    assert.equal(region20?.healthyReplicas, 2);
  });

  test('healthy: counts only, nothing worst', () => {
    const summary = regionSummary({
      regionCount: 24,
      problemRegions: [],
      stores: (read('healthy', 'stores.json') as PdStoresResponse).stores ?? [],
      maxReplicas: 3,
    });
    assert.deepEqual(summary, {
      total: 24,
      leaderless: 0,
      underReplicated: 0,
      byType: [{ type: 'region', total: 24, leaderless: 0, underReplicated: 0 }],
      worst: [],
    });
  });

  test('an empty leader object means no leader; learners are not replicas', () => {
    const storesById = new Map(degradedStores.map((store) => [String(store.store?.id), store]));
    const region: PdRegion = {
      id: 99,
      peers: [
        { id: 1, store_id: 1, role_name: 'Voter' },
        { id: 2, store_id: 4, role_name: 'Voter' },
        { id: 3, store_id: 5, role_name: 'Voter' },
        { id: 4, store_id: 7, role: 1, role_name: 'Learner', is_learner: true },
      ],
      leader: {},
    };
    const group = regionGroup(region, storesById, 3);
    assert.equal(group.leader, undefined);
    assert.deepEqual(group.problems, ['no leader']);
    assert.equal(group.replicas, 3);
    assert.equal(group.healthyReplicas, 3);
  });

  test('a leader on a store missing from /stores (tombstoned) is no leader', () => {
    const storesById = new Map(degradedStores.map((store) => [String(store.store?.id), store]));
    const group = regionGroup(
      {
        id: 5,
        peers: [
          { id: 1, store_id: 1 },
          { id: 2, store_id: 4 },
          { id: 3, store_id: 9 },
        ],
        leader: { id: 3, store_id: 9 },
      },
      storesById,
      3,
    );
    assert.equal(group.leader, undefined);
    assert.equal(group.healthyReplicas, 2);
  });
});
