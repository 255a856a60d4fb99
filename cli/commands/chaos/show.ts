import { Args, Flags } from '@oclif/core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BUILT_IN_DIR, builtInScenario, scenarioFromFile } from '../../../chaos/drills/catalog.js';
import { UsageError } from '../../../core/errors.js';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags } from '../../flags.js';
import { renderScenario } from '../../render/drill.js';

export default class ChaosShow extends QuorumctlCommand {
  static override summary = 'Show one drill scenario: target, fault, workload and expectations.';
  static override description = `Prints a built-in scenario (by name) or a scenario file (--scenario FILE) after validation, with every default filled in: how many clients and keys, the read/write/CAS mix, and the expectations the drill verdict is judged by. A file with mistakes is reported as FILE:LINE:COLUMN for each problem.

--source prints the YAML as written, a starting point for your own scenario.

${EXIT_CODE_HELP}`;

  static override examples = [
    { description: 'What kill-leader does', command: '<%= config.bin %> chaos show kill-leader' },
    {
      description: 'Copy a built-in scenario to edit',
      command: '<%= config.bin %> chaos show isolate-leader --source > my-drill.yaml',
    },
    {
      description: 'Validate your own scenario, as JSON',
      command: '<%= config.bin %> chaos show --scenario my-drill.yaml -o json',
    },
  ];

  static override args = {
    name: Args.string({ description: 'A built-in scenario (see "quorumctl chaos list").' }),
  };

  static override flags = {
    ...outputFlags,
    ...globalFlags,
    scenario: Flags.string({ description: 'A scenario file instead of a built-in name.' }),
    source: Flags.boolean({ description: 'Print the scenario YAML as written.' }),
  };

  protected readonly outputKind = 'DrillScenario' as const;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ChaosShow);
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
    if (flags.source) {
      const file = flags.scenario ?? join(BUILT_IN_DIR, `${scenario.name}.yaml`);
      process.stdout.write(await readFile(file, 'utf8'));
      return;
    }
    await this.emit(this.outputFormat(flags), scenario, renderScenario);
  }
}
