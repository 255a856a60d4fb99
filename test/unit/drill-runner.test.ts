// The drill runner against fakes: an in-memory register store, a scripted cluster whose
// leader moves when the fault hits it, a recording fault injector, and the real checker.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkHistory } from '../../chaos/checker/index.js';
import { parseScenario } from '../../chaos/drills/parse.js';
import type { DrillScenario } from '../../chaos/drills/scenario.js';
import type { FaultRecord } from '../../chaos/faults/types.js';
import {
  runDrill,
  type DrillDependencies,
  type DrillRequest,
  type DrillTarget,
} from '../../chaos/runner/run-drill.js';
import type { WorkloadStore } from '../../chaos/workload/client.js';
import type { QuorumctlError } from '../../core/errors.js';
import { acknowledgeWithoutSending, type BrokenClientRecord } from '../support/broken-kv-client.js';
import { DRILL_MEMBERS as MEMBERS, fakeCluster, memoryStore } from '../support/drill-fakes.js';

function scenario(fault: string, target: string, extra = ''): DrillScenario {
  return parseScenario(
    `name: test-drill
description: A drill for tests.
kinds: [etcd]
target: ${target}
fault: ${fault}
duration: 200ms
warmup: 150ms
settle: 100ms
workload: {clients: 3, keys: 2, think: 2ms, opTimeout: 200ms}
expectations: {maxTimeToNewLeader: 2s, maxRecovery: 2s${extra}}
`,
    'test.yaml',
  );
}

const target = (netns = false): DrillTarget => ({
  cluster: 'sandbox-t',
  kind: 'etcd',
  sandbox: 't',
  members: MEMBERS.map((name) => ({ name, aliases: [], ...(netns && { netns: `ns-${name}` }) })),
});

function request(drill: DrillScenario, netns = false): DrillRequest {
  return {
    scenario: drill,
    target: target(netns),
    electionTimeout: { ms: 100, source: 'test' },
    run: 'test',
    seed: 42,
    pollIntervalMs: 20,
  };
}

function deps(cluster: ReturnType<typeof fakeCluster>, store: WorkloadStore): DrillDependencies {
  return {
    adapter: cluster.adapter,
    leaderProbe: cluster.leaderProbe,
    injector: cluster.injector,
    store,
    check: checkHistory,
  };
}

