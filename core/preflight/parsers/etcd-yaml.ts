/** etcd's --config-file YAML: top-level keys are flag names; the two TLS blocks map to flags. */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { SourceLocation } from '../../findings.js';
import type { ConfigSetting, PlannedConfig } from '../facts.js';
import { configInvalid, scalarText, setting } from './common.js';
import { validateEtcdSetting } from './etcd-flags.js';

/** In the config file TLS settings are nested; as flags, peer ones carry a `peer-` prefix. */
const TLS_BLOCKS: Record<string, string> = {
  'client-transport-security': '',
  'peer-transport-security': 'peer-',
};

export function parseEtcdYaml(text: string, file: string): PlannedConfig[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: false,
    // etcd reads its file with go-yaml v2 (YAML 1.1): `yes` and `on` are booleans there.
    version: '1.1',
  });
  const locate = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const syntaxError = document.errors[0];
  if (syntaxError !== undefined) {
    throw configInvalid(
      'etcd-yaml',
      locate(syntaxError.pos[0]),
      `YAML syntax error: ${syntaxError.message.split('\n')[0] ?? ''}`,
    );
  }
  const root = document.contents;
  if (!isMap(root)) {
    throw configInvalid(
      'etcd-yaml',
      locate(root?.range?.[0] ?? 0),
      'the etcd config file must be a mapping of flag names to values',
    );
  }
  const settings: ConfigSetting[] = [];
  const add = (key: string, valueNode: unknown, keyNode: Node) => {
    const entry = setting(key, valueText(valueNode, keyNode, key), locate(keyNode.range?.[0] ?? 0));
    validateEtcdSetting('etcd-yaml', entry);
    settings.push(entry);
  };
  const valueText = (valueNode: unknown, keyNode: Node, key: string): string => {
    if (valueNode === null || valueNode === undefined) return '';
    if (isScalar(valueNode)) return scalarText(valueNode.value);
    if (isSeq(valueNode)) {
      // Lists (cipher-suites, log-outputs) are comma-joined, as their flag forms are.
      return valueNode.items
        .map((item) => valueText(item, keyNode, key))
        .filter((item) => item !== '')
        .join(',');
    }
    throw configInvalid(
      'etcd-yaml',
      locate((valueNode as Node).range?.[0] ?? keyNode.range?.[0] ?? 0),
      `${key} must be a single value or a list, not a mapping`,
    );
  };
  for (const pair of root.items) {
    const keyNode = pair.key as Node | null;
    if (!isScalar(keyNode) || keyNode.value === null) {
      throw configInvalid('etcd-yaml', locate(keyNode?.range?.[0] ?? 0), 'keys must be flag names');
    }
    const key = scalarText(keyNode.value);
    const prefix = TLS_BLOCKS[key];
    if (prefix !== undefined && isMap(pair.value)) {
      for (const inner of pair.value.items) {
        const innerKey = inner.key as Node | null;
        if (!isScalar(innerKey) || innerKey.value === null) {
          throw configInvalid('etcd-yaml', locate(innerKey?.range?.[0] ?? 0), 'keys must be names');
        }
        add(`${prefix}${scalarText(innerKey.value)}`, inner.value, innerKey);
      }
    } else if (isMap(pair.value)) {
      // Other nested blocks (e.g. a future feature-gates map) keep their dotted path.
      for (const inner of pair.value.items) {
        const innerKey = inner.key as Node | null;
        if (!isScalar(innerKey) || innerKey.value === null) {
          throw configInvalid('etcd-yaml', locate(innerKey?.range?.[0] ?? 0), 'keys must be names');
        }
        add(`${key}.${scalarText(innerKey.value)}`, inner.value, innerKey);
      }
    } else add(key, pair.value, keyNode);
  }
  if (settings.length === 0) {
    throw configInvalid('etcd-yaml', { file, line: 1, column: 1 }, 'the etcd config file is empty');
  }
  const name = [...settings].reverse().find((entry) => entry.key === 'name')?.value;
  return [
    {
      kind: 'etcd',
      format: 'etcd-yaml',
      file,
      ...(name !== undefined && { member: name }),
      settings,
    },
  ];
}
