import { Args, Flags } from '@oclif/core';
import { writeFile } from 'node:fs/promises';
import { builtInScenario, scenarioFromFile } from '../../../chaos/drills/catalog.js';
import type { DrillScenario, OperationMix } from '../../../chaos/drills/scenario.js';
import { renderDrillHtml } from '../../../chaos/report/html.js';
import { renderJunit } from '../../../chaos/report/junit.js';
import { chaosMeshYaml } from '../../../chaos/kubernetes/chaos-mesh.js';
import {
  kubernetesDrillResources,
  runKubernetesDrill,
} from '../../../chaos/runner/kubernetes-drill.js';
import { runSandboxDrill } from '../../../chaos/runner/sandbox-drill.js';
import { parseDuration } from '../../../core/duration.js';
import { UnsupportedOperationError, UsageError } from '../../../core/errors.js';
import { EXIT_CODE_HELP, ExitCode } from '../../../core/exit-codes.js';
import { successEnvelope } from '../../../core/schema.js';
import { defaultStateDir } from '../../../sandbox/index.js';
import { QuorumctlCommand } from '../../base-command.js';
import { chaosTargetFlags, chooseDrillTarget, kubeSelectionOf } from '../../chaos-kubernetes.js';
import { kubeFlags } from '../../kube-flags.js';
import { globalFlags, outputFlags } from '../../flags.js';
import { askYesNo, isInteractive } from '../../mutation.js';
import { describeTarget, renderDrillReport } from '../../render/drill.js';
import { createProgressSink, type ClosableProgressSink } from '../../render/progress.js';
import { serializeEnvelope } from '../../render/envelope.js';
import { stateDirFlag } from '../../sandbox-flags.js';

export default class ChaosDrill extends QuorumctlCommand {
  static override summary =
    'Run a chaos drill against a sandbox or a cluster in Kubernetes and judge it: PASS, FAIL or INCONCLUSIVE.';
  static override description = `Runs a scenario (see "quorumctl chaos list") against a sandbox while clients read, write and compare-and-swap a few keys, and judges what happened:

  1. heals faults a crashed earlier run left behind (the fault journal)
  2. starts the workload (default 5 clients) and watches the leader (status every ~150 ms)
  3. injects the fault on the members the scenario selects at that moment (the leader, a
     follower, a minority, ...), holds it for --duration, then heals it, also on error,
     Ctrl-C or SIGTERM (a SIGKILLed run is healed by "chaos heal" or the next drill)
  4. keeps the workload running until writes succeed again, then stops it
  5. reads back every acknowledged write (each write also left a unique record in the same
     atomic step: etcd txn, ZooKeeper multi, a stream message): a missing one is LOST
  6. checks the history for linearizability, key by key

The verdict is FAIL on any lost acknowledged write, a non-linearizable history, or a missed expectation (no new leader within the limit, default 3x the kind's election timeout; no write after the heal); INCONCLUSIVE when the checker ran out of time or nothing was written before the fault; PASS otherwise. The report gives the fault and leader timelines, time to new leader, the longest stretch without an acknowledged write, operation counts and the lost writes with their keys. --html writes a self-contained page with the timeline, --junit a JUnit file for CI.

The drill disrupts the cluster: it asks for confirmation on a terminal and needs --yes without one. Faults act on sandbox processes and namespaces, so the target is a sandbox; partitions (isolate-leader, *-split, bridge-partition) need one started with --netns. The drill's keys, znodes or stream are removed afterwards (--keep-data keeps them).

KUBERNETES
  With --cluster NAME whose inventory entry has a "kubernetes" reference (quorumctl discover --write), the faults are Chaos Mesh resources in the cluster's namespace: kill -> PodChaos (pod-kill, or container-kill of the entry's container), isolate, partition, latency and loss -> NetworkChaos. Each is written to the fault journal, then applied (server-side apply, field manager "quorumctl"), and deleted at heal: after the hold, on error, on FAIL, on Ctrl-C/SIGTERM; "chaos heal --cluster NAME" deletes what a killed run left, and Chaos Mesh itself lifts a fault 2 minutes after its hold. Members are the pods; the workload and status reach the entry's endpoints (reach: direct). pause is refused: Chaos Mesh cannot stop a process. --kube-context/--kubeconfig pick the API (default: the entry's context). Needs Chaos Mesh installed and the "chaos-mesh" role of docs/kubernetes-rbac.md; a 403 exits 7 naming the missing permission. --emit chaos-mesh prints the resources for the members the scenario picks now, as YAML for kubectl, and applies nothing. See docs/kubernetes-chaos.md.

${EXIT_CODE_HELP}
  In particular: 0 PASS, 1 FAIL, 6 INCONCLUSIVE (the checker timed out, or nothing was written before the fault), 2 when the scenario does not fit the sandbox (kind, members, --netns, membership) or Chaos Mesh cannot do the fault (pause), 3 when the cluster has no leader to start from, 5 when faults of an earlier run could not be healed, 7 when Kubernetes RBAC refuses a Chaos Mesh resource, 130 when interrupted (the fault is healed first). See docs/chaos-drills.md and docs/kubernetes-chaos.md.`;

