// CockroachDB status answers (test/fixtures/cockroach, shaped from its HTTP API docs) mapped to nodes and ranges.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  decommissionedNodeCount,
  nodeMembers,
  problemRangeIds,
  rangeCounts,
  rangeGroup,
  rangeSummary,
  type ReadinessProbe,
} from '../../systems/cockroach/node-status.js';
import { cookieFromToken } from '../../systems/cockroach/status-client.js';
import type {
  NodesResponse,
  ProblemRangesResponse,
  RangeResponse,
} from '../../systems/cockroach/status-types.js';
import { REPO_ROOT } from '../support/cli.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'cockroach');
const read = (scenario: string, file: string): unknown =>
  JSON.parse(readFileSync(join(FIXTURES, scenario, file), 'utf8'));

const ready = (endpoint: string): ReadinessProbe => ({ endpoint, answered: true, ready: true });

describe('nodeMembers', () => {
  test('healthy: three live peers, all voters, sizes from store metrics, ready where asked', () => {
    const members = nodeMembers(
      read('healthy', 'nodes.json') as NodesResponse,
      [ready('http://10.0.4.31:8080')],
      'http',
    );
    assert.deepEqual(members[0], {
      id: '1',
      name: 'n1',
      endpoint: 'http://10.0.4.31:8080',
      role: 'peer',
      voter: true,
      reachable: true,
      alarms: [],
      version: 'v24.3.5',
      dbSizeBytes: 431219712,
      attributes: { liveness: 'LIVE', replicas: 67, leaseholders: 23, ready: true },
    });
    assert.deepEqual(
      members.map((member) => [member.name, member.endpoint, member.reachable]),
      [
        ['n1', 'http://10.0.4.31:8080', true],
        ['n2', 'http://10.0.4.32:8080', true],
        ['n3', 'http://10.0.4.33:8080', true],
      ],
    );
    assert.equal(members[1]?.attributes?.ready, undefined, 'not asked, so not claimed');
  });

  test('degraded: dead nodes are unreachable voters with the liveness reason and no stale sizes', () => {
    const members = nodeMembers(read('degraded', 'nodes.json') as NodesResponse, [], 'https');
    const n3 = members.find((member) => member.name === 'n3');
    assert.equal(n3?.reachable, false);
    assert.equal(n3?.voter, true);
    assert.equal(n3?.error?.code, 'LIVENESS_DEAD');
    assert.match(n3?.error?.message ?? '', /time_until_store_dead/);
    assert.equal(n3?.dbSizeBytes, undefined);
    assert.deepEqual(n3?.attributes, { liveness: 'DEAD' });
    assert.equal(n3?.endpoint, 'https://10.0.4.33:8080');
    assert.equal(members.filter((member) => member.reachable).length, 3);
  });

  test('a probe that failed, or a node not ready, is reported as such', () => {
    const members = nodeMembers(
      read('healthy', 'nodes.json') as NodesResponse,
      [
        {
          endpoint: 'http://10.0.4.31:8080',
          answered: true,
          ready: false,
          reason: 'node is not healthy',
        },
        {
          endpoint: 'http://10.0.4.32:8080',
          answered: false,
          error: { code: 'ECONNREFUSED', message: 'connection refused' },
        },
      ],
      'http',
    );
    assert.equal(members[0]?.reachable, true);
    assert.equal(members[0]?.attributes?.ready, false);
    assert.deepEqual(members[0]?.reportedErrors, ['not ready: node is not healthy']);
    assert.equal(members[1]?.reachable, false);
    assert.equal(members[1]?.error?.code, 'ECONNREFUSED');
  });

  test('decommissioning nodes do not vote; decommissioned ones are left out and counted', () => {
    const nodes = read('healthy', 'nodes.json') as NodesResponse;
    nodes.livenessByNodeId = { '1': 3, '2': 4, '3': 5 };
    const members = nodeMembers(nodes, [], 'http');
    assert.deepEqual(
      members.map((member) => [member.name, member.voter, member.reachable]),
      [
        ['n1', true, true],
        ['n2', false, true],
      ],
    );
    assert.equal(decommissionedNodeCount(nodes), 1);
  });
});

describe('ranges', () => {
  const degraded = read('degraded', 'nodes.json') as NodesResponse;
  const liveness = degraded.livenessByNodeId ?? {};

  test('counts are summed over running nodes only (dead nodes keep stale metrics)', () => {
    assert.deepEqual(rangeCounts(read('healthy', 'nodes.json') as NodesResponse), {
      total: 67,
      leaderless: 0,
      underReplicated: 0,
    });
    assert.deepEqual(rangeCounts(degraded), { total: 90, leaderless: 2, underReplicated: 5 });
  });

  test('problem range IDs: unavailable first, each once, bounded', () => {
    const problems = read('degraded', 'problemranges.json') as ProblemRangesResponse;
    assert.deepEqual(problemRangeIds(problems), ['74', '88', '12', '37', '41']);
    assert.deepEqual(problemRangeIds(problems, 3), ['74', '88', '12']);
    assert.deepEqual(
      problemRangeIds(read('healthy', 'problemranges.json') as ProblemRangesResponse),
      [],
    );
  });

  test('an unavailable range is leaderless, with its dead replicas named', () => {
    const group = rangeGroup('74', read('degraded', 'range-74.json') as RangeResponse, liveness);
    assert.deepEqual(group, {
      id: '74',
      type: 'range',
      replicas: 3,
      healthyReplicas: 1,
      problems: [
        'unavailable: fewer live voters than a quorum',
        'no Raft leader',
        'replica on n3 (DEAD)',
        'replica on n5 (DEAD)',
      ],
    });
  });

  test('an under-replicated range: leader node, live replicas, lag of running followers only', () => {
    const group = rangeGroup('12', read('degraded', 'range-12.json') as RangeResponse, liveness);
    assert.equal(group?.leader, 'n1');
    assert.equal(group?.replicas, 3);
    assert.equal(group?.healthyReplicas, 2);
    assert.equal(group?.lagEntries, 3, 'n2 at 8809 of 8812; dead n3 (8790) is not lag');
    assert.deepEqual(group?.problems, ['replica on n3 (DEAD)']);
  });

  test('no node could answer for the range: no group', () => {
    assert.equal(
      rangeGroup('9', { responsesByNodeId: { '3': { response: false, errorMessage: 'x' } } }, {}),
      undefined,
    );
  });

  test('summary: metric counts with the named ranges worst first', () => {
    const named = ['74', '88', '12', '37', '41'].flatMap((id) => {
      const group = rangeGroup(id, read('degraded', `range-${id}.json`) as RangeResponse, liveness);
      return group === undefined ? [] : [group];
    });
    const summary = rangeSummary(rangeCounts(degraded), named);
    assert.equal(summary.total, 90);
    assert.equal(summary.leaderless, 2);
    assert.equal(summary.underReplicated, 5);
    assert.deepEqual(summary.byType, [
      { type: 'range', total: 90, leaderless: 2, underReplicated: 5 },
    ]);
    assert.deepEqual(
      summary.worst.map((group) => [group.id, group.leader ?? 'NONE']),
      [
        ['74', 'NONE'],
        ['88', 'NONE'],
        ['41', 'n4'],
        ['12', 'n1'],
        ['37', 'n2'],
      ],
    );
  });
});

describe('cookieFromToken', () => {
  test('a bare session value or the line `cockroach auth-session login --only-cookie` prints', () => {
    assert.equal(cookieFromToken('AbC='), 'session=AbC=');
    assert.equal(cookieFromToken('session=AbC=; Path=/; HttpOnly; Secure'), 'session=AbC=');
  });
});
