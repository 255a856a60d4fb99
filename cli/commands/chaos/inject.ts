import { Flags } from '@oclif/core';
import { parseDuration } from '../../../core/duration.js';
import { EXIT_CODE_HELP, ExitCode } from '../../../core/exit-codes.js';
import { describeCause, UsageError } from '../../../core/errors.js';
import { openFaultInjector } from '../../../chaos/faults/index.js';
import { describeFault, renderHealReport } from '../../../chaos/faults/render.js';
import { FAULT_KINDS, faultSpecFrom } from '../../../chaos/faults/spec.js';
import type { FaultInjector, HealReport } from '../../../chaos/faults/types.js';
import {
  openClusterInjector,
  SAFETY_MARGIN_MS,
} from '../../../chaos/kubernetes/cluster-injector.js';
import { defaultStateDir } from '../../../sandbox/index.js';
import { chaosTargetFlags, chooseDrillTarget, kubeSelectionOf } from '../../chaos-kubernetes.js';
import { kubeFlags, type KubeFlagValues } from '../../kube-flags.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags } from '../../flags.js';
import { stateDirFlag } from '../../sandbox-flags.js';

export default class ChaosInject extends QuorumctlCommand {
  static override summary =
    'Inject one fault into a sandbox or a cluster in Kubernetes, hold it, then heal it.';
  static override description = `Applies one fault to members of a sandbox, keeps it for --duration (or until Ctrl-C / SIGTERM), then undoes it and prints what was healed. The fault is written to the fault journal before it is applied, so if this command is killed with SIGKILL, "quorumctl chaos heal" still undoes it.

FAULTS
  kill       SIGKILL the members; healed by starting them again (waits for a leader)
  pause      SIGSTOP the members (a long GC pause); healed by SIGCONT
  isolate    cut each member off from every other member (iptables DROP in its namespace);
             clients in the root namespace still reach it: a partitioned leader
  partition  split members into --groups that cannot reach each other; a member in two
             groups is a bridge (n1,n2,n3/n3,n4,n5)
  latency    delay the members' peer traffic by --latency in each direction (userspace proxy)
  loss       hold back --loss percent of the members' peer traffic chunks one retransmission
             timeout (200 ms): what loss costs a TCP stream

isolate, partition, latency and loss need a sandbox started with --netns (root).

CLUSTERS IN KUBERNETES
  With --cluster NAME whose inventory entry has a "kubernetes" reference (quorumctl discover --write), the fault is Chaos Mesh resources in the cluster's namespace and the members are pod names: kill -> PodChaos (pod-kill, or container-kill of the entry's container; the StatefulSet brings the pod back), isolate, partition, latency and loss -> NetworkChaos. pause is refused: Chaos Mesh cannot stop a process. Healing deletes the resources; Chaos Mesh also lifts the fault by itself 2 minutes after --duration, or 1 hour after it was applied when held until Ctrl-C, should this process be killed. --kube-context/--kubeconfig pick the API (default: the entry's context). Needs Chaos Mesh and the "chaos-mesh" role of docs/kubernetes-rbac.md.

${EXIT_CODE_HELP}
  In particular: 0 once the fault was held and healed, 2 for a member the target does not have or a fault Chaos Mesh cannot do, 5 when it could not be healed (it stays recorded), 7 when Kubernetes RBAC refuses the Chaos Mesh resource, 130 when interrupted before --duration ended (the fault is healed).`;

  static override examples = [
    {
      description: 'Isolate n1 for 10 seconds',
      command:
        '<%= config.bin %> chaos inject --sandbox chaos --fault isolate --member n1 --duration 10s',
    },
    {
      description: 'Pause the leader until Ctrl-C',
      command: '<%= config.bin %> chaos inject -s chaos --fault pause -m n2',
    },
    {
      description: 'Bridge partition of a 5-member sandbox',
      command:
        '<%= config.bin %> chaos inject -s big --fault partition --groups n1,n2,n3/n3,n4,n5 --duration 30s',
    },
    {
      description: '200 ms more per direction on n1 peer traffic',
      command:
        '<%= config.bin %> chaos inject -s chaos --fault latency -m n1 --latency 200ms --duration 1m',
    },
    {
      description: 'Isolate one pod of a discovered cluster for 30 seconds (Chaos Mesh)',
      command:
        '<%= config.bin %> chaos inject --cluster prod.data.zk-zookeeper --fault isolate -m zk-zookeeper-0 --duration 30s',
    },
  ];

  static override flags = {
    ...outputFlags,
    ...globalFlags,
    ...stateDirFlag,
    ...kubeFlags,
    ...chaosTargetFlags,
    fault: Flags.option({
      options: FAULT_KINDS,
      required: true,
      description: 'What to inject (see FAULTS).',
    })(),
    member: Flags.string({
      char: 'm',
      multiple: true,
      default: [],
      description: 'Member the fault acts on (repeat for more); in Kubernetes, a pod name.',
    }),
    groups: Flags.string({
      description: 'partition: groups separated by "/", members by "," (n1,n2/n3).',
    }),
    latency: Flags.string({ description: 'latency: added delay per direction, e.g. 200ms.' }),
    loss: Flags.integer({ description: 'loss: percent of chunks held back (1-100).' }),
    duration: Flags.string({
      char: 'd',
      description: 'How long to hold the fault (e.g. 10s). Default: until Ctrl-C or SIGTERM.',
    }),
  };

