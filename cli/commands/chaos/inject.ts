import { Flags } from '@oclif/core';
import { parseDuration } from '../../../core/duration.js';
import { EXIT_CODE_HELP, ExitCode } from '../../../core/exit-codes.js';
import { describeCause } from '../../../core/errors.js';
import { openFaultInjector } from '../../../chaos/faults/index.js';
import { describeFault, renderHealReport } from '../../../chaos/faults/render.js';
import { FAULT_KINDS, faultSpecFrom } from '../../../chaos/faults/spec.js';
import type { HealReport } from '../../../chaos/faults/types.js';
import { defaultStateDir } from '../../../sandbox/index.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags } from '../../flags.js';
import { stateDirFlag } from '../../sandbox-flags.js';

export default class ChaosInject extends QuorumctlCommand {
  static override summary = 'Inject one fault into a sandbox, hold it, then heal it.';
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

${EXIT_CODE_HELP}
  In particular: 0 once the fault was held and healed, 5 when it could not be healed (it stays recorded), 130 when interrupted before --duration ended (the fault is healed).`;

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
  ];

  static override flags = {
    ...outputFlags,
    ...globalFlags,
    ...stateDirFlag,
    sandbox: Flags.string({ char: 's', default: 'local', description: 'Sandbox name.' }),
    fault: Flags.option({
      options: FAULT_KINDS,
      required: true,
      description: 'What to inject (see FAULTS).',
    })(),
    member: Flags.string({
      char: 'm',
      multiple: true,
      default: [],
      description: 'Member the fault acts on (repeat for more).',
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
    const injector = openFaultInjector({
      stateDir: flags['state-dir'] ?? defaultStateDir(),
      sandbox: flags.sandbox,
    });
    const record = await injector.inject(spec);
    process.stderr.write(
      `injected ${record.id}: ${describeFault(spec)} in sandbox "${flags.sandbox}" ${durationMs === undefined ? 'until Ctrl-C' : `for ${flags.duration ?? ''}`}\n`,
    );
    const ending = await holdFor(durationMs);
    process.stderr.write(`healing ${record.id} (${ending})\n`);
    const report: HealReport = { healed: [], failed: [] };
    try {
      await injector.heal(record);
      report.healed.push(record);
    } catch (cause) {
      report.failed.push({ record, error: describeCause(cause) });
    }
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
}

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
