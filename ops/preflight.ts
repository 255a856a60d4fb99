/** Use case: read planned configuration files, check them (and host facts), build the report. */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { describeCause, UsageError } from '../core/errors.js';
import type { SystemKind } from '../core/model.js';
import type { ConfigFormat, HostFacts, PlannedConfig } from '../core/preflight/facts.js';
import { baseName } from '../core/preflight/parsers/common.js';
import {
  detectFormat,
  FORMAT_KINDS,
  parseConfig,
  type IncludeResolver,
} from '../core/preflight/parsers/index.js';
import { isDynamicConfig } from '../core/preflight/parsers/zoo-cfg.js';
import {
  buildPreflightReport,
  type FailOn,
  type PreflightReport,
} from '../core/preflight/report.js';
import { settingOf } from '../core/preflight/facts.js';
import { hostProbeTargets } from '../core/preflight/probe-targets.js';

export interface PreflightRequest {
  files: readonly string[];
  /** Skips detection: every file is read in this format. */
  format?: ConfigFormat;
  /** Only formats of this system are considered (and a --format of another system is refused). */
  kind?: SystemKind;
  failOn: FailOn;
  /**
   * Gathers facts of this host (`--host`), given the data directory and the peers the
   * configurations name; absent: host rules are reported as skipped.
   */
  probeHost?: (targets: { dataDir: string; peers: string[] }) => Promise<HostFacts>;
  /** The data directory to probe instead of the one in the configuration. */
  dataDir?: string;
}

export async function runPreflight(request: PreflightRequest): Promise<PreflightReport> {
  const configs = await loadPlannedConfigs(request.files, request);
  let host: HostFacts | undefined;
  if (request.probeHost !== undefined) {
    const targets = hostProbeTargets(configs);
    const dataDir = request.dataDir ?? targets.dataDir;
    if (dataDir === undefined) {
      throw new UsageError(
        'PREFLIGHT_DATA_DIR_UNKNOWN',
        'the configuration names no data directory to probe',
        { actions: ['name it with --data-dir DIR'] },
      );
    }
    host = await request.probeHost({ dataDir, peers: targets.peers });
  }
  return buildPreflightReport({ configs, ...(host !== undefined && { host }) }, request.failOn);
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new UsageError(
      'PREFLIGHT_FILE_UNREADABLE',
      `cannot read ${file}: ${describeCause(cause)}`,
      {
        actions: ['check the path and its permissions'],
        details: { file },
        cause,
      },
    );
  }
}

/** nats-server resolves `include` relative to the including file. */
const resolveInclude: IncludeResolver = (path, fromFile) => {
  const file = isAbsolute(path) ? path : join(dirname(fromFile), path);
  try {
    return { file, text: readFileSync(file, 'utf8') };
  } catch {
    return undefined;
  }
};

/** Reads, detects and parses every file; ZooKeeper dynamic config files join their zoo.cfg. */
export async function loadPlannedConfigs(
  files: readonly string[],
  options: { format?: ConfigFormat; kind?: SystemKind },
): Promise<PlannedConfig[]> {
  if (options.format !== undefined && options.kind !== undefined) {
    const formatKind = FORMAT_KINDS[options.format];
    if (formatKind !== options.kind) {
      throw new UsageError(
        'USAGE',
        `--format ${options.format} configures ${formatKind}, not ${options.kind}`,
        { actions: ['drop --kind, or choose a format of that system'] },
      );
    }
  }
  const parsed: PlannedConfig[] = [];
  for (const file of files) {
    const text = await readText(file);
    const format = options.format ?? detectFormat(file, text, options.kind);
    parsed.push(...parseConfig(text, file, format, { resolveInclude }));
  }
  return attachDynamicConfigs(parsed);
}

/** Where a zoo.cfg's dynamic config file is read from when it was not given: disk by default. */
export interface DynamicConfigSource {
  read(path: string, config: PlannedConfig): Promise<{ file: string; text: string } | undefined>;
  /** What to suggest when it cannot be read. */
  missingActions(config: PlannedConfig): string[];
}

const dynamicConfigOnDisk: DynamicConfigSource = {
  read: async (path, config) => {
    const file = isAbsolute(path) ? path : join(dirname(config.file), path);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    return text === undefined ? undefined : { file, text };
  },
  missingActions: (config) => [
    `give the dynamic config file as another argument: quorumctl preflight ${config.file} ./zoo.cfg.dynamic`,
  ],
};

/**
 * A dynamic config file (only server.N lines) belongs to the zoo.cfg that names it in
 * dynamicConfigFile, or to every zoo.cfg given when none names it. A zoo.cfg whose
 * dynamic file was not given is read from the path it names, when that path exists.
 */
export async function attachDynamicConfigs(
  configs: PlannedConfig[],
  source: DynamicConfigSource = dynamicConfigOnDisk,
): Promise<PlannedConfig[]> {
  const dynamic = configs.filter(
    (config) => config.format === 'zoo.cfg' && isDynamicConfig(config),
  );
  const rest = configs.filter((config) => !dynamic.includes(config));
  const zooCfgs = rest.filter((config) => config.format === 'zoo.cfg');
  if (dynamic.length > 0 && zooCfgs.length === 0) {
    throw new UsageError(
      'PREFLIGHT_CONFIG_INVALID',
      `${dynamic.map((config) => config.file).join(', ')}: a dynamic config file holds only the server list`,
      { actions: ['give the zoo.cfg that names it (dynamicConfigFile=...) as well'] },
    );
  }
  const merged: PlannedConfig[] = [];
  for (const config of rest) {
    if (config.format !== 'zoo.cfg') {
      merged.push(config);
      continue;
    }
    const reference = settingOf(config, 'dynamicConfigFile');
    let extra = dynamic.filter((candidate) =>
      reference === undefined
        ? !zooCfgs.some((other) => settingOf(other, 'dynamicConfigFile') !== undefined)
        : baseName(candidate.file) === baseName(reference.value),
    );
    if (reference !== undefined && extra.length === 0) {
      const found = await source.read(reference.value, config);
      if (found === undefined) {
        throw new UsageError(
          'PREFLIGHT_CONFIG_INVALID',
          `${config.file}:${reference.location.line}:${reference.location.column}: dynamicConfigFile ${reference.value} cannot be read, so the server list is unknown`,
          {
            actions: source.missingActions(config),
            details: { file: config.file, line: reference.location.line },
          },
        );
      }
      extra = parseConfig(found.text, found.file, 'zoo.cfg');
    }
    merged.push({
      ...config,
      settings: [...config.settings, ...extra.flatMap((item) => item.settings)],
    });
  }
  return merged;
}
