/**
 * Runs one drill: heal leftovers of a crashed run, start the workload, watch the leader,
 * inject the fault on the members the scenario selects, hold it, heal it (always), let the
 * cluster recover, read every acknowledged write back, check the history, and judge.
 */
import {
  PartialFailureError,
  UnreachableError,
  UnsupportedOperationError,
  UsageError,
  describeCause,
} from '../../core/errors.js';
import type { MemberStatus } from '../../core/model.js';
import type { ClusterAdapter } from '../../core/ports.js';
import { SILENT_PROGRESS, type ProgressSink } from '../../core/progress.js';
import type { CheckOptions, CheckResult, RecordedHistory } from '../checker/history.js';
import type { FaultInjector, FaultRecord } from '../faults/types.js';
import type { DrillKind, DrillScenario, DuringAction, OperationMix } from '../drills/scenario.js';
import type { DrillReport, DuringOutcome, FaultTimelineEntry } from '../report/drill-report.js';
import {
  leaderChanges,
  recoveryAfter,
  summarizeOperations,
  timeToNewLeader,
  writeUnavailability,
} from '../report/metrics.js';
import { judgeDrill } from '../report/verdict.js';
import type { KeyValueClient, WorkloadStore } from '../workload/client.js';
import { startWorkload, type WorkloadResult } from '../workload/driver.js';
import { lostWrites, type LostWrite } from '../workload/lost-writes.js';
import { seededRandom } from '../workload/random.js';
import type { ElectionTimeout } from './election-timeout.js';
import type { MemberProbe } from './leader-probes.js';
import { leaderName, startLeaderWatch } from './leader-watch.js';
import { faultSpecFor, selectTargets } from './targets.js';

export interface DrillMember {
  name: string;
  netns?: string;
  /** Other names the status may give it (ZooKeeper's server.N). */
  aliases: string[];
}

export interface DrillTarget {
  /** The inventory or sandbox name shown in the report. */
  cluster: string;
  kind: DrillKind;
  sandbox: string;
  /**
   * The injector cuts links between members without per-member namespaces of ours (Chaos
   * Mesh: every pod has its own network namespace already).
   */
  cutsLinksItself?: boolean;
  members: DrillMember[];
}

/** Membership changes made while a fault is active (scenarios with `during`). */
export interface MembershipDriver {
  /** Runs the change to the end; resolves with a one-line description of what it did. */
  run(action: DuringAction, context: { leader: string; members: string[] }): Promise<string>;
}

export interface DrillDependencies {
  adapter: Pick<ClusterAdapter, 'status'>;
  /** Asks one member whom it follows (for a sharp leader timeline); default: status polls. */
  leaderProbe?: MemberProbe;
  injector: FaultInjector;
  store: WorkloadStore;
  check: (history: RecordedHistory, options: CheckOptions) => CheckResult | Promise<CheckResult>;
  membership?: MembershipDriver;
  progress?: ProgressSink;
  /** Monotonic milliseconds (performance.now by default). */
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  /** Tests: wrap each workload client (e.g. one that acknowledges a write it never sent). */
  wrapClient?: (client: KeyValueClient, index: number) => KeyValueClient;
}

export interface DrillRequest {
  scenario: DrillScenario;
  target: DrillTarget;
  electionTimeout: ElectionTimeout;
  /** Names the drill's data; unique per run. */
  run: string;
  seed: number;
  durationMs?: number;
  clients?: number;
  /** Replaces the scenario's read/write/cas weights. */
  mix?: OperationMix;
  /** Replaces the scenario's limit on the time to a new leader. */
  maxTimeToNewLeaderMs?: number;
  /** Budget of the linearizability checker (default 30 s); past it the verdict is INCONCLUSIVE. */
  checkerTimeoutMs?: number;
  pollIntervalMs?: number;
  /** Keep the keys / znodes / stream the drill wrote (default: removed). */
  keepData?: boolean;
}

export interface DrillOutcome {
  report: DrillReport;
  history: RecordedHistory;
}

const READ_BACK_BUDGET_MS = 20_000;
const PREPARE_BUDGET_MS = 20_000;
/** A member that does not answer its probe within this counts as saying nothing. */
const LEADER_PROBE_TIMEOUT_MS = 500;
const ROUND_READY_TIMEOUT_MS = 30_000;