  static override examples = [
    {
      description: 'Kill the leader of the sandbox "local"',
      command: '<%= config.bin %> chaos drill kill-leader --sandbox local --yes',
    },
    {
      description: 'Isolate the leader for 20 s, with an HTML report',
      command:
        '<%= config.bin %> chaos drill isolate-leader --sandbox chaos --duration 20s --html drill.html --yes',
    },
    {
      description: 'In CI: JSON on stdout, JUnit for the test report',
      command: '<%= config.bin %> chaos drill pause-leader -s ci --junit drill.xml -o json --yes',
    },
    {
      description: 'Kill the leader pod of an inventory cluster in Kubernetes (Chaos Mesh)',
      command: '<%= config.bin %> chaos drill kill-leader --cluster prod-etcd --yes',
    },
    {
      description: 'Print the Chaos Mesh resources instead of running the drill',
      command: '<%= config.bin %> chaos drill isolate-leader --cluster prod-etcd --emit chaos-mesh',
    },
    {
      description: 'Your own scenario',
      command: '<%= config.bin %> chaos drill --scenario my-drill.yaml -s local --yes',
    },
  ];

  static override args = {
    name: Args.string({ description: 'A built-in scenario (see "quorumctl chaos list").' }),
  };

  static override flags = {
    ...outputFlags,
    ...globalFlags,
    ...stateDirFlag,
    ...kubeFlags,
    ...chaosTargetFlags,
    'allow-non-sandbox': Flags.boolean({
      description:
        'Accept a --cluster that is not a sandbox (no fault injector exists for it yet).',
      helpGroup: 'TARGET',
    }),
    emit: Flags.option({
      options: ['chaos-mesh'] as const,
      description:
        'Print the Chaos Mesh resources of the drill (YAML) instead of running it; --cluster in Kubernetes.',
      helpGroup: 'TARGET',
    })(),
    scenario: Flags.string({ description: 'A scenario file instead of a built-in name.' }),
    duration: Flags.string({
      char: 'd',
      description: "How long the fault is held (e.g. 20s). Default: the scenario's.",
    }),
    clients: Flags.integer({
      description: "Concurrent workload clients. Default: the scenario's (5).",
      min: 1,
      max: 64,
    }),
    'max-time-to-new-leader': Flags.string({
      description:
        "Limit for the time to a new leader, e.g. 5s. Default: the scenario's, else 3x the kind's election timeout.",
    }),
    mix: Flags.string({
      description:
        "Read/write/CAS weights, e.g. 50/50/0 (no compare-and-swap). Default: the scenario's (40/40/20).",
    }),
    seed: Flags.integer({
      description: 'Seed of the random choices (targets, operations), to replay a drill.',
    }),
    'checker-timeout': Flags.string({
      default: '30s',
      description:
        'Time budget of the linearizability checker; past it the verdict is INCONCLUSIVE.',
    }),
    html: Flags.string({
      description: 'Also write a self-contained HTML report with the timeline.',
    }),
    junit: Flags.string({
      description: 'Also write a JUnit XML file (one test case per expectation).',
    }),
    history: Flags.string({
      description: 'Also write the recorded history (JSON) for "quorumctl chaos check".',
    }),
    'keep-data': Flags.boolean({ description: "Keep the drill's keys, znodes or stream." }),
    yes: Flags.boolean({
      char: 'y',
      description: 'Run without the confirmation prompt (required when no terminal is attached).',
      helpGroup: 'SAFETY',
    }),
  };

