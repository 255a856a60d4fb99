import { Args, Flags } from '@oclif/core';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { locateInventory } from '../../../ops/inventory-location.js';
import { addCluster } from '../../../ops/inventory.js';
import {
  defaultStateDir,
  sandboxTarget,
  sandboxUp,
  type SandboxRecord,
} from '../../../sandbox/index.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags } from '../../flags.js';
import { sandboxContextName, stateDirFlag } from '../../sandbox-flags.js';

export default class SandboxUp extends QuorumctlCommand {
  static override summary =
    'Start a local cluster of real servers on loopback and make it the current context.';
  static override description = `Starts etcd (1, 3 or 5 members), ZooKeeper (3 or 5 servers, dynamic reconfig on) or nats-server with JetStream (3 or 5 servers) on free loopback ports below 32768, waits until the cluster has a leader, and registers it in the inventory as the context "sandbox-NAME". Data and logs live under the state directory, never in your working tree. The servers keep running until "quorumctl sandbox down NAME".

Needs the Debian packages etcd-server, zookeeper and nats-server.

With --netns each member runs in its own network namespace (qctl-NAME-HASH-nK) with a private address on a bridge the sandbox creates (qbr-HASH, 10.213.N.1/24): members listen on 10.213.N.1K, the CLI reaches them through the bridge, and "quorumctl chaos inject" can partition them with iptables rules inside the namespaces. Needs root, iproute2 and iptables. "sandbox down" removes the namespaces, veths and the bridge.

${EXIT_CODE_HELP}`;

  static override examples = [
    {
      description: 'A 3-member etcd cluster named "local"',
      command: '<%= config.bin %> sandbox up',
    },
    { description: 'Five etcd members', command: '<%= config.bin %> sandbox up big --members 5' },
    {
      description: 'ZooKeeper ensemble',
      command: '<%= config.bin %> sandbox up zk --kind zookeeper',
    },
    {
      description: 'Members in their own network namespaces, ready for partition drills (root)',
      command: '<%= config.bin %> sandbox up chaos --netns',
    },
  ];

  static override args = {
    name: Args.string({
      default: 'local',
      description: 'Sandbox name ([a-z0-9-], up to 32 characters).',
    }),
  };

  static override flags = {
    ...outputFlags,
    ...globalFlags,
    ...stateDirFlag,
    kind: Flags.option({
      options: ['etcd', 'zookeeper', 'nats'] as const,
      default: 'etcd' as const,
      description: 'Which servers to run.',
    })(),
    members: Flags.integer({
      description: 'Number of members (etcd: 1, 3 or 5; ZooKeeper and NATS: 3 or 5).',
      default: 3,
    }),
    'ready-timeout': Flags.integer({ description: 'Seconds to wait for a leader.', default: 60 }),
    'no-context': Flags.boolean({ description: 'Do not register the sandbox in the inventory.' }),
    netns: Flags.boolean({
      description:
        'Run each member in its own network namespace on a private bridge (needed for partition, latency and loss faults; root only).',
    }),
  };

  protected readonly outputKind = 'Sandbox' as const;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SandboxUp);
    const record = await sandboxUp({
      stateDir: flags['state-dir'] ?? defaultStateDir(),
      name: args.name,
      kind: flags.kind,
      members: flags.members,
      readyTimeoutMs: flags['ready-timeout'] * 1000,
      netns: flags.netns,
      onProgress: (message) => process.stderr.write(`${message}\n`),
    });
    if (!flags['no-context']) {
      const location = locateInventory(flags.config);
      await addCluster(
        location,
        {
          name: sandboxContextName(record.name),
          kind: record.kind,
          ...sandboxTarget(record),
          sandbox: record.name,
        },
        true,
      );
      process.stderr.write(
        `registered context "${sandboxContextName(record.name)}" in ${location.path} (now current)\n`,
      );
    }
    await this.emit(this.outputFormat(flags), record, renderRecord);
  }
}

function renderRecord(record: SandboxRecord): string {
  const members = record.members.map(
    (member) =>
      `  ${member.name}  pid ${member.pid}  ${member.clientUrl}${member.netns === undefined ? '' : `  netns ${member.netns}`}  log ${member.logFile}`,
  );
  return [
    `sandbox "${record.name}": ${record.kind} ${record.version}, ${record.members.length} members, state ${record.dir}`,
    ...members,
    '',
  ].join('\n');
}
