import { readFile } from 'node:fs/promises';
import { Args, Flags } from '@oclif/core';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { defaultStateDir, sandboxLogPaths } from '../../../sandbox/index.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags } from '../../flags.js';
import { stateDirFlag } from '../../sandbox-flags.js';

export default class SandboxLogs extends QuorumctlCommand {
  static override summary = "Print the tail of a sandbox's server logs.";
  static override description = EXIT_CODE_HELP;
  static override examples = [
    '<%= config.bin %> sandbox logs',
    '<%= config.bin %> sandbox logs demo --member n2 --lines 200',
  ];
  static override args = { name: Args.string({ default: 'local', description: 'Sandbox name.' }) };
  static override flags = {
    ...globalFlags,
    ...stateDirFlag,
    member: Flags.string({ char: 'm', description: 'Only this member (e.g. n1).' }),
    lines: Flags.integer({
      char: 'n',
      default: 50,
      description: 'Lines from the end of each log.',
    }),
  };

  protected readonly outputKind = 'Sandbox' as const;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SandboxLogs);
    const logs = await sandboxLogPaths(
      flags['state-dir'] ?? defaultStateDir(),
      args.name,
      flags.member,
    );
    for (const { member, path } of logs) {
      const text = await readFile(path, 'utf8').catch(() => '');
      const tail = text
        .split('\n')
        .filter((line) => line !== '')
        .slice(-flags.lines);
      process.stdout.write(`==> ${member} (${path}) <==\n${tail.join('\n')}\n`);
    }
  }
}
