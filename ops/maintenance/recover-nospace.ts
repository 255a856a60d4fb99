/**
 * Executes the NOSPACE recovery plan: compact, the rolling defragmentation (defrag.ts), disarm
 * every NOSPACE alarm, then prove writes work with a probe key written and deleted.
 */
import { randomUUID } from 'node:crypto';
import { requireCapability } from '../../core/capabilities.js';
import { describeCause, PartialFailureError, UsageError } from '../../core/errors.js';
import type { MaintenancePlan } from '../../core/maintenance/plan.js';
import type { ClusterAdapter } from '../../core/ports.js';
import { defragHandlers, type DefragSettings, type MaintenanceControl } from './defrag.js';
import { runPlan, type MaintenanceRun, type StepResult } from './plan-runner.js';

/** Proof that the cluster accepts writes: what recover nospace needs beyond the adapter. */
export interface WriteProbe {
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Probe keys live under this prefix, so an interrupted probe is recognisable. */
export const PROBE_PREFIX = 'quorumctl/probe/';

export function executeNospaceRecovery(
  adapter: ClusterAdapter,
  probe: WriteProbe,
  plan: MaintenancePlan,
  settings: DefragSettings,
  control: MaintenanceControl,
): Promise<MaintenanceRun> {
  for (const capability of ['defragment', 'alarms'] as const)
    requireCapability(adapter, capability);
  const compact = async (): Promise<StepResult> => {
    const run = adapter.compact?.bind(adapter);
    if (run === undefined) throw new UsageError('NO_COMPACT', `${adapter.kind} cannot compact`);
    const { revision } = await run();
    return { status: 'done', details: { revision }, summary: `compacted to revision ${revision}` };
  };

  const disarm = async (): Promise<StepResult> => {
    const list = adapter.listAlarms?.bind(adapter);
    const deactivate = adapter.disarmAlarm?.bind(adapter);
    if (list === undefined || deactivate === undefined) {
      throw new UsageError('NO_ALARMS', `${adapter.kind} has no alarms to disarm`);
    }
    const nospace = (await list()).filter((alarm) => alarm.alarm === 'NOSPACE');
    if (nospace.length === 0) {
      return { status: 'skipped', details: { disarmed: 0 }, summary: 'no NOSPACE alarm raised' };
    }
    for (const alarm of nospace) await deactivate(alarm);
    return {
      status: 'done',
      details: { disarmed: nospace.length, memberIds: nospace.map((a) => a.memberId).join(',') },
      summary: `disarmed ${nospace.length} NOSPACE alarm${nospace.length === 1 ? '' : 's'}`,
    };
  };

  const verifyWrites = async (): Promise<StepResult> => {
    const key = `${PROBE_PREFIX}${randomUUID()}`;
    const started = performance.now();
    try {
      await probe.put(key, new Date().toISOString());
      await probe.delete(key);
    } catch (cause) {
      throw new PartialFailureError(
        'WRITES_STILL_REFUSED',
        `the cluster still refuses writes: ${describeCause(cause)}`,
        {
          actions: [
            'if it says "database space exceeded": the live data alone fills the quota; raise --quota-backend-bytes on every member (a restart each) or delete keys, then quorumctl alarms disarm',
            'quorumctl alarms list shows whether NOSPACE was raised again',
          ],
          cause,
        },
      );
    }
    const tookMs = Math.round(performance.now() - started);
    return {
      status: 'done',
      details: { probeKey: key, tookMs },
      summary: `a put and a delete in ${tookMs} ms`,
    };
  };

  return runPlan(
    plan,
    {
      ...defragHandlers(adapter, settings, control),
      compact,
      'disarm-alarm': disarm,
      'verify-writes': verifyWrites,
    },
    control,
  );
}
