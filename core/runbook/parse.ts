/**
 * Parses and validates a runbook YAML file. Every error names the file, line and column
 * of the offending node, so a malformed runbook is fixed in one look.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import { UsageError } from '../errors.js';
import type { SourceLocation } from '../findings.js';
import { SYSTEM_KINDS, type SystemKind } from '../model.js';
import {
  GATE_OPERATORS,
  PARAMETER_TYPES,
  type Gate,
  type GateOperator,
  type ParameterType,
  type ParameterValue,
  type Runbook,
  type RunbookParameter,
  type RunbookStep,
} from './model.js';

export class RunbookInvalidError extends UsageError {
  constructor(
    readonly location: SourceLocation,
    problem: string,
    action: string,
  ) {
    super('RUNBOOK_INVALID', `${location.file}:${location.line}:${location.column}: ${problem}`, {
      actions: [action, 'quorumctl runbook show NAME prints a valid runbook to start from'],
      details: { ...location },
    });
  }
}

export interface ParseOptions {
  /** Operation names the engine can run: an unknown one is an error at parse time. */
  operations: ReadonlySet<string>;
}

const STEP_ID = /^[a-z][a-z0-9-]*$/;
const STEP_KEYS = new Set(['id', 'name', 'run', 'with', 'require', 'confirm', 'shell']);
const TOP_KEYS = new Set([
  'apiVersion',
  'kind',
  'name',
  'description',
  'kinds',
  'parameters',
  'steps',
  'onFailure',
  'cleanup',
]);

export function parseRunbook(text: string, file: string, options: ParseOptions): Runbook {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (node: Node | null | undefined): SourceLocation => {
    const { line, col } = lineCounter.linePos(node?.range?.[0] ?? 0);
    return { file, line, column: col };
  };
  const fail = (node: Node | null | undefined, problem: string, action: string): never => {
    throw new RunbookInvalidError(at(node), problem, action);
  };
  const syntaxError = document.errors[0];
  if (syntaxError !== undefined) {
    const { line, col } = lineCounter.linePos(syntaxError.pos[0]);
    throw new RunbookInvalidError(
      { file, line, column: col },
      `YAML syntax error: ${syntaxError.message.split('\n')[0] ?? ''}`,
      'fix the YAML syntax (indentation, quotes, colons)',
    );
  }
  const root = document.contents;
  if (!isMap(root)) return fail(root, 'a runbook must be a mapping', 'start with `name:`');
  const fields = mapFields(root, TOP_KEYS, fail, 'top-level');

  const str = (key: string, node: Node | undefined, required: boolean): string | undefined => {
    if (node === undefined) {
      if (required) fail(root, `missing \`${key}\``, `add \`${key}:\``);
      return undefined;
    }
    if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') {
      return fail(node, `\`${key}\` must be a non-empty string`, `give \`${key}\` a text value`);
    }
    return node.value;
  };

  const apiVersion = str('apiVersion', fields.get('apiVersion'), false);
  if (apiVersion !== undefined && apiVersion !== 'quorumctl/v1') {
    fail(
      fields.get('apiVersion'),
      `unknown apiVersion "${apiVersion}"`,
      'use apiVersion: quorumctl/v1',
    );
  }
  const kindField = str('kind', fields.get('kind'), false);
  if (kindField !== undefined && kindField !== 'Runbook') {
    fail(fields.get('kind'), `kind must be Runbook, not "${kindField}"`, 'use kind: Runbook');
  }
  const name = str('name', fields.get('name'), true) ?? '';
  const description = str('description', fields.get('description'), true) ?? '';
  const kinds = parseKinds(fields.get('kinds'), fail);
  const parameters = parseParameters(fields.get('parameters'), at, fail);

  const seen = new Set<string>();
  const parseSteps = (node: Node | undefined, where: string): RunbookStep[] => {
    if (node === undefined) return [];
    if (!isSeq(node))
      return fail(node, `\`${where}\` must be a list of steps`, 'use `- id: ...` items');
    return node.items.map((item) => {
      const step = parseStep(item as Node, { at, fail, options, parameters });
      if (seen.has(step.id)) {
        fail(item as Node, `step id "${step.id}" is used twice`, 'give every step its own id');
      }
      seen.add(step.id);
      return step;
    });
  };
  const stepsNode = fields.get('steps');
  const steps = parseSteps(stepsNode, 'steps');
  if (steps.length === 0)
    fail(stepsNode ?? root, 'a runbook needs at least one step', 'add `steps:`');
  const cleanup = parseSteps(fields.get('cleanup'), 'cleanup');

  const onFailureNode = fields.get('onFailure');
  const onFailure = onFailureNode === undefined ? 'stop' : str('onFailure', onFailureNode, true);
  if (onFailure !== 'stop' && onFailure !== 'cleanup') {
    fail(
      onFailureNode,
      `onFailure must be "stop" or "cleanup", not "${onFailure}"`,
      'use onFailure: stop',
    );
  }
  if (onFailure === 'cleanup' && cleanup.length === 0) {
    fail(
      onFailureNode,
      'onFailure: cleanup needs a `cleanup:` list of steps',
      'add `cleanup:` steps',
    );
  }
  return {
    name,
    description,
    kinds,
    parameters,
    steps,
    onFailure: onFailure === 'cleanup' ? { action: 'cleanup', steps: cleanup } : { action: 'stop' },
    file,
  };
}

