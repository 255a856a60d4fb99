import { Flags } from '@oclif/core';
import { join } from 'node:path';
import { watchBackupState } from '../../../agent/backup-state.js';
import { createAgent, parseListenAddress } from '../../../agent/index.js';
import { scheduleStateFileName } from '../../../core/backup/schedule-state.js';
import { defaultStateDir } from '../../../sandbox/index.js';
import { parseDuration } from '../../../core/duration.js';
import { UsageError } from '../../../core/errors.js';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { openTarget } from '../../kubernetes-reach.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, targetFlags } from '../../flags.js';

export default class AgentStart extends QuorumctlCommand {
  static override summary =
    'Run the node agent: normalized Prometheus metrics, health and cluster events for one cluster.';
  static override description = `Polls the cluster (the usual target flags: --cluster, --endpoints, ...) at a jittered interval, one poll at a time, each with a timeout, and serves:

  /metrics  the quorum_* metrics of the catalog (docs/metrics.md) plus process metrics
  /healthz  the agent's own state as JSON (200 while it runs, even when the cluster is down)
  /events   server-sent events: leader-change, leader-lost, term-change, member-unreachable,
            member-back, alarm-raised, alarm-cleared, cluster-unreachable, cluster-back

A poll that fails sets quorum_up to 0; the agent keeps serving and recovers by itself. It binds to loopback unless --listen says otherwise; with --agent-token-env, /events requires "Authorization: Bearer <token>". SIGINT or SIGTERM stop it cleanly. See docs/agent.md.

${EXIT_CODE_HELP}`;

  static override examples = [
    {
      description: 'Beside an etcd member, on the default 127.0.0.1:9464',
      command: '<%= config.bin %> agent start -e etcd://127.0.0.1:2379',
    },
    {
      description: 'A ZooKeeper ensemble from the inventory, polled every 10 s',
      command: '<%= config.bin %> agent start --cluster zk-prod --interval 10s',
    },
    {
      description: 'Reachable from Prometheus on another host, events behind a token',
      command:
        'AGENT_TOKEN=s3cret <%= config.bin %> agent start -c prod --listen 0.0.0.0:9464 --agent-token-env AGENT_TOKEN',
    },
    {
      description: 'With the fsync probe on the data directory and the server process memory',
      command:
        '<%= config.bin %> agent start -e etcd://127.0.0.1:2379 --probe-fsync /var/lib/etcd --node-pid "$(pidof etcd)"',
    },
  ];

  static override flags = {
    ...targetFlags,
    ...globalFlags,
    listen: Flags.string({
      default: '127.0.0.1:9464',
      description: 'HOST:PORT to serve on (port 0: any free port).',
      helpGroup: 'AGENT',
    }),
    interval: Flags.string({
      default: '5s',
      description: 'Poll interval (jittered by ±10%).',
      helpGroup: 'AGENT',
    }),
    'poll-timeout': Flags.string({
      description:
        'A poll taking longer counts as failed. Default: twice the interval, at least 2s. Each call gets at most 40% of it (and --timeout).',
      helpGroup: 'AGENT',
    }),
    'agent-token-env': Flags.string({
      description:
        'Environment variable holding the bearer token that /events requires (--token-env is the cluster’s own token).',
      helpGroup: 'AGENT',
    }),
    'probe-fsync': Flags.string({
      description:
        "The node's data directory: measure fdatasync latency there every --probe-interval (at most 460 kB or 1 s each) and export its filesystem space.",
      helpGroup: 'AGENT',
    }),
    'probe-interval': Flags.string({
      default: '60s',
      description: 'How often the fsync probe runs.',
      helpGroup: 'AGENT',
    }),
    'backup-state': Flags.string({
      description: `The backup state file that feeds quorum_backup_age_seconds (default: <state dir>/${scheduleStateFileName('CLUSTER')}, written by backup schedule and backup create --record-state).`,
      helpGroup: 'AGENT',
    }),
    'node-pid': Flags.integer({
      description: 'PID of the consensus server beside the agent: export its resident memory.',
      helpGroup: 'AGENT',
      min: 1,
    }),
  };

  // The agent prints no result document; this kind only labels error envelopes.
  protected readonly outputKind = 'HealthReport' as const;

  async run(): Promise<void> {
    const { flags } = await this.parse(AgentStart);
    const intervalMs = parseDuration(flags.interval, '--interval');
    const listen = parseListenAddress(flags.listen);
    const token = readToken(flags['agent-token-env']);
    // Tunnels (a cluster in Kubernetes) stay open for the agent's life; released at the end.
    const { target, options, release } = await openTarget(flags);
    const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
    const agent = createAgent({
      target,
      connect: options,
      intervalMs,
      listen,
      log,
      ...(flags['poll-timeout'] !== undefined && {
        pollTimeoutMs: parseDuration(flags['poll-timeout'], '--poll-timeout'),
      }),
      ...(token !== undefined && { token }),
      ...(flags['probe-fsync'] !== undefined && {
        probeFsyncDirectory: flags['probe-fsync'],
        probeFsyncIntervalMs: parseDuration(flags['probe-interval'], '--probe-interval'),
      }),
      ...(flags['node-pid'] !== undefined && { nodePid: flags['node-pid'] }),
    });
    await agent.start().catch((cause: unknown) => {
      throw new UsageError(
        'LISTEN_FAILED',
        `cannot listen on ${flags.listen}: ${(cause as Error).message}`,
        {
          actions: ['pick a free port with --listen HOST:PORT (port 0 picks one)'],
          cause,
        },
      );
    });
    const backupState = watchBackupState(
      flags['backup-state'] ?? join(defaultStateDir(), scheduleStateFileName(target.name)),
      intervalMs,
      (completedAt) => {
        agent.setLastBackupCompletedAt(completedAt);
      },
    );
    const bound = agent.address;
    log(
      `agent for ${target.name} (${target.kind}) on http://${bound === undefined ? flags.listen : `${bound.host.includes(':') ? `[${bound.host}]` : bound.host}:${bound.port}`} (/metrics, /healthz, /events), polling every ${flags.interval}`,
    );
    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        log(`${signal}: stopping`);
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    backupState.stop();
    await agent.close();
    await release();
  }
}

function readToken(envName: string | undefined): string | undefined {
  if (envName === undefined) return undefined;
  const token = process.env[envName];
  if (token === undefined || token === '') {
    throw new UsageError(
      'SECRET_ENV_MISSING',
      `the agent token is read from $${envName}, which is not set`,
      { actions: [`export ${envName}=... before starting the agent`] },
    );
  }
  return token;
}
