/** One parser per configuration format, the kind each configures, and format detection. */
import { UsageError } from '../../errors.js';
import type { SystemKind } from '../../model.js';
import { CONFIG_FORMATS, type ConfigFormat, type PlannedConfig } from '../facts.js';
import { baseName } from './common.js';
import { parseEtcdFlags } from './etcd-flags.js';
import { parseEtcdYaml } from './etcd-yaml.js';
import { parseKubernetes } from './kubernetes.js';
import { parseNatsConf, type IncludeResolver } from './nats-conf.js';
import { parseServerProperties } from './server-properties.js';
import { parseZooCfg } from './zoo-cfg.js';

export interface ParseOptions {
  /** How nats-server `include` directives are read (the caller does the I/O). */
  resolveInclude?: IncludeResolver;
}

export const FORMAT_KINDS: Record<ConfigFormat, SystemKind> = {
  'etcd-flags': 'etcd',
  'etcd-yaml': 'etcd',
  kubernetes: 'etcd',
  'zoo.cfg': 'zookeeper',
  'server.properties': 'kraft',
  'nats-conf': 'nats',
};

/** Every parser is pure and throws only UsageError (PREFLIGHT_CONFIG_INVALID) on bad input. */
export function parseConfig(
  text: string,
  file: string,
  format: ConfigFormat,
  options: ParseOptions = {},
): PlannedConfig[] {
  switch (format) {
    case 'etcd-flags':
      return parseEtcdFlags(text, file);
    case 'etcd-yaml':
      return parseEtcdYaml(text, file);
    case 'kubernetes':
      return parseKubernetes(text, file);
    case 'zoo.cfg':
      return parseZooCfg(text, file);
    case 'server.properties':
      return parseServerProperties(text, file);
    case 'nats-conf':
      return parseNatsConf(text, file, options);
  }
}

/** Content signatures, most specific first; each is checked only when its kind is allowed. */
const CONTENT_SIGNATURES: readonly { format: ConfigFormat; pattern: RegExp }[] = [
  { format: 'kubernetes', pattern: /^apiVersion:\s*\S+/m },
  {
    format: 'server.properties',
    pattern: /^\s*(process\.roles|node\.id|controller\.quorum\.[a-z.]+|log\.dirs)\s*[=:]/m,
  },
  {
    format: 'zoo.cfg',
    pattern: /^\s*(tickTime|dataDir|initLimit|syncLimit|server\.\d+|dynamicConfigFile)\s*[=:]/m,
  },
  {
    format: 'etcd-flags',
    pattern: /(^|\s)--?[a-z][a-z0-9-]*(=|\s|$)|^\s*(export\s+)?ETCD_[A-Z_]+=/m,
  },
  {
    format: 'etcd-yaml',
    pattern:
      /^(data-dir|initial-cluster|initial-advertise-peer-urls|listen-client-urls|quota-backend-bytes):/m,
  },
  {
    format: 'nats-conf',
    pattern:
      /^\s*(jetstream|cluster|server_name|listen|port|http_port|accounts|authorization|leafnodes|gateway)(?![\w-])/m,
  },
];

/**
 * The format of a file, from its name first and then its content; `kind` narrows the
 * candidates. Undecidable files are a UsageError asking for --format.
 */
export function detectFormat(file: string, text: string, kind?: SystemKind): ConfigFormat {
  const allowed = CONFIG_FORMATS.filter(
    (format) => kind === undefined || FORMAT_KINDS[format] === kind,
  );
  const name = baseName(file).toLowerCase();
  const byName = ((): ConfigFormat | undefined => {
    if (name === 'zoo.cfg' || /^zoo\.cfg\.dynamic/.test(name)) return 'zoo.cfg';
    if (name.endsWith('.properties')) return 'server.properties';
    if (name.endsWith('.yaml') || name.endsWith('.yml') || name.endsWith('.json')) {
      return /^\s*(apiVersion|"apiVersion")\s*:/m.test(text) ? 'kubernetes' : 'etcd-yaml';
    }
    if (name.endsWith('.service') || name.endsWith('.sh') || name.endsWith('.env'))
      return 'etcd-flags';
    return undefined;
  })();
  if (byName !== undefined && allowed.includes(byName)) return byName;
  const byContent = CONTENT_SIGNATURES.find(
    ({ format, pattern }) => allowed.includes(format) && pattern.test(text),
  )?.format;
  if (byContent !== undefined) return byContent;
  throw new UsageError(
    'PREFLIGHT_FORMAT_UNKNOWN',
    `${file}: cannot tell which configuration format this is${kind === undefined ? '' : ` for ${kind}`}`,
    {
      actions: [
        `name it with --format (one of ${allowed.join(', ')})`,
        'or give the file its usual name: zoo.cfg, server.properties, *.yaml, *.service, *.conf',
      ],
      details: { file },
    },
  );
}

export type { IncludeResolver };