describe('runDrill', () => {
  test('kill the leader: a new leader, nothing lost, linearizable: PASS', async () => {
    const cluster = fakeCluster();
    const { store, isCleaned } = memoryStore();
    const { report, history } = await runDrill(
      request(scenario('kill', 'leader', ', leaderChange: required')),
      deps(cluster, store),
    );
    assert.equal(report.verdict, 'PASS', report.reasons.join('; '));
    assert.deepEqual(cluster.injected, [{ kind: 'kill', members: ['n1'] }]);
    assert.deepEqual(cluster.healed, ['f1']);
    assert.equal(report.leaderBefore, 'n1');
    assert.equal(report.leaderAfter, 'n2');
    assert.ok(
      report.timeToNewLeaderMs !== null && report.timeToNewLeaderMs >= 30,
      `${report.timeToNewLeaderMs}`,
    );
    assert.equal(report.lostWrites.length, 0);
    assert.equal(report.checker.verdict, 'linearizable');
    assert.ok(history.operations.length > 20);
    assert.equal(report.operations.total, history.operations.length);
    assert.equal(report.faults[0]?.healedAtMs !== undefined, true);
    assert.ok(isCleaned());
    assert.equal(cluster.healAllCalls(), 1, 'leftovers healed first, and only then');
    assert.deepEqual(report.phases.map((phase) => phase.name).slice(0, 4), [
      'heal-leftovers',
      'prepare',
      'leader',
      'warmup',
    ]);
  });

  test('a client that acknowledges a write it never sent: FAIL, that key listed as LOST', async () => {
    const cluster = fakeCluster();
    const { store } = memoryStore();
    const broken: BrokenClientRecord = {};
    const { report } = await runDrill(request(scenario('kill', 'leader')), {
      ...deps(cluster, store),
      wrapClient: (client, index) =>
        index === 0 ? acknowledgeWithoutSending(client, 3, broken) : client,
    });
    assert.ok(broken.faked !== undefined, 'the broken client faked a write');
    assert.equal(report.verdict, 'FAIL');
    assert.deepEqual(
      report.lostWrites.map((write) => [write.key, write.value]),
      [[broken.faked.key, broken.faked.value]],
    );
    assert.match(
      report.reasons.join('\n'),
      /lost-writes: expected at most 0 lost, observed 1 lost/,
    );
  });

  test('a follower fault under "leader must not change" passes; the leader is never targeted', async () => {
    const cluster = fakeCluster();
    const { store } = memoryStore();
    const { report } = await runDrill(
      request(scenario('pause', 'follower', ', leaderChange: forbidden')),
      deps(cluster, store),
    );
    assert.equal(report.verdict, 'PASS', report.reasons.join('; '));
    assert.notDeepEqual(cluster.injected[0]?.members, ['n1']);
    assert.equal(report.timeToNewLeaderMs, null);
  });

  test('each member in turn: followers first, the leader last, every round healed', async () => {
    const cluster = fakeCluster();
    const { store } = memoryStore();
    const { report } = await runDrill(request(scenario('kill', 'each')), deps(cluster, store));
    assert.deepEqual(
      cluster.injected.map((spec) => spec.members),
      [['n2'], ['n3'], ['n1']],
    );
    assert.deepEqual(cluster.healed, ['f1', 'f2', 'f3']);
    assert.equal(report.faults.length, 3);
    assert.equal(report.verdict, 'PASS', report.reasons.join('; '));
  });

  test('faults left by a crashed run are healed first and reported', async () => {
    const leftover: FaultRecord = {
      id: 'isolate-old',
      scope: { stateDir: '/tmp', sandbox: 't' },
      spec: { kind: 'isolate', members: ['n3'] },
      appliedAt: new Date().toISOString(),
      ownerPid: 999_999,
      undo: {},
    };
    const cluster = fakeCluster([leftover]);
    const { store } = memoryStore();
    const { report } = await runDrill(request(scenario('pause', 'leader')), deps(cluster, store));
    assert.match(report.warnings.join('\n'), /healed a isolate fault on n3 left by an earlier run/);
  });

  test('an error while the fault is held still heals it, removes the data and is raised', async () => {
    const cluster = fakeCluster();
    const { store, isCleaned } = memoryStore();
    const drill = scenario('pause', 'leader');
    await assert.rejects(
      runDrill(request(drill), {
        ...deps(cluster, store),
        sleep: (ms) =>
          ms === drill.durationMs
            ? Promise.reject(new Error('operator pulled the plug'))
            : new Promise((resolve) => setTimeout(resolve, ms)),
      }),
      /operator pulled the plug/,
    );
    assert.deepEqual(cluster.healed, ['f1']);
    assert.ok(isCleaned());
  });

  test('a checker that runs out of time: INCONCLUSIVE', async () => {
    const cluster = fakeCluster();
    const { store } = memoryStore();
    const { report } = await runDrill(request(scenario('kill', 'leader')), {
      ...deps(cluster, store),
      check: () => ({
        verdict: 'unknown',
        durationMs: 5,
        keys: 2,
        reason: 'the time budget ran out',
      }),
    });
    assert.equal(report.verdict, 'INCONCLUSIVE');
  });

  test('refusals come before anything is touched', async () => {
    const cluster = fakeCluster();
    const { store } = memoryStore();
    await assert.rejects(
      runDrill(request(scenario('isolate', 'leader')), deps(cluster, store)),
      (error: QuorumctlError) => error.code === 'DRILL_NEEDS_NETNS' && error.exitCode === 2,
    );
    const membership = parseScenario(
      'name: m\ndescription: d\nkinds: [etcd]\ntarget: leader\nfault: isolate\nduring: add-member\nduration: 1s\n',
      'm.yaml',
    );
    await assert.rejects(
      runDrill(request(membership, true), deps(cluster, store)),
      (error: QuorumctlError) => error.code === 'DRILL_NEEDS_MEMBERSHIP',
    );
    const zookeeperOnly = { ...scenario('kill', 'leader'), kinds: ['zookeeper' as const] };
    await assert.rejects(
      runDrill(request(zookeeperOnly), deps(cluster, store)),
      (error: QuorumctlError) => error.code === 'DRILL_KIND_UNSUPPORTED',
    );
    assert.equal(cluster.injected.length, 0);
    assert.equal(cluster.healAllCalls(), 0);
  });
});
