import { Errors, Flags, type Interfaces } from '@oclif/core';
import { CHECK_THRESHOLDS } from '../../core/check/thresholds.js';
import { checkRuleInfo } from '../../core/check/rules/index.js';
import type { CheckReport } from '../../core/check/report.js';
import { parseDuration } from '../../core/duration.js';
import { isQuorumctlError, UsageError } from '../../core/errors.js';
import { EXIT_CODE_HELP, ExitCode } from '../../core/exit-codes.js';
import type { RuleInfo } from '../../core/findings.js';
import { preflightRuleInfo } from '../../core/preflight/rules/index.js';
import { runCheck } from '../../ops/check.js';
import { readCertificate } from '../../systems/transport/tls-certificate.js';
import { outputValueFromArgv, stripAnsi } from '../argv.js';
import { QuorumctlCommand } from '../base-command.js';
import { globalFlags, OUTPUT_FORMATS, targetFlags } from '../flags.js';
import { checkFindingsView, renderCheckTable, renderRuleInfo } from '../render/check-report.js';
import { renderJunit } from '../render/findings-junit.js';
import {
  nagiosExitCode,
  nagiosState,
  renderNagios,
  renderNagiosUnknown,
} from '../render/findings-nagios.js';
import { renderPrometheus, renderPrometheusFailure } from '../render/findings-prometheus.js';

const CHECK_OUTPUTS = [...OUTPUT_FORMATS, 'nagios', 'prometheus', 'junit'] as const;
type CheckOutput = (typeof CHECK_OUTPUTS)[number];

export default class Check extends QuorumctlCommand {
  static override summary =
    'Judge a live cluster against cited operational thresholds: quorum, leaders, disks, quota, consistency, TLS.';

  static override description = `Reads the cluster twice, --window apart, and reports every rule it breaks: the rule ID, the member, what was observed against which threshold, why it matters and the fix. Works for every kind; etcd adds disk latency (WAL fsync and backend commit p99 from /metrics), failed proposals and a HashKV consistency check at one common revision.

What is checked:
  every kind   no quorum, no leader, quorum margin 0, unreachable members, leader
               disagreement, lagging followers (the same reasons as quorumctl health),
               leader elections during the window, an even number of voters, more than 7,
               TLS certificates expired or expiring within 30 days
  etcd         WAL fsync p99 > 10 ms, backend commit p99 > 25 ms, failed proposals,
               database over 80%/95% of its quota and the time to reach it at the current
               growth, fragmentation over 50% above 100 MiB, NOSPACE/CORRUPT alarms,
               learners not catching up, members whose HashKV differs
  zookeeper    synced followers, outstanding requests, average and maximum latency, a
               follower's zxid beyond its leader's
  nats         meta leader, leaderless and under-replicated streams and consumers,
               JetStream storage (warn 75%, critical 90%, as natscli)
  kraft        leader known, follower lag in entries and in time

Every rule, its threshold and the source of the threshold: quorumctl check --explain ID, or docs/checks.md. --explain also knows preflight's rules and contacts no cluster.

--window 0 judges a single reading: rules that need two (elections, failed proposals, growth, learners) are reported as skipped and disk p99s are taken over each member's lifetime. With fewer than 20 fsyncs or commits in the window (an idle cluster), the lifetime histogram is used as well, and the report says so.

OUTPUT FORMATS
  table       findings grouped by severity, then what was measured per member
  json, yaml  the quorumctl/v1 CheckReport envelope
  nagios      "QUORUMCTL OK|WARNING|CRITICAL|UNKNOWN - summary | perfdata", one finding per
              following line; exits 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (the check could
              not run) as Nagios and Icinga plugins do. --fail-on does not apply.
  prometheus  textfile-collector metrics: quorumctl_check_findings{rule,severity,member},
              quorumctl_check_success (0 when the check could not run), rules by outcome
  junit       one testcase per rule, one failure per finding

${EXIT_CODE_HELP}
  (1 here: a finding at least as severe as --fail-on; -o nagios uses the plugin codes above)`;

  static override examples = [
    { description: 'Check the current context', command: '<%= config.bin %> check' },
    {
      description: 'Fail a CI step or a cron job on warnings too',
      command: '<%= config.bin %> check --cluster prod --fail-on warn',
    },
    {
      description: 'An etcd cluster over a 30-second window, as JSON',
      command: '<%= config.bin %> check -e etcd://10.0.0.1:2379 --window 30s -o json',
    },
    {
      description: 'As a Nagios/Icinga plugin (exit 0/1/2/3)',
      command: '<%= config.bin %> check -e etcd+https://10.0.0.1:2379 --cacert ca.pem -o nagios',
    },
    {
      description: "For node_exporter's textfile collector, written atomically",
      command:
        '<%= config.bin %> check -c prod -o prometheus > /var/lib/node_exporter/quorumctl.prom.tmp && mv /var/lib/node_exporter/quorumctl.prom.tmp /var/lib/node_exporter/quorumctl.prom',
    },
    {
      description: 'What a rule checks, why, the source of its threshold and the fix',
      command: '<%= config.bin %> check --explain ETCD-FSYNC-P99',
    },
  ];

