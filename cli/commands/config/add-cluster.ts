import { Args, Flags } from '@oclif/core';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import type { InventoryCluster } from '../../../core/inventory.js';
import { SYSTEM_KINDS } from '../../../core/model.js';
import { parseEndpoints } from '../../../core/targets.js';
import { locateInventory } from '../../../ops/inventory-location.js';
import { addCluster } from '../../../ops/inventory.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags } from '../../flags.js';

export default class ConfigAddCluster extends QuorumctlCommand {
  static override summary =
    'Add a cluster to the inventory, or replace the one with the same name.';
  static override description = `TLS material and passwords are stored by reference: file paths for --cacert/--cert/--key, and the NAME of the environment variable that holds the password (--password-env), never the secret itself.

${EXIT_CODE_HELP}`;

  static override examples = [
    '<%= config.bin %> config add-cluster prod-etcd --kind etcd --endpoints https://10.0.0.1:2379,https://10.0.0.2:2379 --cacert /etc/etcd/ca.pem --use',
    '<%= config.bin %> config add-cluster staging --endpoints etcd://10.1.0.1:2379 --user root --password-env STAGING_ETCD_PASSWORD',
  ];

  static override args = {
    name: Args.string({ required: true, description: 'Name for the cluster.' }),
  };

  static override flags = {
    ...outputFlags,
    ...globalFlags,
    kind: Flags.option({
      options: SYSTEM_KINDS,
      description: 'System kind (needed for plain http(s):// endpoints).',
    })(),
    endpoints: Flags.string({
      char: 'e',
      required: true,
      description: 'Client endpoints, comma-separated.',
    }),
    cacert: Flags.string({ description: 'Path of the CA bundle (PEM).' }),
    cert: Flags.string({
      description: 'Path of the client certificate (PEM).',
      dependsOn: ['key'],
    }),
    key: Flags.string({ description: 'Path of the client key (PEM).', dependsOn: ['cert'] }),
    user: Flags.string({ description: 'User name for authentication.' }),
    'password-env': Flags.string({ description: 'Environment variable holding the password.' }),
    'token-env': Flags.string({
      description: 'Environment variable holding a bearer or ACL token (e.g. CONSUL_HTTP_TOKEN).',
    }),
    'monitor-urls': Flags.string({
      description:
        'HTTP monitoring URLs apart from the client port, comma-separated: ZooKeeper AdminServer (http://HOST:8080/commands) or Kafka JMX-exporter pages (http://HOST:PORT/metrics).',
    }),
    agents: Flags.string({ description: 'quorumctl agent URLs, comma-separated.' }),
    use: Flags.boolean({ description: 'Also make it the current context.' }),
  };

  protected readonly outputKind = 'Inventory' as const;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ConfigAddCluster);
    const { kind, endpoints } = parseEndpoints(flags.endpoints, flags.kind);
    const cluster: InventoryCluster = { name: args.name, kind, endpoints };
    if (flags.cacert !== undefined || flags.cert !== undefined) {
      cluster.tls = {
        ...(flags.cacert !== undefined && { ca: flags.cacert }),
        ...(flags.cert !== undefined && { cert: flags.cert }),
        ...(flags.key !== undefined && { key: flags.key }),
      };
    }
    if (flags.user !== undefined || flags['token-env'] !== undefined) {
      cluster.auth = {
        ...(flags.user !== undefined && { username: flags.user }),
        ...(flags['password-env'] !== undefined && { passwordEnv: flags['password-env'] }),
        ...(flags['token-env'] !== undefined && { tokenEnv: flags['token-env'] }),
      };
    }
    if (flags['monitor-urls'] !== undefined) cluster.monitorUrls = splitList(flags['monitor-urls']);
    if (flags.agents !== undefined) cluster.agents = splitList(flags.agents);
    const location = locateInventory(flags.config);
    const view = await addCluster(location, cluster, flags.use);
    await this.emit(
      this.outputFormat(flags),
      view,
      () =>
        `added cluster "${args.name}" (${kind}, ${endpoints.length} endpoints) to ${location.path}\n`,
    );
  }
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
