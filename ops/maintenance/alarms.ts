/** Alarms as use cases: list them with member names, and execute a disarm plan. */
import { requireCapability } from '../../core/capabilities.js';
import { UsageError } from '../../core/errors.js';
import { nameAlarms, type NamedAlarm } from '../../core/maintenance/alarm-plan.js';
import type { MaintenancePlan } from '../../core/maintenance/plan.js';
import type { ClusterStatus } from '../../core/model.js';
import type { ClusterAdapter } from '../../core/ports.js';
import { runPlan, type MaintenanceRun, type RunControl } from './plan-runner.js';

export interface AlarmList {
  cluster: string;
  alarms: NamedAlarm[];
}

/** The raised alarms and the status that names their members. */
export async function readAlarms(
  adapter: ClusterAdapter,
): Promise<{ status: ClusterStatus; list: AlarmList }> {
  requireCapability(adapter, 'alarms');
  const list = adapter.listAlarms?.bind(adapter);
  if (list === undefined) throw new UsageError('NO_ALARMS', `${adapter.kind} has no alarms`);
  const [status, alarms] = await Promise.all([adapter.status(), list()]);
  return { status, list: { cluster: status.cluster, alarms: nameAlarms(status, alarms) } };
}

/** Step N disarms `alarms[N - 1]` (see planAlarmDisarm), unless it is no longer raised. */
export function executeAlarmDisarm(
  adapter: ClusterAdapter,
  plan: MaintenancePlan,
  alarms: readonly NamedAlarm[],
  control: RunControl,
): Promise<MaintenanceRun> {
  requireCapability(adapter, 'alarms');
  return runPlan(
    plan,
    {
      'disarm-alarm': async (step) => {
        const list = adapter.listAlarms?.bind(adapter);
        const deactivate = adapter.disarmAlarm?.bind(adapter);
        const alarm = alarms[step.index - 1];
        if (list === undefined || deactivate === undefined || alarm === undefined) {
          throw new UsageError('NO_ALARMS', `${adapter.kind} has no alarms to disarm`);
        }
        const raised = (await list()).some(
          (now) => now.memberId === alarm.memberId && now.alarm === alarm.alarm,
        );
        if (!raised) return { status: 'skipped', summary: 'no longer raised' };
        await deactivate({ memberId: alarm.memberId, alarm: alarm.alarm });
        return { status: 'done', details: { memberId: alarm.memberId, alarm: alarm.alarm } };
      },
    },
    control,
  );
}
