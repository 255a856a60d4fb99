/** The heal loop every injector's healAll shares: newest first, one failure never stops the rest. */
import { describeCause } from '../../core/errors.js';
import type { FaultRecord, HealReport } from './types.js';

/**
 * Heals the records newest first (a partition is lifted before the members it cut off are
 * restarted); a fault that fails to heal is reported and the next one is still tried.
 */
export async function healNewestFirst(
  records: readonly FaultRecord[],
  heal: (record: FaultRecord) => Promise<void>,
): Promise<HealReport> {
  const report: HealReport = { healed: [], failed: [] };
  for (const record of [...records].reverse()) {
    try {
      await heal(record);
      report.healed.push(record);
    } catch (cause) {
      report.failed.push({ record, error: describeCause(cause) });
    }
  }
  return report;
}
