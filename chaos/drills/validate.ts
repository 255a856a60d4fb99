/**
 * Checks a scenario document (plain data, as parsed from YAML) field by field and turns it
 * into a DrillScenario with defaults filled in; every problem names the path it is at.
 */
import { parseDuration } from '../../core/duration.js';
import { FAULT_KINDS_NEEDING_NETNS, SCENARIO_FAULT_KINDS } from './fault-kinds.js';
import {
  DEFAULT_WORKLOAD,
  DRILL_KINDS,
  DURING_ACTIONS,
  LEADER_CHANGE_EXPECTATIONS,
  PARTITION_SHAPES,
  SCENARIO_REQUIREMENTS,
  TARGET_ROLES,
  type DrillExpectations,
  type DrillScenario,
  type ScenarioFault,
  type TargetSelection,
  type WorkloadSpec,
} from './scenario.js';

export type ProblemPath = (string | number)[];

export interface ScenarioProblem {
  path: ProblemPath;
  message: string;
}

export const SCENARIO_KEYS = [
  'name',
  'description',
  'kinds',
  'minMembers',
  'requires',
  'target',
  'fault',
  'duration',
  'warmup',
  'settle',
  'during',
  'workload',
  'expectations',
] as const;
const TARGET_KEYS = ['role', 'members', 'withLeader'];
const FAULT_KEYS = ['kind', 'shape', 'latency', 'lossPercent'];
const WORKLOAD_KEYS = ['clients', 'keys', 'mix', 'think', 'opTimeout'];
const MIX_KEYS = ['read', 'write', 'cas'];
const EXPECTATION_KEYS = [
  'leaderChange',
  'maxTimeToNewLeader',
  'lostWrites',
  'linearizable',
  'maxRecovery',
];
const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

type Fields = Record<string, unknown>;

/** Problems are collected, not thrown: an operator fixes a file in one pass. */
export function validateScenario(
  raw: unknown,
  source: string,
): { scenario?: DrillScenario; problems: ScenarioProblem[] } {
  const problems: ScenarioProblem[] = [];
  const report = (path: ProblemPath, message: string) => problems.push({ path, message });
  if (!isFields(raw)) {
    report([], 'a scenario must be a mapping with name, kinds, target, fault and duration');
    return { problems };
  }
  unknownKeys(raw, SCENARIO_KEYS, [], report);

  const name = requiredString(raw, 'name', [], report);
  if (name !== undefined && !NAME_PATTERN.test(name))
    report(['name'], 'name must be lower case letters, digits and "-" (e.g. kill-leader)');
  const description = requiredString(raw, 'description', [], report);
  const kinds = enumList(raw.kinds, DRILL_KINDS, ['kinds'], report, true);
  const minMembers = integer(raw.minMembers, ['minMembers'], report, 1, 9) ?? 3;
  const requires = enumList(raw.requires, SCENARIO_REQUIREMENTS, ['requires'], report, false);
  const target = targetOf(raw.target, report);
  const fault = faultOf(raw.fault, report);
  const durationMs = duration(raw.duration, ['duration'], report, true);
  const warmupMs = duration(raw.warmup, ['warmup'], report, false) ?? 2000;
  const settleMs = duration(raw.settle, ['settle'], report, false) ?? 3000;
  const during =
    raw.during === undefined
      ? undefined
      : enumValue(raw.during, DURING_ACTIONS, ['during'], report);
  const workload = workloadOf(raw.workload, report);
  const expectations = expectationsOf(raw.expectations, report);

  if (target?.role === 'members' && target.members === undefined)
    report(['target', 'members'], 'role "members" needs a list of member names (n1, n2, ...)');
  if (fault?.shape === 'bridge' && minMembers < 5)
    report(['minMembers'], 'a bridge partition needs at least 5 members: set minMembers: 5');
  if (fault?.kind === 'partition' && target?.role === 'each')
    report(['target', 'role'], 'a partition cannot be applied to each member in turn');

  if (
    problems.length > 0 ||
    name === undefined ||
    description === undefined ||
    kinds === undefined ||
    target === undefined ||
    fault === undefined ||
    durationMs === undefined ||
    workload === undefined ||
    expectations === undefined
  )
    return { problems };
  const needs = new Set(requires ?? []);
  // A partition is iptables rules inside member namespaces: no namespaces, no partition.
  if (FAULT_KINDS_NEEDING_NETNS.includes(fault.kind)) needs.add('netns');
  if (during === 'add-member') needs.add('membership');
  const scenario: DrillScenario = {
    name,
    description,
    kinds,
    minMembers,
    requires: SCENARIO_REQUIREMENTS.filter((requirement) => needs.has(requirement)),
    target,
    fault,
    durationMs,
    warmupMs,
    settleMs,
    workload,
    expectations,
    source,
  };
  if (during !== undefined) scenario.during = during;
  return { scenario, problems };
}

