/**
 * Kubernetes manifests running etcd (a kubeadm static pod, a Pod, a StatefulSet, ...): the
 * etcd container's command, args and ETCD_* env, each setting at its line in the YAML.
 */
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  Scalar,
  type Node,
  type YAMLMap,
} from 'yaml';
import type { SourceLocation } from '../../findings.js';
import type { ConfigSetting, PlannedConfig } from '../facts.js';
import { baseName, configInvalid, scalarText, setting } from './common.js';
import {
  etcdSettingsFromArguments,
  etcdSettingsFromScript,
  validateEtcdSetting,
} from './etcd-flags.js';

/** Workload kinds whose pod template is at spec.template. */
const TEMPLATED_KINDS = new Set([
  'StatefulSet',
  'Deployment',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'ReplicationController',
]);

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash']);

export function parseKubernetes(text: string, file: string): PlannedConfig[] {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const locate = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const at = (node: Node | null | undefined): SourceLocation => locate(node?.range?.[0] ?? 0);
  const fail = (node: Node | null | undefined, problem: string, fix?: string): never => {
    throw configInvalid('kubernetes', at(node), problem, fix);
  };
  const documents = Array.isArray(parsed) ? parsed : [];
  const configs: PlannedConfig[] = [];

  const get = (map: YAMLMap, key: string): Node | undefined => {
    const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key);
    return (pair?.value ?? undefined) as Node | undefined;
  };
  const text_ = (node: Node | undefined): string | undefined =>
    isScalar(node) && node.value !== null ? scalarText(node.value) : undefined;

  const visitContainer = (container: Node, workload: string, metadataName: string | undefined) => {
    if (!isMap(container)) return fail(container, 'a container must be a mapping');
    const command = get(container, 'command');
    const args = get(container, 'args');
    for (const [name, node] of [
      ['command', command],
      ['args', args],
    ] as const) {
      if (node !== undefined && !isSeq(node)) fail(node, `the container's ${name} must be a list`);
    }
    const words = (node: Node | undefined) =>
      isSeq(node)
        ? node.items.map((item) => {
            const itemNode = item as Node;
            if (!isScalar(itemNode)) fail(itemNode, 'command and args hold strings only');
            return {
              value: text_(itemNode) ?? '',
              location: at(itemNode),
              node: itemNode as Scalar,
            };
          })
        : [];
    const commandWords = words(command);
    const argWords = words(args);
    const name = text_(get(container, 'name'));
    const image = text_(get(container, 'image')) ?? '';
    const binary = commandWords[0] === undefined ? undefined : baseName(commandWords[0].value);
    const runsEtcd =
      name === 'etcd' ||
      binary === 'etcd' ||
      (commandWords.length === 0 && /(^|\/)etcd[^/]*(:|$)/.test(image));
    if (!runsEtcd) return;

    const settings: ConfigSetting[] = [];
    const env = get(container, 'env');
    if (isSeq(env)) {
      for (const item of env.items) {
        if (!isMap(item)) continue;
        const variable = text_(get(item, 'name'));
        const value = text_(get(item, 'value'));
        if (variable?.startsWith('ETCD_') !== true || value === undefined) continue;
        const entry = setting(
          variable.slice(5).toLowerCase().replace(/_/g, '-'),
          value,
          at(get(item, 'name')),
        );
        validateEtcdSetting('kubernetes', entry);
        settings.push(entry);
      }
    }
    const everything = [...commandWords, ...argWords];
    const scriptAt =
      binary !== undefined && SHELLS.has(binary)
        ? everything.findIndex((word, index) => index > 0 && !word.value.startsWith('-'))
        : -1;
    // Only `sh -c SCRIPT` carries the command line; `sh start.sh` hides it in another file.
    const script = everything
      .slice(1, Math.max(scriptAt, 1))
      .some((word) => /^-[a-z]*c[a-z]*$/.test(word.value))
      ? scriptAt
      : -1;
    if (script >= 0) {
      // sh -c "exec etcd --name $(HOSTNAME) ...": read the script as a shell line.
      const scriptWord = everything[script];
      if (scriptWord !== undefined) {
        settings.push(
          ...etcdSettingsFromScript(scriptWord.value, 'kubernetes', scriptLocator(scriptWord.node)),
        );
      }
    } else {
      const vector =
        binary === 'etcd' ? everything.slice(1) : commandWords.length > 0 ? [] : argWords;
      if (binary !== 'etcd' && commandWords.length > 0 && binary !== undefined) {
        fail(
          command,
          `the etcd container runs ${JSON.stringify(commandWords[0]?.value)}: its etcd flags are not in this file`,
          'run etcd as the command (command: [etcd, --name=...]) or as sh -c "exec etcd ..."',
        );
      }
      settings.push(...etcdSettingsFromArguments(vector, 'kubernetes'));
    }
    const member = [...settings].reverse().find((entry) => entry.key === 'name')?.value;
    configs.push({
      kind: 'etcd',
      format: 'kubernetes',
      file,
      member:
        member !== undefined && !member.includes('$')
          ? member
          : `${workload}/${metadataName ?? 'unnamed'}`,
      origin: at(container),
      settings,
    });
  };

  /** Maps an offset inside a script string back to the file: exact for `|` blocks. */
  const scriptLocator = (node: Scalar) => {
    const start = node.range?.[0] ?? 0;
    const origin = locate(start);
    if (node.type === Scalar.BLOCK_LITERAL) {
      const firstLine = text.indexOf('\n', start) + 1;
      const indent = /^ */.exec(text.slice(firstLine))?.[0].length ?? 0;
      return (offset: number): SourceLocation => {
        const before = scalarText(node.value).slice(0, offset);
        const lines = before.split('\n');
        const column = (lines[lines.length - 1]?.length ?? 0) + indent + 1;
        return { file, line: origin.line + lines.length, column };
      };
    }
    const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
    const value = scalarText(node.value);
    return (offset: number): SourceLocation =>
      value.includes('\n')
        ? origin
        : { ...origin, column: origin.column + offset + (quoted ? 1 : 0) };
  };

  const visitWorkload = (root: Node) => {
    if (!isMap(root)) return;
    const kind = text_(get(root, 'kind'));
    const metadata = get(root, 'metadata');
    const metadataName = isMap(metadata) ? text_(get(metadata, 'name')) : undefined;
    if (kind === 'List') {
      const items = get(root, 'items');
      if (isSeq(items)) for (const item of items.items) visitWorkload(item as Node);
      return;
    }
    let podSpec: Node | undefined;
    if (kind === 'Pod') podSpec = get(root, 'spec');
    else if (kind !== undefined && TEMPLATED_KINDS.has(kind)) {
      const spec = get(root, 'spec');
      const template = isMap(spec) ? get(spec, 'template') : undefined;
      podSpec = isMap(template) ? get(template, 'spec') : undefined;
    }
    if (!isMap(podSpec)) return;
    const containers = get(podSpec, 'containers');
    if (containers !== undefined && !isSeq(containers))
      fail(containers, 'spec.containers must be a list');
    for (const container of isSeq(containers) ? containers.items : [])
      visitContainer(container as Node, kind ?? 'Pod', metadataName);
  };

  for (const document of documents) {
    const syntaxError = document.errors[0];
    if (syntaxError !== undefined) {
      throw configInvalid(
        'kubernetes',
        locate(syntaxError.pos[0]),
        `YAML syntax error: ${syntaxError.message.split('\n')[0] ?? ''}`,
      );
    }
    visitWorkload(document.contents as Node);
  }
  if (configs.length === 0) {
    throw configInvalid(
      'kubernetes',
      { file, line: 1, column: 1 },
      'no etcd container found in any Pod, StatefulSet or other workload of this file',
      'preflight reads the container named etcd, or the one whose command is etcd',
    );
  }
  return configs;
}