  protected readonly outputKind = 'DrillReport' as const;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ChaosDrill);
    const format = this.outputFormat(flags);
    if ((args.name === undefined) === (flags.scenario === undefined)) {
      throw new UsageError(
        'USAGE',
        'name a built-in scenario or pass --scenario FILE (one of them)',
        {
          actions: ['quorumctl chaos list shows the built-in scenarios'],
        },
      );
    }
    const scenario =
      flags.scenario === undefined
        ? await builtInScenario(args.name ?? '')
        : await scenarioFromFile(flags.scenario);
    const durationMs =
      flags.duration === undefined ? undefined : parseDuration(flags.duration, '--duration');
    const checkerTimeoutMs = parseDuration(flags['checker-timeout'], '--checker-timeout');
    const choice = await this.drillTarget(flags);
    const kube = kubeSelectionOf(flags);
    if (flags.emit !== undefined) {
      if (!('kubernetes' in choice))
        throw new UsageError(
          'EMIT_NEEDS_KUBERNETES',
          '--emit chaos-mesh needs --cluster NAME of an inventory entry in Kubernetes',
          { actions: ['quorumctl discover --write adds such entries'] },
        );
      const planned = await kubernetesDrillResources({
        resolved: choice.kubernetes,
        kube,
        scenario,
        ...(durationMs !== undefined && { durationMs }),
        ...(flags.seed !== undefined && { seed: flags.seed }),
      });
      process.stdout.write(
        `# ${scenario.name} on ${choice.kubernetes.target.name} (leader now: ${planned.leader ?? 'none'})\n${chaosMeshYaml(planned.faults.flatMap((fault) => fault.resources))}`,
      );
      return;
    }
    const what =
      'sandbox' in choice
        ? `sandbox "${choice.sandbox}"`
        : `cluster "${choice.kubernetes.target.name}" (Chaos Mesh)`;
    await confirmDrill(scenario, what, flags.yes, durationMs ?? scenario.durationMs);

    const progress: ClosableProgressSink = createProgressSink({ format });
    const common = {
      stateDir: flags['state-dir'] ?? defaultStateDir(),
      scenario,
      progress,
      checkerTimeoutMs,
      keepData: flags['keep-data'],
      ...(durationMs !== undefined && { durationMs }),
      ...(flags.clients !== undefined && { clients: flags.clients }),
      ...(flags.mix !== undefined && { mix: parseMix(flags.mix) }),
      ...(flags['max-time-to-new-leader'] !== undefined && {
        maxTimeToNewLeaderMs: parseDuration(
          flags['max-time-to-new-leader'],
          '--max-time-to-new-leader',
        ),
      }),
      ...(flags.seed !== undefined && { seed: flags.seed }),
    };
    let outcome;
    try {
      outcome =
        'sandbox' in choice
          ? await runSandboxDrill({ ...common, sandbox: choice.sandbox })
          : await runKubernetesDrill({ ...common, resolved: choice.kubernetes, kube });
    } finally {
      await progress.close();
    }
    const { report, history } = outcome;
    if (flags.html !== undefined) await writeFile(flags.html, renderDrillHtml(report, history));
    if (flags.junit !== undefined) await writeFile(flags.junit, renderJunit(report));
    if (flags.history !== undefined)
      await writeFile(flags.history, `${JSON.stringify(history, null, 2)}\n`);
    const exitCode =
      report.verdict === 'PASS'
        ? ExitCode.ok
        : report.verdict === 'FAIL'
          ? ExitCode.findings
          : ExitCode.noVerdict;
    // Written here rather than with emit(): a FAIL report (with its failing prefix) passes
    // 64 KiB, and exiting right after an unflushed write to a pipe cuts the JSON short.
    const text =
      format === 'table'
        ? renderDrillReport(report)
        : await serializeEnvelope(successEnvelope(this.outputKind, report, exitCode), format);
    await new Promise<void>((resolve, reject) => {
      process.stdout.write(text, (error) => {
        if (error === null || error === undefined) resolve();
        else reject(error);
      });
    });
    if (exitCode !== ExitCode.ok) this.exit(exitCode);
  }

  /**
   * What to drill: --sandbox, a sandbox --cluster, a --cluster in Kubernetes, or the current
   * context's.
   */
  private async drillTarget(flags: {
    sandbox?: string | undefined;
    cluster?: string | undefined;
    config?: string | undefined;
    'allow-non-sandbox': boolean;
  }): Promise<Exclude<Awaited<ReturnType<typeof chooseDrillTarget>>, { other: string }>> {
    const choice = await chooseDrillTarget(flags);
    if (!('other' in choice)) return choice;
    if (!flags['allow-non-sandbox']) {
      throw new UsageError(
        'DRILL_TARGET_NOT_SANDBOX',
        `cluster "${flags.cluster}" is not a quorumctl sandbox: a drill kills, pauses and partitions members, and quorumctl only does that to sandbox processes`,
        {
          actions: [
            'drill a sandbox: quorumctl sandbox up NAME --kind KIND --netns, then --sandbox NAME',
            'if you mean it, add --allow-non-sandbox (and see what it supports)',
          ],
        },
      );
    }
    throw new UnsupportedOperationError(
      'DRILL_NO_INJECTOR',
      `no fault injector exists for cluster "${flags.cluster}": faults act on sandbox processes and namespaces only`,
      {
        actions: [
          'drill a sandbox of the same kind and version instead',
          'for a cluster in Kubernetes, add its kubernetes reference (quorumctl discover --write): drills then run through Chaos Mesh',
        ],
      },
    );
  }
}

