// Live drills on a 3-member etcd netns sandbox (root): kill leader, pause leader 5 s, isolate
// leader 10 s each PASS with a new leader within 3 s, nothing lost, a linearizable history,
// and leave no stopped process, no iptables rule and nothing for `chaos heal`; a client that
// acknowledges a write it never sent makes the drill FAIL with that key LOST; adding a member
// while the leader is isolated PASSes and leaves the sandbox with its 3 voters again.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { builtInScenario } from '../../chaos/drills/catalog.js';
import { openFaultInjector } from '../../chaos/faults/index.js';
import { countTaggedRules } from '../../chaos/faults/iptables.js';
import { processState } from '../../chaos/faults/process-faults.js';
import type { DrillReport } from '../../chaos/report/drill-report.js';
import { runSandboxDrill } from '../../chaos/runner/sandbox-drill.js';
import { sandboxDown, sandboxUp, type SandboxRecord } from '../../sandbox/index.js';
import { networkLeftovers } from '../../sandbox/netns.js';
import { readNetwork } from '../../sandbox/netns.js';
import { readRecord } from '../../sandbox/state.js';
import { connectAdapter } from '../../systems/registry.js';
import { sandboxTarget } from '../../sandbox/index.js';
import { acknowledgeWithoutSending, type BrokenClientRecord } from '../support/broken-kv-client.js';

const IS_ROOT = process.getuid?.() === 0;
const SANDBOX = 'drill-etcd';

function explain(report: DrillReport): string {
  return `${report.verdict}: ${report.reasons.join('; ')}; leaders ${JSON.stringify(report.leaderTimeline)}; warnings ${report.warnings.join('; ')}`;
}

