/** NATS preflight rules: JetStream must fsync before it acknowledges. */
import { settingOf, type PlannedConfig } from '../facts.js';
import {
  configFinding,
  configsOf,
  preflightRule,
  REFERENCE,
  type PreflightRule,
} from './common.js';

/** `jetstream: enabled`, `jetstream: true` or a `jetstream { }` block (unless enabled: false). */
export function jetStreamEnabled(config: PlannedConfig): boolean {
  const value = settingOf(config, 'jetstream')?.value.trim().toLowerCase();
  if (value === undefined || ['false', 'disabled', 'disable'].includes(value)) return false;
  return settingOf(config, 'jetstream.enabled')?.value !== 'false';
}

const sync1 = preflightRule(
  {
    id: 'NATS-SYNC-1',
    kinds: ['nats'],
    severity: 'critical',
    title: 'JetStream fsyncs before it acknowledges',
    why: 'By default JetStream acknowledges a message once it is in the page cache and flushes to disk about every 2 minutes: Jepsen lost acknowledged writes when a majority of servers lost power. sync_interval: always fsyncs every write first.',
    threshold: 'jetstream { sync_interval: always } when JetStream is on',
    source: `https://jepsen.io/analyses/nats-2.12.1; nats-io/nats-server issue #7564 (${REFERENCE} §3.4 N-SYNC-1)`,
    remedy:
      'Add sync_interval: always to the jetstream block (and give the store a disk with fast fsync).',
  },
  (facts, info) =>
    configsOf(facts, 'nats').flatMap((config) => {
      if (!jetStreamEnabled(config)) return [];
      const entry = settingOf(config, 'jetstream.sync_interval');
      if (entry?.value.trim().toLowerCase() === 'always') return [];
      return [
        configFinding(
          info,
          config,
          entry ?? settingOf(config, 'jetstream'),
          entry === undefined
            ? 'jetstream.sync_interval is not set: acknowledged messages reach the disk up to 2 minutes later'
            : `jetstream.sync_interval is ${entry.value}: acknowledged messages may not be on disk yet`,
          { observed: entry?.value ?? 'default (2m)', threshold: 'always' },
        ),
      ];
    }),
);

export const NATS_RULES: readonly PreflightRule[] = [sync1];
