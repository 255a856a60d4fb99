// Live drills on ZooKeeper and NATS netns sandboxes (root): kill-leader and isolate-leader PASS
// (new leader, nothing lost, linearizable) and leave no fault behind. NATS runs without
// compare-and-swap: nats-server before 2.10 accepts two concurrent publishes with the same
// expected last subject sequence (nats-io/nats-server#4320), which a CAS drill reports as a
// non-linearizable history, correctly, on every version this machine has.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { builtInScenario } from '../../chaos/drills/catalog.js';
import type { OperationMix } from '../../chaos/drills/scenario.js';
import { openFaultInjector } from '../../chaos/faults/index.js';
import { countTaggedRules } from '../../chaos/faults/iptables.js';
import type { DrillReport } from '../../chaos/report/drill-report.js';
import { runSandboxDrill } from '../../chaos/runner/sandbox-drill.js';
import {
  sandboxDown,
  sandboxUp,
  type SandboxKind,
  type SandboxRecord,
} from '../../sandbox/index.js';
import { readRecord } from '../../sandbox/state.js';

const IS_ROOT = process.getuid?.() === 0;

function explain(report: DrillReport): string {
  return `${report.verdict}: ${report.reasons.join('; ')}; leaders ${JSON.stringify(report.leaderTimeline)}; errors ${JSON.stringify(report.operations.commonErrors)}`;
}

function drillsOn(kind: SandboxKind, plan: [string, number][], mix?: OperationMix): void {
  const sandbox = `drill-${kind.slice(0, 4)}`;
  describe(
    `drills on a live ${kind} netns sandbox`,
    { skip: !IS_ROOT && 'needs root (netns)', timeout: 150_000 },
    () => {
      let stateDir: string;
      let record: SandboxRecord;
      before(async () => {
        stateDir = await mkdtemp(join(tmpdir(), `quorumctl-drill-${kind}-`));
        record = await sandboxUp({ stateDir, name: sandbox, kind, netns: true });
      });
      after(async () => {
        await openFaultInjector({ stateDir, sandbox })
          .healAll()
          .catch(() => undefined);
        await sandboxDown(stateDir, sandbox, { graceMs: 1000 }).catch(() => undefined);
        await rm(stateDir, { recursive: true, force: true });
      });

      for (const [name, durationMs] of plan) {
        test(`${name}: a new leader, nothing lost, linearizable: PASS`, async () => {
          const { report } = await runSandboxDrill({
            stateDir,
            sandbox,
            scenario: await builtInScenario(name),
            durationMs,
            healOnSignals: false,
            ...(mix !== undefined && { mix }),
          });
          assert.equal(report.verdict, 'PASS', explain(report));
          assert.ok(report.timeToNewLeaderMs !== null, explain(report));
          assert.equal(report.lostWrites.length, 0);
          assert.ok(
            report.acknowledgedWrites > 20,
            `${report.acknowledgedWrites} acknowledged writes`,
          );
          assert.equal(report.checker.verdict, 'linearizable');
          const current = (await readRecord(stateDir, sandbox)) ?? record;
          for (const member of current.members)
            assert.equal(await countTaggedRules(member.netns ?? '', 'filter'), 0);
          assert.deepEqual(await openFaultInjector({ stateDir, sandbox }).active(), []);
        });
      }
    },
  );
}

drillsOn('zookeeper', [
  ['kill-leader', 2000],
  ['isolate-leader', 8000],
]);
drillsOn(
  'nats',
  [
    ['kill-leader', 3000],
    ['isolate-leader', 10_000],
  ],
  { read: 50, write: 50, cas: 0 },
);