type Fail = (node: Node | null | undefined, problem: string, action: string) => never;

function mapFields(map: YAMLMap, allowed: ReadonlySet<string>, fail: Fail, where: string) {
  const fields = new Map<string, Node>();
  for (const pair of map.items) {
    const key = pair.key as Node | null;
    if (!isScalar(key) || typeof key.value !== 'string') {
      return fail(key, `${where} keys must be names`, 'use plain names as keys');
    }
    if (!allowed.has(key.value)) {
      return fail(
        key,
        `unknown ${where} key "${key.value}"`,
        `use one of: ${[...allowed].join(', ')}`,
      );
    }
    fields.set(key.value, pair.value as Node);
  }
  return fields;
}

function parseKinds(node: Node | undefined, fail: Fail): SystemKind[] {
  if (node === undefined) return [];
  if (!isSeq(node)) return fail(node, '`kinds` must be a list', 'e.g. kinds: [etcd]');
  return node.items.map((item) => {
    const value = isScalar(item) ? item.value : undefined;
    if (typeof value !== 'string' || !(SYSTEM_KINDS as readonly string[]).includes(value)) {
      return fail(
        item as Node,
        `unknown kind "${String(value)}"`,
        `use: ${SYSTEM_KINDS.join(', ')}`,
      );
    }
    return value as SystemKind;
  });
}

function parseParameters(
  node: Node | undefined,
  at: (node: Node | null | undefined) => SourceLocation,
  fail: Fail,
): RunbookParameter[] {
  if (node === undefined) return [];
  if (!isSeq(node)) return fail(node, '`parameters` must be a list', 'use `- name: ...` items');
  const names = new Set<string>();
  return node.items.map((item) => {
    if (!isMap(item))
      return fail(item as Node, 'a parameter must be a mapping', 'give name and type');
    const fields = mapFields(
      item,
      new Set(['name', 'type', 'description', 'default']),
      fail,
      'parameter',
    );
    const nameNode = fields.get('name');
    const name = isScalar(nameNode) ? nameNode.value : undefined;
    if (typeof name !== 'string' || !/^[a-zA-Z][a-zA-Z0-9]*$/.test(name)) {
      return fail(
        nameNode ?? item,
        'a parameter needs a camelCase `name`',
        'e.g. name: backupDest',
      );
    }
    if (names.has(name)) fail(nameNode, `parameter "${name}" is declared twice`, 'remove one');
    names.add(name);
    const typeNode = fields.get('type');
    const type: unknown = isScalar(typeNode) ? typeNode.value : 'string';
    if (!(PARAMETER_TYPES as readonly unknown[]).includes(type)) {
      fail(
        typeNode,
        `unknown parameter type "${String(type)}"`,
        `use: ${PARAMETER_TYPES.join(', ')}`,
      );
    }
    const descriptionNode = fields.get('description');
    const parameter: RunbookParameter = {
      name,
      type: type as ParameterType,
      description: isScalar(descriptionNode) ? String(descriptionNode.value) : '',
      location: at(item),
    };
    const defaultNode = fields.get('default');
    if (defaultNode !== undefined) {
      const value = isScalar(defaultNode) ? defaultNode.value : undefined;
      const coerced = coerceParameter(parameter, value);
      if (coerced === undefined) {
        fail(
          defaultNode,
          `default of "${name}" is not a ${parameter.type}`,
          `give a ${parameter.type} default`,
        );
      } else parameter.default = coerced;
    }
    return parameter;
  });
}

