import { Flags } from '@oclif/core';
import { builtInScenarios } from '../../../chaos/drills/catalog.js';
import { DRILL_KINDS } from '../../../chaos/drills/scenario.js';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags } from '../../flags.js';
import { renderDrillList } from '../../render/drill.js';

export default class ChaosList extends QuorumctlCommand {
  static override summary = 'List the built-in drill scenarios.';
  static override description = `Each scenario names a target by role (the leader, a random follower, a minority or majority with or without the leader, each member in turn, or named members), a fault (kill, pause, isolate, partition, latency, loss), how long it is held, the workload (clients, keys, read/write/CAS mix) and what must hold to PASS: a new leader within a time (default 3x the election timeout), writes back after the heal, no lost acknowledged write, a linearizable history.

NEEDS says what a scenario requires beyond a plain sandbox: netns (a sandbox started with --netns, for partitions) or membership (changes membership during the fault).

Run one with "quorumctl chaos drill NAME --sandbox S"; see one with "quorumctl chaos show NAME"; write your own and pass it with --scenario FILE (docs/chaos-drills.md).

${EXIT_CODE_HELP}`;

  static override examples = [
    { description: 'Every built-in scenario', command: '<%= config.bin %> chaos list' },
    {
      description: 'Those that run on ZooKeeper, as JSON',
      command: '<%= config.bin %> chaos list --kind zookeeper -o json',
    },
  ];

  static override flags = {
    ...outputFlags,
    ...globalFlags,
    kind: Flags.option({
      options: DRILL_KINDS,
      description: 'Only scenarios written for this kind.',
    })(),
  };

  protected readonly outputKind = 'DrillList' as const;

  async run(): Promise<void> {
    const { flags } = await this.parse(ChaosList);
    const scenarios = (await builtInScenarios()).filter(
      (scenario) => flags.kind === undefined || scenario.kinds.includes(flags.kind),
    );
    await this.emit(this.outputFormat(flags), { scenarios }, renderDrillList);
  }
}