  static override flags = {
    output: Flags.option({
      char: 'o',
      options: CHECK_OUTPUTS,
      default: 'table' as const,
      description:
        'Output format: table, json or yaml (quorumctl/v1 CheckReport), nagios (plugin line and exit codes), prometheus (textfile collector) or junit.',
      helpGroup: 'OUTPUT',
    })(),
    json: Flags.boolean({ description: 'Same as --output json.', helpGroup: 'OUTPUT' }),
    window: Flags.string({
      default: '5s',
      description:
        'Time between the two readings (e.g. 5s, 30s, 1m); 0 takes one reading and skips the rules that need two.',
    }),
    'fail-on': Flags.option({
      options: ['warn', 'critical'] as const,
      default: 'critical' as const,
      description: 'Exit 1 when a finding is at least this severe (not with -o nagios).',
    })(),
    explain: Flags.string({
      description:
        'Print what rule ID checks (check or preflight), why, the source of its threshold and the fix; contacts no cluster.',
    }),
    ...targetFlags,
    ...globalFlags,
  };

  protected readonly outputKind = 'CheckReport' as const;

  async run(): Promise<void> {
    const { flags } = await this.parse(Check);
    const format: CheckOutput = flags.json ? 'json' : flags.output;
    if (flags.explain !== undefined) {
      await this.explain(flags.explain, format);
      return;
    }
    const windowMs = parseWindow(flags.window);
    const timeoutMs = parseDuration(flags.timeout, '--timeout');
    const report = await this.withAdapter(flags, (adapter) =>
      runCheck(adapter, {
        windowMs,
        failOn: flags['fail-on'],
        readCertificate: (endpoint) => readCertificate(endpoint, { timeoutMs }),
      }),
    );
    const exitCode = report.verdict === 'fail' ? ExitCode.findings : ExitCode.ok;
    switch (format) {
      case 'nagios': {
        process.stdout.write(renderNagios(report, CHECK_THRESHOLDS.etcd));
        const code = nagiosExitCode(nagiosState(report));
        if (code !== 0) this.exit(code);
        return;
      }
      case 'prometheus':
        process.stdout.write(renderPrometheus(report, new Date()));
        if (exitCode !== ExitCode.ok) this.exit(exitCode);
        return;
      case 'junit':
        process.stdout.write(
          renderJunit(checkFindingsView(report), `quorumctl.check.${report.kind}`),
        );
        if (exitCode !== ExitCode.ok) this.exit(exitCode);
        return;
      default:
        await this.emit<CheckReport>(format, report, renderCheckTable, exitCode);
    }
  }

  private async explain(id: string, format: CheckOutput): Promise<void> {
    const info = checkRuleInfo(id) ?? preflightRuleInfo(id);
    if (info === undefined) throw unknownRule(id);
    if (format === 'json' || format === 'yaml') {
      const { serializeEnvelope } = await import('../render/envelope.js');
      const { successEnvelope } = await import('../../core/schema.js');
      process.stdout.write(
        await serializeEnvelope(successEnvelope<RuleInfo>('RuleInfo', info, ExitCode.ok), format),
      );
      return;
    }
    process.stdout.write(renderRuleInfo(info));
  }

  /** Nagios and the textfile collector need their own shape of "the check could not run". */
  protected override async catch(error: Interfaces.CommandError): Promise<never> {
    if (error instanceof Errors.ExitError) throw error;
    const format = formatFromArgv(this.argv);
    if (format !== 'nagios' && format !== 'prometheus') return super.catch(error);
    const typed = isQuorumctlError(error)
      ? error
      : {
          code: error.oclif?.exit === ExitCode.usage ? 'USAGE' : 'INTERNAL',
          message: stripAnsi(error.message),
          exitCode: error.oclif?.exit === ExitCode.usage ? ExitCode.usage : ExitCode.internal,
        };
    process.stderr.write(`Error (${typed.code}): ${typed.message}\n`);
    if (format === 'nagios') {
      process.stdout.write(renderNagiosUnknown(typed.code, typed.message));
      this.exit(nagiosExitCode('UNKNOWN'));
    }
    process.stdout.write(renderPrometheusFailure({ cluster: clusterLabel(this.argv) }, typed.code));
    this.exit(typed.exitCode);
  }
}

/** `0`, `0s` and `0ms` mean no window; anything else is a duration. */
export function parseWindow(value: string): number {
  if (/^0(ms|s|m|h)?$/.test(value.trim())) return 0;
  return parseDuration(value, '--window');
}

function unknownRule(id: string): UsageError {
  return new UsageError('RULE_UNKNOWN', `no check or preflight rule is called "${id}"`, {
    actions: [
      'rule IDs look like ETCD-FSYNC-P99 or CLUSTER-NO-QUORUM (check) and ETCD-SIZE-1 (preflight)',
      'docs/checks.md lists every rule',
    ],
    details: { id },
  });
}

/** The format is read from argv: a parse error happens before flags exist. */
function formatFromArgv(argv: readonly string[]): CheckOutput | undefined {
  const value = outputValueFromArgv(argv);
  return value !== undefined && (CHECK_OUTPUTS as readonly string[]).includes(value)
    ? (value as CheckOutput)
    : undefined;
}

/** The cluster label of a failed run: the name it would have had (flags only). */
function clusterLabel(argv: readonly string[]): string {
  const valueOf = (long: string, short: string): string | undefined => {
    for (let index = 0; index < argv.length; index += 1) {
      const arg = argv[index] ?? '';
      if (arg.startsWith(`${long}=`)) return arg.slice(long.length + 1);
      if (arg === long || arg === short) return argv[index + 1];
    }
    return undefined;
  };
  const endpoints = valueOf('--endpoints', '-e');
  return (
    valueOf('--cluster', '-c') ??
    endpoints
      ?.split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
      .join(',') ??
    ''
  );
}