export async function runDrill(
  request: DrillRequest,
  deps: DrillDependencies,
): Promise<DrillOutcome> {
  const clock = deps.clock ?? (() => performance.now());
  const sleep =
    deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = deps.now ?? (() => new Date());
  const progress = deps.progress ?? SILENT_PROGRESS;
  const { scenario, target } = request;
  const durationMs = request.durationMs ?? scenario.durationMs;
  const spec = {
    ...scenario.workload,
    clients: request.clients ?? scenario.workload.clients,
    mix: request.mix ?? scenario.workload.mix,
  };
  const electionMs = request.electionTimeout.ms;
  const maxTimeToNewLeaderMs =
    request.maxTimeToNewLeaderMs ?? scenario.expectations.maxTimeToNewLeaderMs ?? 3 * electionMs;
  const maxRecoveryMs = scenario.expectations.maxRecoveryMs ?? 3 * electionMs + 5000;
  const memberNames = target.members.map((member) => member.name);
  const random = seededRandom(request.seed);
  const warnings: string[] = [];
  const phases: DrillReport['phases'] = [];
  const startedAt = now();
  const t0 = clock();
  const at = () => clock() - t0;

  const phase = async <T>(
    step: string,
    label: string,
    work: () => Promise<T>,
    detail?: (value: T) => string,
  ): Promise<T> => {
    const startMs = at();
    progress.report({ step, label, state: 'running' });
    try {
      const value = await work();
      const event = { step, label, state: 'done' as const };
      const text = detail?.(value);
      progress.report(text === undefined ? event : { ...event, detail: text });
      return value;
    } catch (error) {
      progress.report({ step, label, state: 'failed', detail: describeCause(error) });
      throw error;
    } finally {
      phases.push({ name: step, startMs, endMs: at() });
    }
  };

  assertRunnable(scenario, target, deps);

  await phase(
    'heal-leftovers',
    'heal faults left by an earlier run',
    async () => {
      const leftovers = await deps.injector.healAll();
      for (const record of leftovers.healed)
        warnings.push(
          `healed a ${record.spec.kind} fault on ${record.spec.members.join(', ')} left by an earlier run (pid ${record.ownerPid})`,
        );
      if (leftovers.failed.length > 0) {
        throw new PartialFailureError(
          'LEFTOVER_FAULTS',
          `faults left by an earlier drill could not be healed: ${leftovers.failed.map((failure) => `${failure.record.spec.kind} on ${failure.record.spec.members.join(', ')}: ${failure.error}`).join('; ')}`,
          {
            actions: [
              'quorumctl chaos heal',
              `quorumctl sandbox down ${target.sandbox} (then up again)`,
            ],
          },
        );
      }
      return leftovers.healed.length;
    },
    (healed) => (healed === 0 ? 'none' : `${healed} healed`),
  );

  const keys = Array.from({ length: spec.keys }, (_, index) => `k${index}`);
  await phase(
    'prepare',
    `prepare ${spec.keys} keys`,
    async () => {
      // A cluster just healed (by an earlier drill) may refuse for a few seconds: NATS places
      // a replicated stream only once the meta leader sees every peer again.
      const deadline = at() + PREPARE_BUDGET_MS;
      for (;;) {
        try {
          await deps.store.prepare(keys);
          return;
        } catch (error) {
          if (at() >= deadline) {
            throw new UnreachableError(
              'DRILL_PREPARE_FAILED',
              `could not prepare the drill's data (${deps.store.location}) within ${PREPARE_BUDGET_MS / 1000} s: ${describeCause(error)}`,
              {
                actions: [
                  `quorumctl status --cluster sandbox-${target.sandbox}`,
                  'wait until every member is up and current, then run the drill again',
                ],
                cause: error,
              },
            );
          }
          await sleep(500);
        }
      }
    },
    () => deps.store.location,
  );

  const aliasOf = new Map(
    target.members.flatMap((member) =>
      [member.name, ...member.aliases].map((alias) => [alias, member.name] as const),
    ),
  );
  const memberName = (member: MemberStatus) =>
    aliasOf.get(member.name) ?? aliasOf.get(member.endpoint) ?? member.name;
  const watch = startLeaderWatch({
    adapter: deps.adapter,
    clock: at,
    intervalMs: request.pollIntervalMs ?? 150,
    memberName,
    sleep,
    ...(deps.leaderProbe !== undefined && {
      probe: { members: memberNames, ask: deps.leaderProbe, timeoutMs: LEADER_PROBE_TIMEOUT_MS },
    }),
  });

  let workloadResult: WorkloadResult | undefined;
  const faults: FaultTimelineEntry[] = [];
  let during: Promise<DuringOutcome> | undefined;
  let leaderBefore: string | null = null;
  let acknowledgedBeforeFault = 0;
  let faultHitLeader = false;
  /** False while an error may leave the drill half-way: the outer finally then cleans up. */
  let faultPhaseDone = false;
  let workloadStartMs = 0;
  let workloadEndMs = 0;
  try {
    leaderBefore = await phase(
      'leader',
      'wait for a leader',
      async () => {
        const ready = await watch.waitUntil(
          // The status agrees there is a leader, and the timeline has seen it too.
          (status) => leaderName(status, memberName) !== null && watch.current() !== null,
          Math.max(10_000, 3 * electionMs),
        );
        if (!ready) {
          throw new UnreachableError(
            'NO_LEADER',
            `${target.cluster} has no leader: a drill needs a healthy cluster to start from`,
            {
              actions: [
                `quorumctl status --cluster sandbox-${target.sandbox}`,
                `quorumctl sandbox logs ${target.sandbox}`,
              ],
            },
          );
        }
        return watch.current();
      },
      (leader) => `${leader ?? '?'} leads`,
    );

    workloadStartMs = at();
    const workload = await startWorkload({
      spec,
      keys,
      clock: at,
      seed: request.seed,
      openClient: async (index) => {
        const client = await deps.store.openClient(index);
        return deps.wrapClient === undefined ? client : deps.wrapClient(client, index);
      },
      sleep,
    });
    try {
      await phase('warmup', `workload: ${spec.clients} clients on ${spec.keys} keys`, () =>
        sleep(scenario.warmupMs),
      );
      acknowledgedBeforeFault = workload.operations.filter(
        (op) => op.outcome === 'ok' && op.op !== 'read',
      ).length;

      const rounds = selectTargets(
        scenario.target,
        memberNames,
        watch.current() ?? leaderBefore ?? '',
        random,
      );
      for (const [index, selected] of rounds.entries()) {
        const round = rounds.length > 1 ? ` (${index + 1}/${rounds.length})` : '';
        const leaderNow = watch.current();
        const faultSpec = faultSpecFor(scenario.fault, selected, memberNames);
        if (leaderNow !== null && faultSpec.members.includes(leaderNow)) faultHitLeader = true;
        const entry: FaultTimelineEntry = {
          id: '',
          kind: faultSpec.kind,
          members: faultSpec.members,
          requestedAtMs: at(),
          injectedAtMs: at(),
        };
        if (faultSpec.groups !== undefined) entry.groups = faultSpec.groups;
        faults.push(entry);
        let record: FaultRecord | undefined;
        try {
          record = await phase(
            `fault-${index + 1}`,
            `${faultSpec.kind} ${describeSpec(faultSpec)}${round}`,
            () => deps.injector.inject(faultSpec),
            (applied) => applied.id,
          );
          entry.injectedAtMs = at();
          entry.id = record.id;
          if (
            scenario.during !== undefined &&
            during === undefined &&
            deps.membership !== undefined
          )
            during = runDuring(
              scenario.during,
              deps.membership,
              { leader: leaderNow ?? '', members: memberNames },
              at,
            );
          await phase(
            `hold-${index + 1}`,
            `hold the fault for ${(durationMs / 1000).toFixed(1)} s`,
            () => sleep(durationMs),
          );
        } finally {
          if (record !== undefined) {
            const applied = record;
            await phase(
              `heal-${index + 1}`,
              `heal ${faultSpec.kind} ${describeSpec(faultSpec)}`,
              () => deps.injector.heal(applied),
            )
              .then(() => {
                entry.healedAtMs = at();
              })
              .catch((error: unknown) => {
                entry.healError = describeCause(error);
              });
          }
        }
        if (index < rounds.length - 1) {
          const settled = await phase(
            `ready-${index + 1}`,
            'wait for a leader and every member',
            () =>
              watch.waitUntil(
                (status) =>
                  status.leaderId !== undefined &&
                  status.members.every((member) => member.reachable),
                ROUND_READY_TIMEOUT_MS,
              ),
          );
          if (!settled)
            warnings.push(
              `after round ${index + 1} the cluster was not whole within ${ROUND_READY_TIMEOUT_MS / 1000} s; went on`,
            );
        }
      }

      const lastHeal = faults[faults.length - 1]?.healedAtMs ?? at();
      await phase('recover', 'wait for writes to succeed again', async () => {
        const deadline = lastHeal + maxRecoveryMs;
        while (at() < deadline && recoveryAfter(workload.operations, lastHeal) === undefined)
          await sleep(100);
        await sleep(scenario.settleMs);
        // End on an agreed leader when there is one to be had (an old leader rejoining with a
        // higher term may have just called an election).
        const leaderDeadline = at() + 3 * electionMs;
        while (at() < leaderDeadline && watch.current() === null) await sleep(100);
      });
    } finally {
      workloadResult = await workload.stop();
      workloadEndMs = at();
    }
    faultPhaseDone = true;
  } finally {
    await watch.stop();
    if (faults.some((fault) => fault.healedAtMs === undefined)) {
      // A heal failed or never ran: heal everything recorded before anything else.
      const healed = await deps.injector
        .healAll()
        .catch((error: unknown) => ({ healed: [], failed: [{ error: describeCause(error) }] }));
      if (healed.failed.length > 0)
        warnings.push(
          `faults could not be healed: run quorumctl chaos heal (${healed.failed.map((failure) => failure.error).join('; ')})`,
        );
    }
    if (!faultPhaseDone) await cleanUp(deps.store, request.keepData === true, warnings);
  }

  const duringOutcome = during === undefined ? undefined : await during;
  const acknowledged = workloadResult.acknowledged;
  let lost: LostWrite[] = [];
  let readBackError: string | undefined;
  await phase(
    'read-back',
    `read back ${acknowledged.length} acknowledged writes`,
    async () => {
      const deadline = at() + READ_BACK_BUDGET_MS;
      for (;;) {
        try {
          lost = lostWrites(acknowledged, await deps.store.findWrites(acknowledged));
          return;
        } catch (error) {
          if (at() >= deadline) {
            readBackError = describeCause(error);
            return;
          }
          await sleep(500);
        }
      }
    },
    () =>
      readBackError !== undefined ? `could not read back: ${readBackError}` : `${lost.length} lost`,
  );

  const history: RecordedHistory = {
    model: 'register',
    operations: [...workloadResult.operations].sort((a, b) => a.invokeMs - b.invokeMs),
  };
  const checked = await phase(
    'check',
    `check ${history.operations.length} operations for linearizability`,
    async () => deps.check(history, { timeoutMs: request.checkerTimeoutMs ?? 30_000 }),
    (result) => `${result.verdict} in ${result.durationMs.toFixed(0)} ms`,
  );
  await phase(
    'cleanup',
    request.keepData === true ? 'keep the drill data' : 'remove the drill data',
    () => cleanUp(deps.store, request.keepData === true, warnings),
  );

  const timeline = leaderChanges(watch.observations);
  const firstFaultMs = faults[0]?.requestedAtMs ?? Infinity;
  const newLeader = timeToNewLeader(timeline, faults);
  const lastHealMs = faults[faults.length - 1]?.healedAtMs;
  const recovery =
    lastHealMs === undefined ? undefined : recoveryAfter(history.operations, lastHealMs);
  const otherLeadersSeen = [
    ...new Set(
      timeline
        .filter((o) => o.atMs >= firstFaultMs && o.leader !== null && o.leader !== leaderBefore)
        .map((o) => o.leader as string),
    ),
  ];
  const judged = judgeDrill({
    expectations: scenario.expectations,
    maxTimeToNewLeaderMs,
    maxRecoveryMs,
    faultHitLeader,
    timeToNewLeaderMs: newLeader?.ms ?? null,
    otherLeadersSeen,
    leaderBefore,
    recoveryMs: recovery ?? null,
    acknowledgedBeforeFault,
    lostWrites: readBackError === undefined ? lost.length : null,
    ...(readBackError !== undefined && { readBackError }),
    checker: checked,
  });
  for (const error of workloadResult.errors) warnings.push(`workload ${error}`);

  const report: DrillReport = {
    scenario: {
      name: scenario.name,
      description: scenario.description,
      source: scenario.source,
      target: scenario.target,
      fault: scenario.fault,
      durationMs,
      clients: spec.clients,
      keys: spec.keys,
      opTimeoutMs: spec.opTimeoutMs,
    },
    cluster: {
      name: target.cluster,
      kind: target.kind,
      sandbox: target.sandbox,
      members: memberNames,
    },
    run: request.run,
    seed: request.seed,
    startedAt: startedAt.toISOString(),
    finishedAt: now().toISOString(),
    electionTimeout: request.electionTimeout,
    targets: [...new Set(faults.flatMap((fault) => fault.members))],
    phases,
    faults,
    leaderTimeline: timeline,
    leaderBefore,
    leaderAfter: timeline[timeline.length - 1]?.leader ?? null,
    timeToNewLeaderMs: newLeader?.ms ?? null,
    writeUnavailability: writeUnavailability(history.operations, workloadStartMs, workloadEndMs),
    recoveryMs: recovery ?? null,
    operations: summarizeOperations(history.operations, workloadResult.answerErrors),
    acknowledgedWrites: acknowledged.length,
    lostWrites: lost,
    workloadLocation: deps.store.location,
    checker: checked,
    expectations: judged.expectations,
    verdict: judged.verdict,
    reasons: judged.reasons,
    warnings,
  };
  if (duringOutcome !== undefined) report.during = duringOutcome;
  return { report, history };
}