/** A value given for a parameter (from YAML or `--param k=v`) as its declared type. */
export function coerceParameter(
  parameter: Pick<RunbookParameter, 'type'>,
  value: unknown,
): ParameterValue | undefined {
  switch (parameter.type) {
    case 'number': {
      const number = typeof value === 'number' ? value : Number(value);
      return typeof value !== 'boolean' && value !== '' && Number.isFinite(number)
        ? number
        : undefined;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      return value === 'true' ? true : value === 'false' ? false : undefined;
    case 'duration':
      return typeof value === 'string' && /^\d+(\.\d+)?(ms|s|m|h)$/.test(value) ? value : undefined;
    case 'string':
      return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  }
}

interface StepContext {
  at: (node: Node | null | undefined) => SourceLocation;
  fail: Fail;
  options: ParseOptions;
  parameters: readonly RunbookParameter[];
}

function parseStep(node: Node, context: StepContext): RunbookStep {
  const { at, fail, options } = context;
  if (!isMap(node)) return fail(node, 'a step must be a mapping', 'give it an `id` and `run`');
  const fields = mapFields(node, STEP_KEYS, fail, 'step');
  const idNode = fields.get('id');
  const id = isScalar(idNode) ? idNode.value : undefined;
  if (typeof id !== 'string' || !STEP_ID.test(id)) {
    return fail(
      idNode ?? node,
      'a step needs an `id` in lower-case-with-dashes',
      'e.g. id: take-backup',
    );
  }
  const nameNode = fields.get('name');
  const base = {
    id,
    name: isScalar(nameNode) && typeof nameNode.value === 'string' ? nameNode.value : id,
    gates: parseGates(fields.get('require'), at, fail),
    location: at(node),
  };
  const actions = ['run', 'confirm', 'shell'].filter((key) => fields.has(key));
  if (actions.length > 1) {
    fail(
      node,
      `step "${id}" has ${actions.join(' and ')}: a step does one thing`,
      'split it in two steps',
    );
  }
  const runNode = fields.get('run');
  if (runNode !== undefined) {
    const operation = isScalar(runNode) ? runNode.value : undefined;
    if (typeof operation !== 'string' || !options.operations.has(operation)) {
      return fail(
        runNode,
        `unknown operation "${String(operation)}" in step "${id}"`,
        `use one of: ${[...options.operations].sort().join(', ')}`,
      );
    }
    const withNode = fields.get('with');
    if (withNode !== undefined && !isMap(withNode)) {
      fail(
        withNode,
        '`with` must be a mapping of argument names to values',
        'e.g. with: { member: n2 }',
      );
    }
    const args = (withNode?.toJSON() ?? {}) as Record<string, unknown>;
    checkTemplates(args, withNode ?? node, context, id);
    return { ...base, type: 'operation', operation, args };
  }
  if (fields.has('with')) fail(fields.get('with'), '`with` needs `run`', 'add `run: OPERATION`');
  const confirmNode = fields.get('confirm');
  if (confirmNode !== undefined) {
    if (!isScalar(confirmNode) || typeof confirmNode.value !== 'string') {
      return fail(confirmNode, '`confirm` must be the text to show', 'e.g. confirm: "Proceed?"');
    }
    return { ...base, type: 'confirm', text: confirmNode.value };
  }
  const shellNode = fields.get('shell');
  if (shellNode !== undefined) {
    if (!isScalar(shellNode) || typeof shellNode.value !== 'string') {
      return fail(
        shellNode,
        '`shell` must be a command line',
        'e.g. shell: "systemctl status etcd"',
      );
    }
    return { ...base, type: 'shell', command: shellNode.value };
  }
  if (base.gates.length === 0) {
    return fail(
      node,
      `step "${id}" does nothing`,
      'give it `run`, `confirm`, `shell` or `require`',
    );
  }
  return { ...base, type: 'gate' };
}

const GATE = new RegExp(
  `^\\s*([A-Za-z][A-Za-z0-9.]*)\\s*(${GATE_OPERATORS.map((op) => op.replace(/[<>=!]/g, (c) => `\\${c}`)).join('|')})\\s*(\\S.*?)\\s*$`,
);

function parseGates(
  node: Node | undefined,
  at: (node: Node | null | undefined) => SourceLocation,
  fail: Fail,
): Gate[] {
  if (node === undefined) return [];
  const items: Node[] = isSeq(node) ? (node.items as Node[]) : [node];
  return items.map((item) => {
    const expression = isScalar(item) ? item.value : undefined;
    const match = typeof expression === 'string' ? GATE.exec(expression) : null;
    if (typeof expression !== 'string' || match === null) {
      return fail(
        item,
        `cannot read the gate ${JSON.stringify(expression)}`,
        'write FACT OP VALUE, e.g. "health == ok" or "quorumMargin >= 1"',
      );
    }
    const [, fact = '', operator = '==', literal = ''] = match;
    return {
      expression,
      fact,
      operator: operator as GateOperator,
      value: literalValue(literal),
      location: at(item),
    };
  });
}

function literalValue(text: string): ParameterValue {
  const unquoted = /^(['"])(.*)\1$/.exec(text);
  if (unquoted !== null) return unquoted[2] ?? '';
  if (text === 'true' || text === 'false') return text === 'true';
  const number = Number(text);
  return Number.isFinite(number) ? number : text;
}

const TEMPLATE = /\{\{\s*([^}]*?)\s*\}\}/g;

/** Templates may name parameters, `cluster`, or outputs of earlier steps only. */
function checkTemplates(value: unknown, node: Node, context: StepContext, stepId: string): void {
  if (typeof value === 'string') {
    for (const [, reference = ''] of value.matchAll(TEMPLATE)) {
      const [root, name] = reference.split('.');
      const known =
        reference === 'cluster' ||
        (root === 'params' && context.parameters.some((parameter) => parameter.name === name)) ||
        (root === 'steps' && reference.split('.').length >= 3);
      if (!known) {
        context.fail(
          node,
          `step "${stepId}" refers to "{{ ${reference} }}", which is not a parameter, cluster or step output`,
          'declare it under `parameters:` or use {{ steps.ID.KEY }}',
        );
      }
    }
  } else if (Array.isArray(value)) {
    for (const item of value) checkTemplates(item, node, context, stepId);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) checkTemplates(item, node, context, stepId);
  }
}
