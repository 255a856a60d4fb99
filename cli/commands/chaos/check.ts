import { Args, Flags } from '@oclif/core';
import { checkHistory, HISTORY_FORMATS, readHistoryFile } from '../../../chaos/checker/index.js';
import { parseDuration } from '../../../core/duration.js';
import { ExitCode } from '../../../core/exit-codes.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags } from '../../flags.js';
import { renderCheckerReport, type CheckerReport } from '../../render/checker.js';

const VERDICT_EXIT = {
  linearizable: ExitCode.ok,
  'not-linearizable': ExitCode.findings,
  unknown: ExitCode.noVerdict,
} as const;

export default class ChaosCheck extends QuorumctlCommand {
  static override summary = 'Check a recorded client history for linearizability.';
  static override description = `Decides whether the operations in FILE could have happened one at a time, each at some instant between its invocation and its completion, in a way that a single copy of the data explains every result (linearizability). A history recorded by a drill, or by Jepsen, against a healthy consensus system must be linearizable.

The search is Wing & Gong's with Lowe's memoisation (as in Porcupine), and each key is checked on its own (P-compositionality), which keeps checks of many keys fast. Operations that failed definitely had no effect and are ignored. Operations whose outcome is unknown (a timeout; Jepsen's :info) may have taken effect at any time after they were invoked, or never.

When the history is not linearizable the report names the key and its shortest failing prefix: the history cut at the first completion that cannot be explained (operations still running at that point are shown as unknown). Checking is NP-complete in general: --timeout bounds it, and past it the verdict is UNKNOWN.

MODELS
  register  read, write and cas on each key; a key starts with no value
  kv        get, put and append on each key's string; a key starts as ""
  Default: the file's own "model" (JSON), else what its operations are.

FORMATS (detected from the content; --format forces one)
  json        {"model": ..., "operations": [...]} as drills record it (also inside a
              quorumctl/v1 envelope or a drill report)
  jepsen-log  Jepsen etcd test logs: INFO jepsen.util - <process> <type> <f> <value>
  jepsen-edn  one EDN map per line: {:process 0, :type :invoke, :f :get, :key "1", :value nil}
  Jepsen formats carry no clock: times in the report are line numbers.

EXIT CODES
  0    linearizable
  1    not linearizable
  2    bad input: unreadable or malformed file (named with its line), unknown flags
  6    no verdict in time (UNKNOWN): raise --timeout
  70   internal error (a bug: please report it with --debug output)`;

  static override examples = [
    {
      description: 'A history recorded by a drill',
      command: '<%= config.bin %> chaos check ./drill-history.json',
    },
    {
      description: 'A Jepsen etcd log, as JSON for a script',
      command: '<%= config.bin %> chaos check etcd_002.log --model register -o json',
    },
    {
      description: 'Jepsen key-value EDN with a 5 second budget',
      command: '<%= config.bin %> chaos check history.edn --model kv --timeout 5s',
    },
  ];

  static override args = {
    file: Args.string({ required: true, description: 'History file (JSON, Jepsen log or EDN).' }),
  };

  static override flags = {
    ...outputFlags,
    ...globalFlags,
    model: Flags.option({
      options: ['register', 'kv'] as const,
      description: 'Sequential model to check against (default: from the file).',
    })(),
    format: Flags.option({
      options: HISTORY_FORMATS,
      default: 'auto' as const,
      description: 'History format (default: detected from the content).',
    })(),
    timeout: Flags.string({
      default: '30s',
      description: 'Time budget for the whole check; past it the verdict is UNKNOWN (exit 6).',
    }),
  };

  protected readonly outputKind = 'CheckerResult' as const;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ChaosCheck);
    const format = this.outputFormat(flags);
    const timeoutMs = parseDuration(flags.timeout, '--timeout');
    const parsed = await readHistoryFile(args.file, {
      format: flags.format,
      ...(flags.model === undefined ? {} : { model: flags.model }),
    });
    const result = checkHistory(parsed.history, { timeoutMs });
    const report: CheckerReport = {
      file: args.file,
      format: parsed.format,
      model: parsed.history.model,
      operationCount: parsed.history.operations.length,
      ...result,
    };
    await this.emit(format, report, renderCheckerReport, VERDICT_EXIT[result.verdict]);
  }
}