describe(
  'drills on a live etcd netns sandbox',
  { skip: !IS_ROOT && 'needs root (netns)', timeout: 240_000 },
  () => {
    let stateDir: string;
    let record: SandboxRecord;
    before(async () => {
      stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-drill-etcd-'));
      record = await sandboxUp({ stateDir, name: SANDBOX, kind: 'etcd', netns: true });
    });
    after(async () => {
      await openFaultInjector({ stateDir, sandbox: SANDBOX })
        .healAll()
        .catch(() => undefined);
      await sandboxDown(stateDir, SANDBOX, { graceMs: 1000 }).catch(() => undefined);
      const left = await networkLeftovers(stateDir, SANDBOX);
      await rm(stateDir, { recursive: true, force: true });
      assert.deepEqual(
        [...left.namespaces, ...left.links],
        [],
        'no namespace, veth or bridge left',
      );
    });

    /** After a drill: every member runs (none stopped), no rule of ours, nothing recorded. */
    async function assertNothingLeft(): Promise<void> {
      const current = (await readRecord(stateDir, SANDBOX)) ?? record;
      for (const member of current.members) {
        const state = await processState(member.pid);
        assert.ok(state !== undefined && state !== 'T', `${member.name} is ${state ?? 'gone'}`);
        assert.equal(
          await countTaggedRules(member.netns ?? '', 'filter'),
          0,
          `rules left in ${member.name}`,
        );
      }
      assert.deepEqual(await openFaultInjector({ stateDir, sandbox: SANDBOX }).active(), []);
    }

    async function drill(
      name: string,
      durationMs: number,
      maxTimeToNewLeaderMs: number,
    ): Promise<DrillReport> {
      const { report } = await runSandboxDrill({
        stateDir,
        sandbox: SANDBOX,
        scenario: await builtInScenario(name),
        durationMs,
        maxTimeToNewLeaderMs,
        healOnSignals: false,
      });
      return report;
    }

    // One election round each: the sandbox runs etcd with --pre-vote (see sandbox/etcd.ts);
    // without it 3 to 10 rounds were measured whenever the follower that times out first is an
    // entry behind the other.
    for (const [name, durationMs] of [
      ['kill-leader', 3000],
      ['pause-leader', 5000],
      ['isolate-leader', 10_000],
    ] as const) {
      test(`${name}: a new leader within 3 s, nothing lost, linearizable: PASS`, async () => {
        const maxTimeToNewLeaderMs = 3000;
        const report = await drill(name, durationMs, maxTimeToNewLeaderMs);
        assert.equal(report.verdict, 'PASS', explain(report));
        assert.ok(
          report.timeToNewLeaderMs !== null && report.timeToNewLeaderMs <= maxTimeToNewLeaderMs,
          explain(report),
        );
        assert.notEqual(report.leaderAfter, report.leaderBefore);
        assert.equal(report.lostWrites.length, 0);
        assert.ok(
          report.acknowledgedWrites > 50,
          `${report.acknowledgedWrites} acknowledged writes`,
        );
        assert.equal(report.checker.verdict, 'linearizable');
        assert.deepEqual(report.targets, [report.leaderBefore]);
        assert.ok(report.faults.every((fault) => fault.healedAtMs !== undefined));
        await assertNothingLeft();
      });
    }

    test('a client that acknowledges a write it never sent: FAIL, the key listed as LOST', async () => {
      const broken: BrokenClientRecord = {};
      const { report } = await runSandboxDrill({
        stateDir,
        sandbox: SANDBOX,
        scenario: await builtInScenario('kill-follower'),
        durationMs: 1000,
        healOnSignals: false,
        wrapClient: (client, index) =>
          index === 1 ? acknowledgeWithoutSending(client, 5, broken) : client,
      });
      assert.ok(broken.faked !== undefined);
      assert.equal(report.verdict, 'FAIL');
      assert.deepEqual(
        report.lostWrites.map((write) => [write.key, write.value]),
        [[broken.faked.key, broken.faked.value]],
      );
      assert.equal(
        report.expectations.find((result) => result.name === 'lost-writes')?.status,
        'failed',
      );
      await assertNothingLeft();
    });

    test('leader-isolation-during-membership-change: the member joins (or is absent), PASS, 3 voters after', async (t) => {
      // The joining member's namespace, process start and catch-up compete for the 2 loaded
      // cores with the election itself: 6 s instead of the scenario's 3 s for a new leader.
      const { report } = await runSandboxDrill({
        stateDir,
        sandbox: SANDBOX,
        scenario: await builtInScenario('leader-isolation-during-membership-change'),
        durationMs: 10_000,
        maxTimeToNewLeaderMs: 6000,
        healOnSignals: false,
      });
      assert.equal(report.verdict, 'PASS', explain(report));
      assert.notEqual(report.leaderAfter, report.leaderBefore);
      assert.equal(report.lostWrites.length, 0);
      assert.equal(report.checker.verdict, 'linearizable');
      assert.equal(report.during?.action, 'add-member');
      assert.equal(report.during.outcome, 'completed', report.during.detail);
      assert.match(report.during.detail, /votes now|configuration is as before/);
      t.diagnostic(report.during.detail);
      assert.deepEqual(report.warnings, []);
      await assertNothingLeft();
      const current = await readRecord(stateDir, SANDBOX);
      assert.deepEqual(
        current?.members.map((member) => member.name),
        record.members.map((member) => member.name),
      );
      const network = await readNetwork(stateDir, SANDBOX);
      assert.equal(network?.members.length, 3, 'the joining namespace is detached again');
      const adapter = await connectAdapter(
        { name: SANDBOX, kind: 'etcd', ...sandboxTarget(record) },
        { timeoutMs: 3000 },
      );
      try {
        const status = await adapter.status();
        assert.deepEqual(
          status.members
            .filter((member) => member.voter)
            .map((member) => member.name)
            .sort(),
          ['n1', 'n2', 'n3'],
        );
        assert.equal(status.members.length, 3);
      } finally {
        await adapter.close();
      }
    });
  },
);
