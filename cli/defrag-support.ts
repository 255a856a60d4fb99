/**
 * What defrag and recover nospace share (oclif loads every file under cli/commands as a
 * command, so it lives here): the health gate and wait flags, and their parsing.
 */
import { Flags } from '@oclif/core';
import { parseDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { DEFAULT_HEALTH_GATE } from '../ops/maintenance/health-gate.js';
import type { DefragSettings } from '../ops/maintenance/defrag.js';

export const healthGateFlags = {
  wait: Flags.string({
    default: '0s',
    description:
      'Pause after a member passed its health gate, before the next one (e.g. 30s): time for clients and caches to settle.',
    helpGroup: 'HEALTH GATE',
  }),
  'max-lag': Flags.integer({
    default: DEFAULT_HEALTH_GATE.maxLagEntries,
    min: 0,
    description:
      "The gate passes only when no member is more than this many entries behind the leader's commit index.",
    helpGroup: 'HEALTH GATE',
  }),
  'gate-timeout': Flags.string({
    default: '2m',
    description:
      'How long a member may take to pass its gate (back, leader stable for 3 polls, lag under --max-lag); then stop with exit 5.',
    helpGroup: 'HEALTH GATE',
  }),
};

export interface HealthGateFlagValues {
  wait: string;
  'max-lag': number;
  'gate-timeout': string;
}

export function defragSettingsFrom(flags: HealthGateFlagValues): DefragSettings {
  return {
    gate: {
      ...DEFAULT_HEALTH_GATE,
      maxLagEntries: flags['max-lag'],
      timeoutMs: parseDuration(flags['gate-timeout'], '--gate-timeout'),
    },
    // parseDuration refuses 0; no pause is the default and a valid choice.
    waitBetweenMs: /^0+(ms|s|m|h)?$/.test(flags.wait.trim())
      ? 0
      : parseDuration(flags.wait, '--wait'),
  };
}

/** `--if-fragmented 0.5` or `50%`: the free share below which a member is skipped. */
export function parseFragmentedRatio(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
  const ratio = match?.[1] === undefined ? NaN : Number(match[1]) / (match[2] === '%' ? 100 : 1);
  if (!(ratio >= 0 && ratio <= 1)) {
    throw new UsageError(
      'RATIO_INVALID',
      `--if-fragmented "${value}" is not a ratio between 0 and 1`,
      {
        actions: [
          'e.g. --if-fragmented 0.5 (or 50%) skips members with less than half of the file free',
        ],
      },
    );
  }
  return ratio;
}