function describeSpec(spec: { members: string[]; groups?: string[][] }): string {
  return spec.groups === undefined
    ? spec.members.join(', ')
    : spec.groups.map((group) => `[${group.join(' ')}]`).join(' | ');
}

async function runDuring(
  action: DuringAction,
  membership: MembershipDriver,
  context: { leader: string; members: string[] },
  at: () => number,
): Promise<DuringOutcome> {
  const startedAtMs = at();
  try {
    const detail = await membership.run(action, context);
    return { action, startedAtMs, finishedAtMs: at(), outcome: 'completed', detail };
  } catch (error) {
    return {
      action,
      startedAtMs,
      finishedAtMs: at(),
      outcome: 'failed',
      detail: describeCause(error),
    };
  }
}

async function cleanUp(store: WorkloadStore, keep: boolean, warnings: string[]): Promise<void> {
  try {
    if (!keep) await store.cleanup();
  } catch (error) {
    warnings.push(`could not remove the drill data (${store.location}): ${describeCause(error)}`);
  } finally {
    await store.close().catch(() => undefined);
  }
}

/** Refusals that need nothing from the cluster: wrong kind, too few members, missing support. */
export function assertRunnable(
  scenario: DrillScenario,
  target: DrillTarget,
  deps: Pick<DrillDependencies, 'membership'>,
): void {
  if (!scenario.kinds.includes(target.kind)) {
    throw new UsageError(
      'DRILL_KIND_UNSUPPORTED',
      `scenario ${scenario.name} is written for ${scenario.kinds.join(', ')}, not ${target.kind}`,
      {
        actions: ['quorumctl chaos list shows which scenarios fit which kinds'],
      },
    );
  }
  if (target.members.length < scenario.minMembers) {
    throw new UsageError(
      'DRILL_NEEDS_MORE_MEMBERS',
      `scenario ${scenario.name} needs at least ${scenario.minMembers} members; sandbox ${target.sandbox} has ${target.members.length}`,
      {
        actions: [
          `quorumctl sandbox up NAME --kind ${target.kind} --members ${scenario.minMembers}${scenario.requires.includes('netns') ? ' --netns' : ''}`,
        ],
      },
    );
  }
  if (
    scenario.requires.includes('netns') &&
    target.cutsLinksItself !== true &&
    target.members.some((member) => member.netns === undefined)
  ) {
    throw new UsageError(
      'DRILL_NEEDS_NETNS',
      `scenario ${scenario.name} cuts network links, which needs each member in its own network namespace; sandbox ${target.sandbox} runs on loopback`,
      {
        actions: [
          `start a sandbox with namespaces: quorumctl sandbox up NAME --kind ${target.kind} --members ${Math.max(3, scenario.minMembers)} --netns (as root)`,
          'kill-leader, kill-follower, pause-leader and rolling-restart need no namespaces',
        ],
      },
    );
  }
  if (scenario.requires.includes('membership') && deps.membership === undefined) {
    throw new UnsupportedOperationError(
      'DRILL_NEEDS_MEMBERSHIP',
      `scenario ${scenario.name} changes membership during the fault, which drills cannot do yet for ${target.kind} sandboxes`,
      {
        actions: [
          'run the other scenarios meanwhile: quorumctl chaos list',
          'membership changes by themselves: quorumctl members --help',
        ],
      },
    );
  }
}