type Report = (path: ProblemPath, message: string) => void;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownKeys(
  fields: Fields,
  allowed: readonly string[],
  path: ProblemPath,
  report: Report,
): void {
  for (const key of Object.keys(fields)) {
    if (!allowed.includes(key))
      report([...path, key], `unknown key "${key}" (allowed: ${allowed.join(', ')})`);
  }
}

function requiredString(
  fields: Fields,
  key: string,
  path: ProblemPath,
  report: Report,
): string | undefined {
  const value = fields[key];
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  report(
    [...path, key],
    `"${key}" must be a non-empty string${value === undefined ? ' and is missing' : ''}`,
  );
  return undefined;
}

function enumValue<T extends string>(
  value: unknown,
  allowed: readonly T[],
  path: ProblemPath,
  report: Report,
): T | undefined {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
    return value as T;
  report(path, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value) ?? 'nothing'}`);
  return undefined;
}

function enumList<T extends string>(
  value: unknown,
  allowed: readonly T[],
  path: ProblemPath,
  report: Report,
  required: boolean,
): T[] | undefined {
  if (value === undefined) {
    if (required) report(path, `a list of ${allowed.join(', ')} is required`);
    return required ? undefined : [];
  }
  if (!Array.isArray(value) || (required && value.length === 0)) {
    report(path, `must be a ${required ? 'non-empty ' : ''}list of ${allowed.join(', ')}`);
    return undefined;
  }
  const items = value.map((item, index) => enumValue(item, allowed, [...path, index], report));
  return items.every((item) => item !== undefined) ? [...new Set(items)] : undefined;
}

function integer(
  value: unknown,
  path: ProblemPath,
  report: Report,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)
    return value;
  report(path, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return undefined;
}

function boolean(value: unknown, path: ProblemPath, report: Report): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  report(path, `must be true or false, got ${JSON.stringify(value)}`);
  return undefined;
}

/** Durations are written with a unit (500ms, 5s, 1m), like every duration flag. */
function duration(
  value: unknown,
  path: ProblemPath,
  report: Report,
  required: boolean,
): number | undefined {
  if (value === undefined) {
    if (required) report(path, 'a duration such as 5s is required');
    return undefined;
  }
  try {
    if (typeof value !== 'string') throw new Error('not a string');
    return parseDuration(value, String(path[path.length - 1]));
  } catch {
    report(path, `must be a duration with a unit (500ms, 5s, 2m), got ${JSON.stringify(value)}`);
    return undefined;
  }
}

function targetOf(value: unknown, report: Report): TargetSelection | undefined {
  const path = ['target'];
  if (typeof value === 'string') {
    const role = enumValue(value, TARGET_ROLES, path, report);
    return role === undefined ? undefined : { role };
  }
  if (!isFields(value)) {
    report(path, `must be a role (${TARGET_ROLES.join(', ')}) or a mapping with "role"`);
    return undefined;
  }
  unknownKeys(value, TARGET_KEYS, path, report);
  const role = enumValue(value.role, TARGET_ROLES, [...path, 'role'], report);
  if (role === undefined) return undefined;
  const target: TargetSelection = { role };
  if (value.members !== undefined) {
    const members = value.members;
    if (
      !Array.isArray(members) ||
      members.length === 0 ||
      !members.every((member) => typeof member === 'string' && member !== '')
    )
      report([...path, 'members'], 'must be a non-empty list of member names');
    else target.members = members as string[];
  }
  const withLeader = boolean(value.withLeader, [...path, 'withLeader'], report);
  if (withLeader !== undefined) target.withLeader = withLeader;
  return target;
}

function faultOf(value: unknown, report: Report): ScenarioFault | undefined {
  const path = ['fault'];
  if (typeof value === 'string') {
    const kind = enumValue(value, SCENARIO_FAULT_KINDS, path, report);
    return kind === undefined ? undefined : { kind };
  }
  if (!isFields(value)) {
    report(
      path,
      `must be a fault kind (${SCENARIO_FAULT_KINDS.join(', ')}) or a mapping with "kind"`,
    );
    return undefined;
  }
  unknownKeys(value, FAULT_KEYS, path, report);
  const kind = enumValue(value.kind, SCENARIO_FAULT_KINDS, [...path, 'kind'], report);
  if (kind === undefined) return undefined;
  const fault: ScenarioFault = { kind };
  if (value.shape !== undefined) {
    const shape = enumValue(value.shape, PARTITION_SHAPES, [...path, 'shape'], report);
    if (shape !== undefined) fault.shape = shape;
    if (kind !== 'partition') report([...path, 'shape'], 'only a partition has a shape');
  }
  const latencyMs = duration(value.latency, [...path, 'latency'], report, kind === 'latency');
  if (latencyMs !== undefined) fault.latencyMs = latencyMs;
  const lossPercent = integer(value.lossPercent, [...path, 'lossPercent'], report, 1, 100);
  if (kind === 'loss' && lossPercent === undefined && value.lossPercent === undefined)
    report([...path, 'lossPercent'], 'a loss fault needs lossPercent (1-100)');
  if (lossPercent !== undefined) fault.lossPercent = lossPercent;
  return fault;
}

function workloadOf(value: unknown, report: Report): WorkloadSpec | undefined {
  const path = ['workload'];
  if (value === undefined) return { ...DEFAULT_WORKLOAD, mix: { ...DEFAULT_WORKLOAD.mix } };
  if (!isFields(value)) {
    report(path, 'must be a mapping (clients, keys, mix, think, opTimeout)');
    return undefined;
  }
  unknownKeys(value, WORKLOAD_KEYS, path, report);
  const workload: WorkloadSpec = { ...DEFAULT_WORKLOAD, mix: { ...DEFAULT_WORKLOAD.mix } };
  workload.clients =
    integer(value.clients, [...path, 'clients'], report, 1, 64) ?? workload.clients;
  workload.keys = integer(value.keys, [...path, 'keys'], report, 1, 100) ?? workload.keys;
  // No pause at all is a valid think time: the clients then run flat out.
  workload.thinkMs =
    typeof value.think === 'string' && /^0(ms|s)?$/.test(value.think.trim())
      ? 0
      : (duration(value.think, [...path, 'think'], report, false) ?? workload.thinkMs);
  workload.opTimeoutMs =
    duration(value.opTimeout, [...path, 'opTimeout'], report, false) ?? workload.opTimeoutMs;
  if (value.mix !== undefined) {
    if (!isFields(value.mix))
      report([...path, 'mix'], 'must be a mapping of read, write, cas weights');
    else {
      unknownKeys(value.mix, MIX_KEYS, [...path, 'mix'], report);
      const weight = (key: 'read' | 'write' | 'cas') =>
        integer((value.mix as Fields)[key], [...path, 'mix', key], report, 0, 1000) ?? 0;
      workload.mix = { read: weight('read'), write: weight('write'), cas: weight('cas') };
      if (workload.mix.write + workload.mix.cas === 0)
        report(
          [...path, 'mix'],
          'the mix needs writes or compare-and-swaps: nothing could be lost',
        );
    }
  }
  return workload;
}

function expectationsOf(value: unknown, report: Report): DrillExpectations | undefined {
  const path = ['expectations'];
  const expectations: DrillExpectations = {
    leaderChange: 'allowed',
    maxLostWrites: 0,
    linearizable: true,
  };
  if (value === undefined) return expectations;
  if (!isFields(value)) {
    report(path, `must be a mapping (${EXPECTATION_KEYS.join(', ')})`);
    return undefined;
  }
  unknownKeys(value, EXPECTATION_KEYS, path, report);
  if (value.leaderChange !== undefined) {
    const change = enumValue(
      value.leaderChange,
      LEADER_CHANGE_EXPECTATIONS,
      [...path, 'leaderChange'],
      report,
    );
    if (change !== undefined) expectations.leaderChange = change;
  }
  const maxTime = duration(
    value.maxTimeToNewLeader,
    [...path, 'maxTimeToNewLeader'],
    report,
    false,
  );
  if (maxTime !== undefined) expectations.maxTimeToNewLeaderMs = maxTime;
  const maxRecovery = duration(value.maxRecovery, [...path, 'maxRecovery'], report, false);
  if (maxRecovery !== undefined) expectations.maxRecoveryMs = maxRecovery;
  expectations.maxLostWrites =
    integer(value.lostWrites, [...path, 'lostWrites'], report, 0, 1_000_000) ?? 0;
  expectations.linearizable =
    boolean(value.linearizable, [...path, 'linearizable'], report) ?? true;
  return expectations;
}
