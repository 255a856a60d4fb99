import { Args, Flags, type Interfaces } from '@oclif/core';
import { parseDuration } from '../../core/duration.js';
import { UsageError } from '../../core/errors.js';
import { EXIT_CODE_HELP, ExitCode } from '../../core/exit-codes.js';
import { CONFIG_FORMATS } from '../../core/preflight/facts.js';
import type { PreflightReport } from '../../core/preflight/report.js';
import { gatherHostFacts } from '../../ops/host/index.js';
import { locateInventory } from '../../ops/inventory-location.js';
import { runPreflight } from '../../ops/preflight.js';
import {
  inventorySelection,
  runClusterPreflight,
  type ClusterManifestSelection,
} from '../../ops/preflight-cluster.js';
import { openKubernetes } from '../../systems/kubernetes/index.js';
import { QuorumctlCommand } from '../base-command.js';
import { globalFlags, OUTPUT_FORMATS } from '../flags.js';
import { kubeConnectOptions, kubeFlags } from '../kube-flags.js';
import { preflightFindingsView, renderFindingsTable } from '../render/findings.js';
import { renderJunit } from '../render/findings-junit.js';
import { renderSarif } from '../render/findings-sarif.js';

const PREFLIGHT_OUTPUTS = [...OUTPUT_FORMATS, 'sarif', 'junit'] as const;
const PREFLIGHT_KINDS = ['etcd', 'zookeeper', 'kraft', 'nats'] as const;

type PreflightFlags = Interfaces.InferredFlags<typeof Preflight.flags>;

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

With --from-cluster, the manifests are read from a Kubernetes cluster instead of files: --control-plane reads every etcd static pod of kube-system (component=etcd), -n NS --statefulset NAME a StatefulSet, -n NS --pod NAME pods (repeat --pod for every member), --cluster NAME the workload "discover --write" recorded. etcd is read from the pod spec (flags, ETCD_* variables); ZooKeeper, KRaft and NATS from the zoo.cfg, server.properties or nats.conf of a ConfigMap the pods mount. Findings point at sources such as cluster:CONTEXT/kube-system/pod/etcd-cp1:24:5, a line of the object as "kubectl get -o yaml" lays it out (keys sorted, managedFields left out), or cluster:CONTEXT/NS/configmap/NAME/zoo.cfg:8:1, a line of that key. Needs the "preflight" role of docs/kubernetes-rbac.md (exit 7 names a missing permission); an object that does not exist exits 2. docs/kubernetes-backup-preflight.md has the details.

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
      description: "The control plane's etcd of a kubeadm cluster, every member",
      command: '<%= config.bin %> preflight --from-cluster --kube-context prod --control-plane',
    },
    {
      description: 'A ZooKeeper StatefulSet whose zoo.cfg is in a ConfigMap',
      command: '<%= config.bin %> preflight --from-cluster -n data --statefulset zk -o sarif',
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
      required: false,
      description:
        'Configuration files of the members of one cluster (several allowed; required without --from-cluster).',
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
    'from-cluster': Flags.boolean({
      description:
        'Read the manifests from a Kubernetes cluster instead of files (with --control-plane, --statefulset, --pod or --cluster).',
      helpGroup: 'KUBERNETES',
      exclusive: ['host', 'format'],
    }),
    ...kubeFlags,
    'control-plane': Flags.boolean({
      description: "The control plane's etcd: every static pod component=etcd in kube-system.",
      helpGroup: 'KUBERNETES',
      dependsOn: ['from-cluster'],
    }),
    statefulset: Flags.string({
      description: 'A StatefulSet of the namespace.',
      helpGroup: 'KUBERNETES',
      dependsOn: ['from-cluster'],
    }),
    pod: Flags.string({
      description: 'A pod of the namespace (repeat for every member).',
      helpGroup: 'KUBERNETES',
      multiple: true,
      dependsOn: ['from-cluster'],
    }),
    cluster: Flags.string({
      char: 'c',
      description: 'A cluster of the inventory that discover --write found in Kubernetes.',
      helpGroup: 'KUBERNETES',
      dependsOn: ['from-cluster'],
    }),
    namespace: Flags.string({
      char: 'n',
      description: "Namespace of --statefulset or --pod (default: the context's namespace).",
      helpGroup: 'KUBERNETES',
      dependsOn: ['from-cluster'],
    }),
    timeout: Flags.string({
      default: '10s',
      description: 'Budget of each Kubernetes API call (e.g. 5s, 1m).',
      helpGroup: 'KUBERNETES',
    }),
    config: globalFlags.config,
  };

  protected readonly outputKind = 'PreflightReport' as const;

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Preflight);
    const files = argv as string[];
    const report = flags['from-cluster']
      ? await this.fromCluster(flags, files)
      : await this.fromFiles(flags, files);
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

  private async fromFiles(flags: PreflightFlags, files: string[]): Promise<PreflightReport> {
    if (files.length === 0) {
      throw new UsageError(
        'USAGE',
        'Missing 1 required arg:\nfiles  Configuration files of the members of one cluster (several allowed).',
        {
          actions: [
            'see --help for the flags and examples',
            'or read the manifests from Kubernetes: --from-cluster --control-plane',
          ],
        },
      );
    }
    return runPreflight({
      files,
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
  }

  /** --from-cluster: which workload, through which context; the API is closed afterwards. */
  private async fromCluster(flags: PreflightFlags, files: string[]): Promise<PreflightReport> {
    if (files.length > 0) {
      throw new UsageError(
        'USAGE',
        `--from-cluster reads the manifests from Kubernetes: drop the files (${files.join(', ')})`,
        { actions: ['either preflight FILE... or preflight --from-cluster ...'] },
      );
    }
    const chosen = [
      flags['control-plane'] && '--control-plane',
      flags.statefulset !== undefined && '--statefulset',
      (flags.pod ?? []).length > 0 && '--pod',
      flags.cluster !== undefined && '--cluster',
    ].filter((name): name is string => typeof name === 'string');
    if (chosen.length !== 1) {
      throw new UsageError(
        'USAGE',
        chosen.length === 0
          ? '--from-cluster needs what to read: --control-plane, --statefulset NAME, --pod NAME or --cluster NAME'
          : `--from-cluster reads one workload: ${chosen.join(' and ')} name several`,
        {
          actions: [
            'quorumctl preflight --from-cluster --control-plane',
            'quorumctl preflight --from-cluster -n NS --statefulset NAME',
          ],
        },
      );
    }
    if (flags.namespace !== undefined && (flags['control-plane'] || flags.cluster !== undefined)) {
      throw new UsageError(
        'USAGE',
        `-n/--namespace goes with --statefulset or --pod: ${chosen[0] ?? ''} knows its namespace`,
        { actions: ['drop -n'] },
      );
    }
    const fromInventory =
      flags.cluster === undefined
        ? undefined
        : await inventorySelection(locateInventory(flags.config), flags.cluster);
    const api = await openKubernetes(
      kubeConnectOptions(flags, parseDuration(flags.timeout, '--timeout'), {
        context: fromInventory?.context,
      }),
    );
    try {
      const namespace = flags.namespace ?? api.defaultNamespace;
      const selection: ClusterManifestSelection =
        fromInventory?.selection ??
        (flags['control-plane']
          ? { controlPlane: true }
          : flags.statefulset !== undefined
            ? { namespace, statefulSet: flags.statefulset }
            : { namespace, pods: flags.pod ?? [] });
      return await runClusterPreflight({
        api,
        selection,
        failOn: flags['fail-on'],
        ...(flags.kind !== undefined && { kind: flags.kind }),
      });
    } finally {
      await api.close();
    }
  }
}
