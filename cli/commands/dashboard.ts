import { Flags } from '@oclif/core';
import { parseDuration } from '../../core/duration.js';
import { EXIT_CODE_HELP } from '../../core/exit-codes.js';
import type { PollOutcome } from '../../core/dashboard/store.js';
import { successEnvelope } from '../../core/schema.js';
import { DashboardSession } from '../../ops/dashboard/session.js';
import { locateInventory } from '../../ops/inventory-location.js';
import { QuorumctlCommand } from '../base-command.js';
import { dashboardSources } from '../dashboard-sources.js';
import { globalFlags, outputFlags, type OutputFormat } from '../flags.js';
import { serializeEnvelope, serializeEnvelopeLine } from '../render/envelope.js';
import { watchLine } from '../render/watch-line.js';

export default class Dashboard extends QuorumctlCommand {
  static override summary =
    'Every cluster at a glance, live in the terminal: leaders, lag, latency, quota, leader changes.';

  static override description = `A terminal dashboard over the inventory's clusters. The cluster list shows each cluster's kind, leader, term, quorum margin (healthy/total voters) and its worst finding, coloured by health; below it the selected cluster's members (role, term, index, lag, db size against quota, reachability), charts of commit and WAL fsync p99 per member and of commits/proposals per second, the leader timeline with changes marked, a term churn sparkline, the Multi-Raft group summary (NATS streams, TiKV regions) and a log of findings and events (leader changes, members lost and back).

Each cluster is polled concurrently every --interval with its own --timeout: a slow or dead cluster is shown unreachable (critical) and never holds up the others or the screen. Clusters whose inventory entry names agents are read from the agents' /metrics and /events instead (--direct polls them anyway).

KEYS
  up/down, k/j   select a cluster or member; scroll the log
  tab, left/right  move between the cluster list, member table and log
  enter          on a cluster: its members; on a member: focus it (detail box, charts)
  c              run the quick check rules on the selected cluster now
  ?              help          q, Ctrl-C   quit (the terminal is restored)

LAYOUT
  120x36 and larger: every panel. 100x30: tables, leader timeline, commit p99 and rate charts, log. 60x15: cluster list, member table and log only. Smaller: a message. The layout follows the terminal when it is resized. No mouse is needed (SSH, tmux).

WITHOUT A TERMINAL
  When stdout is not a TTY, one line per cluster per refresh is printed instead (as 'status --watch' does), and -o json prints one HealthReport envelope per cluster per refresh (JSON Lines); --count ends after that many refreshes.

${EXIT_CODE_HELP}`;

  static override examples = [
    { description: 'Every cluster of the inventory', command: '<%= config.bin %> dashboard --all' },
    {
      description: 'Two clusters, refreshed every 2 seconds',
      command: '<%= config.bin %> dashboard -c prod-etcd -c prod-zk --interval 2s',
    },
    {
      description: 'The local sandboxes, read directly even where agents are configured',
      command: '<%= config.bin %> dashboard --all --direct',
    },
    {
      description: 'Ten refreshes as plain lines, e.g. into a log file',
      command: '<%= config.bin %> dashboard --all --count 10 > dashboard.log',
    },
    {
      description: 'Health of every cluster as JSON Lines, once',
      command: '<%= config.bin %> dashboard --all --count 1 -o json',
    },
  ];

  static override flags = {
    ...outputFlags,
    ...globalFlags,
    cluster: Flags.string({
      char: 'c',
      multiple: true,
      description: 'Cluster from the inventory (repeat for more). Default: the current context.',
      helpGroup: 'TARGET',
    }),
    all: Flags.boolean({
      description: 'Every cluster of the inventory.',
      helpGroup: 'TARGET',
    }),
    direct: Flags.boolean({
      description: 'Poll every cluster through its adapter, even where the inventory names agents.',
      helpGroup: 'TARGET',
    }),
    interval: Flags.string({ default: '1s', description: 'Refresh interval.' }),
    timeout: Flags.string({
      default: '800ms',
      description: 'Deadline of one poll of one cluster (and of each network call in it).',
      helpGroup: 'TARGET',
    }),
    count: Flags.integer({
      min: 0,
      default: 0,
      description:
        'Without a terminal or with -o json|yaml: stop after this many refreshes (0: until interrupted).',
    }),
  };

  protected readonly outputKind = 'HealthReport' as const;

  async run(): Promise<void> {
    const { flags } = await this.parse(Dashboard);
    const format = this.outputFormat(flags);
    const intervalMs = parseDuration(flags.interval, '--interval');
    const timeoutMs = parseDuration(flags.timeout, '--timeout');
    const stopping = new AbortController();
    const { sources, agentEvents } = await dashboardSources({
      clusters: flags.cluster ?? [],
      all: flags.all,
      direct: flags.direct,
      inventory: locateInventory(flags.config),
      timeoutMs,
      signal: stopping.signal,
    });
    const session = new DashboardSession(sources, { intervalMs, timeoutMs, agentEvents });
    try {
      if (format === 'table' && process.stdout.isTTY && process.stdin.isTTY) {
        // Loaded only here: blessed is not needed for line output.
        const { runTui } = await import('../../dashboards/tui/app.js');
        await runTui({ session, intervalMs });
      } else {
        await this.streamLines(session, format, flags.count);
      }
    } finally {
      stopping.abort();
      await session.stop();
    }
  }

  /** Line output: a watch line (or an envelope) per cluster per refresh. */
  private async streamLines(
    session: DashboardSession,
    format: OutputFormat,
    count: number,
  ): Promise<void> {
    const polls = new Map<string, number>();
    await new Promise<void>((resolve) => {
      const stop = () => {
        resolve();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      session.onChange((outcome?: PollOutcome) => {
        if (outcome === undefined) return;
        void this.printOutcome(session, outcome, format);
        polls.set(outcome.cluster, (polls.get(outcome.cluster) ?? 0) + 1);
        const done =
          count > 0 && session.clusterNames.every((name) => (polls.get(name) ?? 0) >= count);
        if (done) {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        }
      });
      session.start();
    });
  }

  private async printOutcome(
    session: DashboardSession,
    outcome: PollOutcome,
    format: OutputFormat,
  ): Promise<void> {
    const track = session.store.cluster(outcome.cluster);
    const health = track?.health;
    if (health === undefined) return;
    if (format === 'json') {
      process.stdout.write(serializeEnvelopeLine(successEnvelope('HealthReport', health, 0)));
      return;
    }
    if (format === 'yaml') {
      process.stdout.write(
        `---\n${await serializeEnvelope(successEnvelope('HealthReport', health, 0), 'yaml')}`,
      );
      return;
    }
    const worst =
      health.reasons.find((reason) => reason.severity === 'critical') ?? health.reasons[0];
    process.stdout.write(
      watchLine({
        at: new Date(outcome.atMs).toISOString(),
        cluster: outcome.cluster,
        kind: outcome.kind,
        ...(outcome.ok ? { status: outcome.status } : { error: outcome.error }),
        verdict: health.verdict,
        // Unreachable: the summary already says why.
        ...(outcome.ok && worst !== undefined && { reason: worst.message }),
      }),
    );
  }
}
