import { Flags } from '@oclif/core';
import { parseDuration } from '../../core/duration.js';
import { EXIT_CODE_HELP } from '../../core/exit-codes.js';
import { successEnvelope, type OutputKind } from '../../core/schema.js';
import { readClusterStatus } from '../../ops/status.js';
import { QuorumctlCommand } from '../base-command.js';
import { globalFlags, outputFlags, targetFlags } from '../flags.js';
import { clusterDomainFlag, namespaceFlags } from '../kube-flags.js';
import { statusListExitCode } from '../../ops/status-all.js';
import { statusOfAll } from '../status-all.js';
import { serializeEnvelopeLine } from '../render/envelope.js';
import { renderStatus, renderStatusList } from '../render/status.js';

export default class Status extends QuorumctlCommand {
  static override summary =
    'Show who leads, at which term, how far each member lags and how full each database is.';
  static override description = `Reads every member of the cluster (one row each: name, endpoint, role, term, commit/applied index, lag in entries, db size, size in use, share of the quota, version, errors). A member that is down is shown as unreachable with the reason; the command still answers within --timeout.

The summary line gives the leader and the quorum margin: how many more voters may fail before the cluster loses quorum.

With --all, every cluster of the inventory is read at once (one section each); with --all and --kube-context (or --kubeconfig), every consensus cluster discovered in that Kubernetes context instead (all namespaces the credentials may list, or -n NAMESPACE), reached through port-forward, without writing the inventory (quorumctl discover --write does that). A cluster that cannot be read is shown with its error; the exit code is then 5 (some) or 3 (none answered).

Every kind has the same shape (docs/schema/cluster-status.v1.json). Columns no member fills are left out and system-specific facts get their own columns (ZooKeeper's zxid, KRaft's fetch times); Multi-Raft systems add a Raft group section (NATS streams and consumers, TiKV regions, CockroachDB ranges) with the worst groups by name.

ENDPOINTS PER KIND (add +https for TLS: etcd+https://HOST:2379)
  etcd://HOST:2379       a client URL; one member is enough
  zookeeper://HOST:2181  a client port (words srvr, mntr, conf)
  nats://HOST:8222       the HTTP monitoring port, not the client port
  kraft://HOST:9093      a controller listener
  tikv://HOST:2379       a PD endpoint
  cockroach://HOST:8080  the HTTP (DB Console) port
  consul://HOST:8500     the HTTP API (ACL token: --token-env)

${EXIT_CODE_HELP}`;

  static override examples = [
    { description: 'Status of the current context', command: '<%= config.bin %> status' },
    {
      description: 'An ad-hoc etcd cluster, as JSON',
      command: '<%= config.bin %> status --endpoints etcd://10.0.0.1:2379,10.0.0.2:2379 -o json',
    },
    {
      description: 'A ZooKeeper ensemble from any one server',
      command: '<%= config.bin %> status -e zookeeper://10.0.0.5:2181',
    },
    {
      description: 'A Kafka KRaft controller quorum',
      command: '<%= config.bin %> status -e kraft://10.0.0.7:9093',
    },
    {
      description: 'Every cluster of the inventory',
      command: '<%= config.bin %> status --all',
    },
    {
      description: 'Every etcd, ZooKeeper, KRaft and NATS cluster a Kubernetes context runs',
      command: '<%= config.bin %> status --all --kube-context prod',
    },
    {
      description: 'Refresh every 2 seconds',
      command: '<%= config.bin %> status --cluster prod --watch',
    },
    {
      description: 'TLS with a client certificate',
      command:
        '<%= config.bin %> status -e etcd+https://10.0.0.1:2379 --cacert ca.pem --cert client.pem --key client-key.pem',
    },
  ];

  static override flags = {
    ...outputFlags,
    ...targetFlags,
    ...globalFlags,
    watch: Flags.boolean({
      char: 'w',
      description: 'Refresh in place until interrupted (JSON Lines with -o json).',
    }),
    interval: Flags.string({ default: '2s', description: 'Refresh interval for --watch.' }),
    all: Flags.boolean({
      description:
        'Every cluster of the inventory; with --kube-context or --kubeconfig, every cluster discovered in that Kubernetes context.',
      exclusive: ['cluster', 'endpoints', 'watch'],
    }),
    ...namespaceFlags,
    ...clusterDomainFlag,
  };

  protected outputKind: OutputKind = 'ClusterStatus';

  async run(): Promise<void> {
    const { flags } = await this.parse(Status);
    const format = this.outputFormat(flags);
    if (flags.all) {
      this.outputKind = 'ClusterStatusList';
      const list = await statusOfAll(flags, parseDuration(flags.timeout, '--timeout'));
      await this.emit(format, list, renderStatusList, statusListExitCode(list));
      return;
    }
    if (!flags.watch) {
      const status = await this.withAdapter(flags, readClusterStatus);
      await this.emit(format, status, renderStatus);
      return;
    }
    const intervalMs = parseDuration(flags.interval, '--interval');
    const inPlace = format === 'table' && process.stdout.isTTY;
    await this.withAdapter(flags, async (adapter) => {
      for (;;) {
        const status = await readClusterStatus(adapter);
        if (format === 'json')
          process.stdout.write(serializeEnvelopeLine(successEnvelope('ClusterStatus', status, 0)));
        else if (format === 'yaml') await this.emit(format, status, renderStatus);
        else
          process.stdout.write(
            `${inPlace ? '\u001b[H\u001b[2J' : '\n'}${status.observedAt}\n${renderStatus(status)}`,
          );
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    });
  }
}
