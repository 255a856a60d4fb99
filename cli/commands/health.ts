import { EXIT_CODE_HELP, ExitCode } from '../../core/exit-codes.js';
import { checkClusterHealth } from '../../ops/status.js';
import { QuorumctlCommand } from '../base-command.js';
import { globalFlags, outputFlags, targetFlags } from '../flags.js';
import { renderHealth } from '../render/health.js';

export default class Health extends QuorumctlCommand {
  static override summary =
    'One verdict for the cluster: ok, degraded or critical, with reasons and the quorum margin.';
  static override description = `Works the same for every kind (etcd, zookeeper, kraft, nats, tikv, cockroach, consul).

critical: no quorum, no leader, a NOSPACE or CORRUPT alarm, a database at 95% of its quota or more, or Raft groups without a leader (NATS streams and consumers, TiKV regions, CockroachDB ranges). degraded: a member unreachable, quorum margin 0, members disagreeing about the leader, a member lagging, a database at 80% of its quota, or under-replicated Raft groups.

Suitable for scripts and probes: exit 0 only when the verdict is ok.

${EXIT_CODE_HELP}`;

  static override examples = [
    { description: 'Health of the current context', command: '<%= config.bin %> health' },
    {
      description: 'Gate a deployment step on a healthy cluster',
      command: '<%= config.bin %> health --cluster prod && ./deploy.sh',
    },
    {
      description: 'A NATS JetStream cluster, through its monitoring port',
      command: '<%= config.bin %> health -e nats://127.0.0.1:8222',
    },
    {
      description: 'Machine-readable verdict',
      command: '<%= config.bin %> health -e etcd://127.0.0.1:2379 -o json',
    },
  ];

  static override flags = { ...outputFlags, ...targetFlags, ...globalFlags };

  protected readonly outputKind = 'HealthReport' as const;

  async run(): Promise<void> {
    const { flags } = await this.parse(Health);
    const report = await this.withAdapter(flags, (adapter) => checkClusterHealth(adapter));
    await this.emit(
      this.outputFormat(flags),
      report,
      renderHealth,
      report.verdict === 'ok' ? ExitCode.ok : ExitCode.findings,
    );
  }
}