  protected readonly outputKind = 'HealReport' as const;

  async run(): Promise<void> {
    const { flags } = await this.parse(ChaosInject);
    const spec = faultSpecFrom({
      kind: flags.fault,
      members: flags.member,
      ...(flags.groups !== undefined && { groups: flags.groups }),
      ...(flags.latency !== undefined && { latencyMs: parseDuration(flags.latency, '--latency') }),
      ...(flags.loss !== undefined && { lossPercent: flags.loss }),
    });
    const durationMs =
      flags.duration === undefined ? undefined : parseDuration(flags.duration, '--duration');
    const target = await this.injectorFor(flags, durationMs);
    try {
      const record = await target.injector.inject(spec);
      process.stderr.write(
        `injected ${record.id}: ${describeFault(spec)} in ${target.where} ${durationMs === undefined ? 'until Ctrl-C' : `for ${flags.duration ?? ''}`}\n`,
      );
      const ending = await holdFor(durationMs);
      process.stderr.write(`healing ${record.id} (${ending})\n`);
      const report: HealReport = { healed: [], failed: [] };
      try {
        await target.injector.heal(record);
        report.healed.push(record);
      } catch (cause) {
        report.failed.push({ record, error: describeCause(cause) });
      }
      await this.report(flags, report, ending, durationMs);
    } finally {
      await target.close();
    }
  }

  private async report(
    flags: Parameters<QuorumctlCommand['outputFormat']>[0],
    report: HealReport,
    ending: string,
    durationMs: number | undefined,
  ): Promise<void> {
    const interrupted = ending !== 'duration over' && durationMs !== undefined;
    await this.emit(
      this.outputFormat(flags),
      report,
      renderHealReport,
      report.failed.length > 0
        ? ExitCode.partial
        : interrupted
          ? ExitCode.interrupted
          : ExitCode.ok,
    );
  }

  /** The sandbox's injector, or the Chaos Mesh one of an inventory cluster in Kubernetes. */
  private async injectorFor(
    flags: KubeFlagValues & {
      sandbox?: string | undefined;
      cluster?: string | undefined;
      config?: string | undefined;
      'state-dir'?: string | undefined;
    },
    durationMs: number | undefined,
  ): Promise<{ injector: FaultInjector; where: string; close(): Promise<void> }> {
    const stateDir = flags['state-dir'] ?? defaultStateDir();
    const choice = await chooseDrillTarget(flags);
    if ('sandbox' in choice)
      return {
        injector: openFaultInjector({ stateDir, sandbox: choice.sandbox }),
        where: `sandbox "${choice.sandbox}"`,
        close: () => Promise.resolve(),
      };
    if ('other' in choice)
      throw new UsageError(
        'INJECT_TARGET_UNSUPPORTED',
        `cluster "${choice.other}" is neither a quorumctl sandbox nor in Kubernetes: quorumctl injects faults only into sandbox processes and, through Chaos Mesh, into pods`,
        {
          actions: [
            'a sandbox: quorumctl chaos inject --sandbox NAME',
            'a cluster in Kubernetes: add its kubernetes reference with quorumctl discover --write',
          ],
        },
      );
    const { injector, api } = await openClusterInjector({
      resolved: choice.kubernetes,
      kube: kubeSelectionOf(flags),
      stateDir,
      safetyDurationMs:
        durationMs === undefined ? OPEN_HOLD_SAFETY_MS : durationMs + SAFETY_MARGIN_MS,
    });
    return {
      injector,
      where: `cluster "${choice.kubernetes.target.name}" (Chaos Mesh, context "${api.context}")`,
      close: () => api.close(),
    };
  }
}

/** Held until Ctrl-C in Kubernetes: Chaos Mesh lifts the fault by itself after this, should the process die. */
const OPEN_HOLD_SAFETY_MS = 60 * 60_000;

/** Resolves when the duration is over or a stop signal arrives (then the fault is healed, not abandoned). */
function holdFor(durationMs: number | undefined): Promise<string> {
  return new Promise((resolve) => {
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    // Signal listeners alone do not keep Node running: hold the event loop open until the end.
    const keepAlive = setInterval(() => undefined, 60_000);
    const finish = (why: string) => {
      clearTimeout(timer);
      clearInterval(keepAlive);
      for (const signal of signals) process.off(signal, onSignal);
      resolve(why);
    };
    const onSignal = (signal: NodeJS.Signals) => {
      finish(signal);
    };
    const timer =
      durationMs === undefined
        ? undefined
        : setTimeout(() => {
            finish('duration over');
          }, durationMs);
    for (const signal of signals) process.on(signal, onSignal);
  });
}
