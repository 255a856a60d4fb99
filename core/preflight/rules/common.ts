/** What the preflight rules share: their catalog shape, where findings point, value readers. */
import {
  findingOf,
  type Finding,
  type Rule,
  type RuleInfo,
  type SourceLocation,
} from '../../findings.js';
import type { AttributeValue, SystemKind } from '../../model.js';
import { baseName } from '../parsers/common.js';
import {
  settingOf,
  type ConfigSetting,
  type PlannedConfig,
  type PreflightFacts,
} from '../facts.js';

/** The research every threshold is quoted from (section 3: pre-deployment checks). */
export const REFERENCE = '../shared/reference/chaos-observability-checks.md';

export interface PreflightRule extends Rule<PreflightFacts> {
  /**
   * What the rule needs beyond one configuration; without it the rule is reported as
   * skipped rather than passed (JUnit, the table's rule count).
   */
  requires?: 'host' | 'several configs';
}

/** A preflight RuleInfo: scope and docs anchor follow from the ID. */
export function preflightRule(
  info: Omit<RuleInfo, 'scope' | 'docs'>,
  evaluate: (facts: PreflightFacts, info: RuleInfo) => Finding[],
  requires?: PreflightRule['requires'],
): PreflightRule {
  const full: RuleInfo = {
    ...info,
    scope: 'preflight',
    docs: `docs/preflight.md#${info.id.toLowerCase()}`,
  };
  return {
    info: full,
    evaluate: (facts) => evaluate(facts, full),
    ...(requires !== undefined && { requires }),
  };
}

export function configsOf(facts: PreflightFacts, kind: SystemKind): PlannedConfig[] {
  return facts.configs.filter((config) => config.kind === kind);
}

/** Who a finding concerns: the member when the file names it, else the file. */
export function subjectOf(config: PlannedConfig): string {
  return config.member ?? baseName(config.file);
}

/** The offending setting's line, else where the configuration starts (a missing setting). */
export function locationOf(config: PlannedConfig, entry?: ConfigSetting): SourceLocation {
  return entry?.location ?? config.origin ?? { file: config.file, line: 1, column: 1 };
}

/** A finding about one configuration, pointing at `entry` (or the configuration's start). */
export function configFinding(
  info: RuleInfo,
  config: PlannedConfig,
  entry: ConfigSetting | undefined,
  message: string,
  values: { observed?: AttributeValue; threshold?: AttributeValue } = {},
): Finding {
  return findingOf(info, message, {
    subject: subjectOf(config),
    location: locationOf(config, entry),
    ...values,
  });
}

/** A whole number setting, or `fallback` when absent or not a number. */
export function numberOf(config: PlannedConfig, key: string, fallback: number): number {
  const value = settingOf(config, key)?.value.trim();
  if (value === undefined || value === '') return fallback;
  const parsed = /^0[xX][0-9a-fA-F]+$/.test(value) ? parseInt(value, 16) : Number(value);
  return Number.isFinite(parsed) ? parsed : fallback;
}

/** Go/Java-style booleans: true, 1, t (any case); anything else is false. */
export function isTrue(value: string | undefined): boolean {
  return (
    value !== undefined && ['true', '1', 't', 'yes', 'on'].includes(value.trim().toLowerCase())
  );
}

export function formatBytes(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  if (gib >= 1) return `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`;
  const mib = bytes / 1024 ** 2;
  return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`;
}

/**
 * For settings that must be equal on every member: one finding per configuration when
 * they differ, each pointing at its own line and naming what the others have.
 */
export function disagreements(
  info: RuleInfo,
  configs: readonly PlannedConfig[],
  what: string,
  valueOf: (config: PlannedConfig) => { value: string; entry?: ConfigSetting | undefined },
): Finding[] {
  if (configs.length < 2) return [];
  const values = configs.map((config) => ({ config, ...valueOf(config) }));
  const distinct = new Set(values.map((item) => item.value));
  if (distinct.size < 2) return [];
  return values.map(({ config, value, entry }) => {
    const others = values
      .filter((other) => other.config !== config && other.value !== value)
      .map((other) => `${subjectOf(other.config)}: ${other.value}`);
    return configFinding(
      info,
      config,
      entry,
      `members disagree on ${what}: ${value} here; ${others.join('; ')}`,
      { observed: value },
    );
  });
}
