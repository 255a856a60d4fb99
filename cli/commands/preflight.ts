import { Args, Flags } from '@oclif/core';
import { EXIT_CODE_HELP, ExitCode } from '../../core/exit-codes.js';
import { CONFIG_FORMATS } from '../../core/preflight/facts.js';
import type { PreflightReport } from '../../core/preflight/report.js';
import { gatherHostFacts } from '../../ops/host/index.js';
import { runPreflight } from '../../ops/preflight.js';
import { QuorumctlCommand } from '../base-command.js';
import { globalFlags, OUTPUT_FORMATS } from '../flags.js';
import { preflightFindingsView, renderFindingsTable } from '../render/findings.js';
import { renderJunit } from '../render/findings-junit.js';
import { renderSarif } from '../render/findings-sarif.js';

const PREFLIGHT_OUTPUTS = [...OUTPUT_FORMATS, 'sarif', 'junit'] as const;
const PREFLIGHT_KINDS = ['etcd', 'zookeeper', 'kraft', 'nats'] as const;

export default class Preflight extends QuorumctlCommand {
  static override summary =
    'Check planned configuration files (and this host) against the pre-deployment checklist.';

  static override description = `Reads the configuration you are about to deploy and reports what the operations guides warn against, each finding at the file and line of the offending setting, with the threshold, its source and the fix. Nothing is contacted: run it in CI before a rollout.

Formats (detected from the file name and content; --format overrides):
  etcd-flags         a shell line, a systemd unit, flags or ETCD_* variables
  etcd-yaml          etcd's --config-file
  kubernetes         a static Pod, Pod or StatefulSet running etcd
  zoo.cfg            zoo.cfg, with its dynamic config file
  server.properties  Kafka KRaft server.properties
  nats-conf          nats-server configuration (includes are followed)

Give the files of every member of one cluster at once: rules that compare members (same timers, same server list) need them all.

With --host, facts of this host are checked too: fsync p99 of the data directory's filesystem, rotational disk, free space against the quota, swap, permissions of the data directory and the round trip to every peer.

Every rule is explained, with its source, in docs/preflight.md.

${EXIT_CODE_HELP}
  (1 here: a finding at least as severe as --fail-on; 2: a file cannot be read or parsed)`;

  static override examples = [
    {
      description: 'The three members of an etcd cluster, as systemd units',
      command: '<%= config.bin %> preflight etcd-1.service etcd-2.service etcd-3.service',
    },
    {
      description: 'A kubeadm static pod; fail the CI job on warnings too',
      command: '<%= config.bin %> preflight /etc/kubernetes/manifests/etcd.yaml --fail-on warn',
    },
    {
      description: 'zoo.cfg with its dynamic server list, as SARIF for code scanning',
      command:
        '<%= config.bin %> preflight conf/zoo.cfg conf/zoo.cfg.dynamic -o sarif > preflight.sarif',
    },
    {
      description: 'KRaft controllers as a JUnit report',
      command: '<%= config.bin %> preflight controller-*.properties -o junit > preflight.xml',
    },
    {
      description: "A file with an unusual name, and this host's disk",
      command:
        '<%= config.bin %> preflight deploy/nats.txt --format nats-conf --host --data-dir /var/lib/nats',
    },
  ];

  static override strict = false;

  static override args = {
    files: Args.string({
      required: true,
      description: 'Configuration files of the members of one cluster (several allowed).',
    }),
  };

  static override flags = {
    output: Flags.option({
      char: 'o',
      options: PREFLIGHT_OUTPUTS,
      default: 'table' as const,
      description:
        'Output format: a table for people, json or yaml (quorumctl/v1 PreflightReport), sarif (2.1.0, for code scanning) or junit (XML, for CI).',
      helpGroup: 'OUTPUT',
    })(),
    json: Flags.boolean({ description: 'Same as --output json.', helpGroup: 'OUTPUT' }),
    format: Flags.option({
      options: CONFIG_FORMATS,
      description: 'Read every file in this format instead of detecting it.',
    })(),
    kind: Flags.option({
      options: PREFLIGHT_KINDS,
      description: 'The system the files configure (narrows format detection).',
    })(),
    'fail-on': Flags.option({
      options: ['warn', 'critical'] as const,
      default: 'critical' as const,
      description: 'Exit 1 when a finding is at least this severe.',
    })(),
    host: Flags.boolean({
      description:
        'Also check this host: fsync p99, disk type, free space, swap, data-dir permissions, peer RTT.',
    }),
    'data-dir': Flags.string({
      description:
        'The data directory to probe with --host (default: the one in the configuration).',
      dependsOn: ['host'],
    }),
    debug: globalFlags.debug,
  };

  protected readonly outputKind = 'PreflightReport' as const;

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Preflight);
    const report = await runPreflight({
      files: argv as string[],
      failOn: flags['fail-on'],
      ...(flags.format !== undefined && { format: flags.format }),
      ...(flags.kind !== undefined && { kind: flags.kind }),
      ...(flags['data-dir'] !== undefined && { dataDir: flags['data-dir'] }),
      // The data dir and peers come from the configuration (or --data-dir); fio when installed.
      ...(flags.host && {
        probeHost: (targets: { dataDir: string; peers: string[] }) =>
          gatherHostFacts({ dataDir: targets.dataDir, peers: targets.peers }),
      }),
    });
    const exitCode = report.verdict === 'fail' ? ExitCode.findings : ExitCode.ok;
    const format = flags.json ? 'json' : flags.output;
    if (format === 'sarif' || format === 'junit') {
      const view = preflightFindingsView(report);
      process.stdout.write(
        format === 'sarif'
          ? renderSarif(view, { name: 'quorumctl', version: this.config.version })
          : renderJunit(view, `quorumctl.preflight.${report.kind}`),
      );
      if (exitCode !== ExitCode.ok) this.exit(exitCode);
      return;
    }
    await this.emit<PreflightReport>(
      format,
      report,
      (result) => renderFindingsTable(preflightFindingsView(result)),
      exitCode,
    );
  }
}
