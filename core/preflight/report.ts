/** The PreflightReport: which files were read, which rules ran, what they found, the verdict. */
import { UsageError } from '../errors.js';
import {
  countFindings,
  evaluateRules,
  failsOn,
  type Finding,
  type FindingCounts,
  type Severity,
} from '../findings.js';
import type { SystemKind } from '../model.js';
import type { ConfigFormat, HostFacts, PreflightFacts } from './facts.js';
import { PREFLIGHT_RULES, type PreflightRule } from './rules/index.js';

export type FailOn = Exclude<Severity, 'info'>;

export interface PreflightFileSummary {
  file: string;
  format: ConfigFormat;
  member?: string;
  /** How many settings were read (a quick sanity check that the right file was parsed). */
  settings: number;
}

export interface PreflightRuleResult {
  id: string;
  severity: Severity;
  title: string;
  outcome: 'pass' | 'fail' | 'skipped';
  /** Why a rule did not run, e.g. "needs --host". */
  skippedBecause?: string;
}

export interface PreflightReport {
  kind: SystemKind;
  files: PreflightFileSummary[];
  host?: HostFacts;
  /** Every rule that applies to `kind`, with its outcome. */
  rules: PreflightRuleResult[];
  /** Worst first, then by rule ID and subject. */
  findings: Finding[];
  counts: FindingCounts;
  failOn: FailOn;
  /** `fail` when a finding is at least as severe as `failOn` (exit 1). */
  verdict: 'pass' | 'fail';
}

function skipReason(rule: PreflightRule, facts: PreflightFacts): string | undefined {
  if (rule.requires === 'host' && facts.host === undefined) return 'needs host facts (--host)';
  if (rule.requires === 'several configs' && facts.configs.length < 2) {
    return 'needs the configurations of several members';
  }
  return undefined;
}

/** Evaluates the catalog against configurations of one system (and optional host facts). */
export function buildPreflightReport(
  facts: PreflightFacts,
  failOn: FailOn,
  catalog: readonly PreflightRule[] = PREFLIGHT_RULES,
): PreflightReport {
  const kinds = [...new Set(facts.configs.map((config) => config.kind))];
  const kind = kinds[0];
  if (kind === undefined) {
    throw new UsageError('PREFLIGHT_NO_CONFIG', 'no configuration to check', {
      actions: ['give at least one configuration file: quorumctl preflight etcd.yaml'],
    });
  }
  if (kinds.length > 1) {
    throw new UsageError(
      'PREFLIGHT_MIXED_KINDS',
      `the files configure different systems (${kinds.join(', ')}): preflight judges one cluster at a time`,
      {
        actions: [`run quorumctl preflight once per system, e.g. with the ${kind} files only`],
        details: {
          files: facts.configs.map((config) => ({ file: config.file, kind: config.kind })),
        },
      },
    );
  }
  const applicable = catalog.filter((rule) => rule.info.kinds.includes(kind));
  const runnable = applicable.filter((rule) => skipReason(rule, facts) === undefined);
  const findings = evaluateRules(runnable, kind, facts);
  const fired = new Set(findings.map((finding) => finding.ruleId));
  return {
    kind,
    files: facts.configs.map((config) => ({
      file: config.file,
      format: config.format,
      ...(config.member !== undefined && { member: config.member }),
      settings: config.settings.length,
    })),
    ...(facts.host !== undefined && { host: facts.host }),
    rules: applicable.map((rule) => {
      const skipped = skipReason(rule, facts);
      return {
        id: rule.info.id,
        severity: rule.info.severity,
        title: rule.info.title,
        outcome: skipped !== undefined ? 'skipped' : fired.has(rule.info.id) ? 'fail' : 'pass',
        ...(skipped !== undefined && { skippedBecause: skipped }),
      };
    }),
    findings,
    counts: countFindings(findings),
    failOn,
    verdict: failsOn(findings, failOn) ? 'fail' : 'pass',
  };
}
