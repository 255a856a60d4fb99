/** Flags shared by commands, defined once: output, inventory, target, TLS, auth, timeout. */
import { Flags } from '@oclif/core';
import { SYSTEM_KINDS } from '../core/model.js';
import { kubeReachFlags } from './kube-flags.js';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const outputFlags = {
  output: Flags.option({
    char: 'o',
    options: OUTPUT_FORMATS,
    default: 'table' as OutputFormat,
    description:
      'Output format: a table for people, json or yaml (quorumctl/v1 envelope) for scripts.',
    helpGroup: 'OUTPUT',
  })(),
  json: Flags.boolean({ description: 'Same as --output json.', helpGroup: 'OUTPUT' }),
};

export const globalFlags = {
  config: Flags.string({
    description:
      'Inventory file. Default: $QUORUMCTL_CONFIG, then ~/.config/quorumctl/config.yaml.',
    helpGroup: 'GLOBAL',
  }),
  debug: Flags.boolean({
    description: 'Print stack traces and internal details on errors.',
    helpGroup: 'GLOBAL',
  }),
};

export const targetFlags = {
  cluster: Flags.string({
    char: 'c',
    description: 'Cluster name from the inventory. Default: the current context.',
    helpGroup: 'TARGET',
  }),
  endpoints: Flags.string({
    char: 'e',
    description:
      'Ad-hoc target instead of the inventory, e.g. etcd://127.0.0.1:2379,127.0.0.1:22379 (etcd+https:// for TLS).',
    helpGroup: 'TARGET',
  }),
  kind: Flags.option({
    options: SYSTEM_KINDS,
    description: 'System kind for plain http(s):// endpoints.',
    helpGroup: 'TARGET',
  })(),
  'monitor-urls': Flags.string({
    description:
      'HTTP monitoring URLs apart from the client port, comma-separated: ZooKeeper AdminServer (http://HOST:8080/commands) or Kafka JMX-exporter pages (http://HOST:PORT/metrics).',
    helpGroup: 'TARGET',
  }),
  timeout: Flags.string({
    default: '3s',
    description: 'Timeout for each network call (e.g. 500ms, 3s, 1m).',
    helpGroup: 'TARGET',
  }),
  cacert: Flags.string({
    description: 'CA bundle (PEM) to verify servers with.',
    helpGroup: 'TLS AND AUTH',
  }),
  cert: Flags.string({
    description: 'Client certificate (PEM).',
    helpGroup: 'TLS AND AUTH',
    dependsOn: ['key'],
  }),
  key: Flags.string({
    description: 'Client private key (PEM).',
    helpGroup: 'TLS AND AUTH',
    dependsOn: ['cert'],
  }),
  'insecure-skip-tls-verify': Flags.boolean({
    description: 'Do not verify server certificates (testing only).',
    helpGroup: 'TLS AND AUTH',
  }),
  user: Flags.string({ description: 'User name for authentication.', helpGroup: 'TLS AND AUTH' }),
  'password-env': Flags.string({
    description: 'Environment variable that holds the password (default QUORUMCTL_PASSWORD).',
    helpGroup: 'TLS AND AUTH',
  }),
  'token-env': Flags.string({
    description:
      'Environment variable that holds a bearer or ACL token (Consul: CONSUL_HTTP_TOKEN).',
    helpGroup: 'TLS AND AUTH',
  }),
  // Clusters discover --write found in Kubernetes are reached through its API.
  ...kubeReachFlags,
};