/** `--mix 50/50/0`: read, write and CAS weights; something must write. */
export function parseMix(text: string): OperationMix {
  const weights = text.split('/').map((part) => Number(part.trim()));
  const [read, write, cas] = weights;
  if (
    weights.length !== 3 ||
    !weights.every((weight) => Number.isInteger(weight) && weight >= 0 && weight <= 1000) ||
    read === undefined ||
    write === undefined ||
    cas === undefined ||
    write + cas === 0
  ) {
    throw new UsageError(
      'USAGE',
      `--mix "${text}" is not READ/WRITE/CAS weights with some writes`,
      {
        actions: ['e.g. --mix 40/40/20 (the default) or --mix 50/50/0 (no compare-and-swap)'],
      },
    );
  }
  return { read, write, cas };
}

/** The drill disrupts the cluster: --yes, or a "y" on a terminal. */
async function confirmDrill(
  scenario: DrillScenario,
  target: string,
  yes: boolean,
  durationMs: number,
): Promise<void> {
  if (yes) return;
  const what = `${scenario.fault.kind} ${describeTarget(scenario.target)} of ${target} for ${(durationMs / 1000).toFixed(0)} s`;
  if (!isInteractive()) {
    throw new UsageError(
      'CONFIRMATION_REQUIRED',
      `drill ${scenario.name} would ${what}, and no terminal is attached to confirm it`,
      {
        actions: ['rerun with --yes', `quorumctl chaos show ${scenario.name} says what it does`],
      },
    );
  }
  if (!(await askYesNo(`Drill ${scenario.name}: ${what}. Proceed?`)))
    throw new UsageError(
      'NOT_CONFIRMED',
      `drill ${scenario.name} was not confirmed; nothing changed`,
    );
}
