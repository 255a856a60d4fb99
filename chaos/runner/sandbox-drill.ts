/**
 * A drill against a sandbox: looks the sandbox up, connects the status adapter, opens the
 * fault injector (healing on SIGINT/SIGTERM too), the workload store and the checker, and
 * hands them to the runner. The composition root for `quorumctl chaos drill` and tests.
 */
import { randomBytes } from 'node:crypto';
import { UsageError, describeCause } from '../../core/errors.js';
import { sandboxList, sandboxTarget, type SandboxRecord } from '../../sandbox/index.js';
import { connectAdapter } from '../../systems/registry.js';
import { checkHistory } from '../checker/index.js';
import { installHealOnExit, openFaultInjector } from '../faults/index.js';
import { workloadStoreFor } from '../workload/stores.js';
import {
  DRILL_STATUS_TIMEOUT_MS,
  drillTuning,
  newRunId,
  WORKLOAD_SETUP_TIMEOUT_MS,
  type DrillRunOptions,
} from './drill-options.js';
import { electionTimeoutOf } from './election-timeout.js';
import { leaderProbeFor } from './leader-probes.js';
import {
  drillMembershipSupported,
  sandboxMembershipDriver,
  type SandboxMembershipDriver,
} from './sandbox-membership.js';
import {
  runDrill,
  type DrillOutcome,
  type DrillTarget,
  type MembershipDriver,
} from './run-drill.js';

export interface SandboxDrillRequest extends DrillRunOptions {
  sandbox: string;
  membership?: MembershipDriver;
}

export async function findSandboxRecord(stateDir: string, name: string): Promise<SandboxRecord> {
  const sandboxes = await sandboxList(stateDir);
  const found = sandboxes.find((sandbox) => sandbox.name === name);
  if (found !== undefined) return found;
  throw new UsageError('SANDBOX_NOT_FOUND', `no sandbox named "${name}" in ${stateDir}`, {
    actions: [
      sandboxes.length === 0
        ? 'start one: quorumctl sandbox up NAME (add --netns for partitions)'
        : `sandboxes: ${sandboxes.map((sandbox) => sandbox.name).join(', ')}`,
      'pass --state-dir if it was started with one',
    ],
  });
}

/** How the status and the drill name a sandbox member (ZooKeeper reports server.N). */
export function drillTargetOf(record: SandboxRecord): DrillTarget {
  return {
    cluster: `sandbox-${record.name}`,
    kind: record.kind,
    sandbox: record.name,
    members: record.members.map((member, index) => {
      const url = new URL(member.clientUrl);
      return {
        name: member.name,
        ...(member.netns !== undefined && { netns: member.netns }),
        aliases: [`server.${index + 1}`, member.clientUrl, url.host],
      };
    }),
  };
}

export async function runSandboxDrill(request: SandboxDrillRequest): Promise<DrillOutcome> {
  const record = await findSandboxRecord(request.stateDir, request.sandbox);
  const target = drillTargetOf(record);
  const run = newRunId();
  const injector =
    request.injector ?? openFaultInjector({ stateDir: request.stateDir, sandbox: record.name });
  const removeHealHandlers =
    request.healOnSignals === false ? () => undefined : installHealOnExit(injector);
  const adapter = await connectAdapter(
    { name: target.cluster, kind: record.kind, ...sandboxTarget(record) },
    { timeoutMs: DRILL_STATUS_TIMEOUT_MS },
  );
  const store = await workloadStoreFor({
    record,
    run,
    timeoutMs: Math.max(request.scenario.workload.opTimeoutMs, WORKLOAD_SETUP_TIMEOUT_MS),
  });
  // The drill's own membership change (scenarios with `during`), undone once the drill ends.
  const sandboxMembership: SandboxMembershipDriver | undefined =
    request.membership === undefined &&
    request.scenario.during !== undefined &&
    drillMembershipSupported(record)
      ? sandboxMembershipDriver({ stateDir: request.stateDir, record })
      : undefined;
  const membership = request.membership ?? sandboxMembership;
  let membershipUndone = false;
  try {
    const outcome = await runDrill(
      {
        scenario: request.scenario,
        target,
        electionTimeout: await electionTimeoutOf(record),
        run,
        seed: request.seed ?? randomBytes(4).readUInt32BE(0),
        ...drillTuning(request),
      },
      {
        adapter,
        leaderProbe: leaderProbeFor(record),
        injector,
        store,
        check: checkHistory,
        ...(request.progress !== undefined && { progress: request.progress }),
        ...(membership !== undefined && { membership }),
        ...(request.wrapClient !== undefined && { wrapClient: request.wrapClient }),
      },
    );
    if (sandboxMembership !== undefined) {
      membershipUndone = true;
      await sandboxMembership.cleanup().catch((error: unknown) => {
        outcome.report.warnings.push(
          `the member the drill added could not be removed again (${describeCause(error)}): quorumctl members list --sandbox ${record.name}`,
        );
      });
    }
    return outcome;
  } finally {
    if (!membershipUndone) await sandboxMembership?.cleanup().catch(() => undefined);
    await adapter.close();
    removeHealHandlers();
  }
}
