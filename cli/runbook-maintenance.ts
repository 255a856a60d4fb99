/**
 * The mutating operations runbooks call: the same planners and executors as the maintenance
 * commands, with the quorum guard on fresh status, an audit record per step, and detection of
 * work already done so a resumed run can repeat a step safely.
 */
import { requireCapability } from '../core/capabilities.js';
import { PartialFailureError } from '../core/errors.js';
import { planAlarmDisarm, ALARM_TYPES, type AlarmType } from '../core/maintenance/alarm-plan.js';
import { planDefrag } from '../core/maintenance/defrag-plan.js';
import {
  leaderTransferMethod,
  leaderTransferUnsupported,
  planLeaderEvacuate,
  planLeaderTransfer,
} from '../core/maintenance/leader-plan.js';
import {
  planAddMember,
  type AddPlanRequest,
  planPromoteMember,
  planRemoveMember,
} from '../core/maintenance/membership-plan.js';
import { planNospaceRecovery } from '../core/maintenance/nospace-plan.js';
import type { MaintenancePlan } from '../core/maintenance/plan.js';
import type { ClusterStatus } from '../core/model.js';
import type { AddMemberRequest } from '../core/ports.js';
import type { ParameterValue } from '../core/runbook/model.js';
import { executeAlarmDisarm, readAlarms } from '../ops/maintenance/alarms.js';
import { executeDefragPlan, type DefragSettings } from '../ops/maintenance/defrag.js';
import { DEFAULT_HEALTH_GATE } from '../ops/maintenance/health-gate.js';
import { executeLeaderPlan } from '../ops/maintenance/leader.js';
import {
  executeMembershipPlan,
  type MemberProvisioner,
  type MembershipOutcome,
} from '../ops/maintenance/members.js';
import type { MaintenanceRun } from '../ops/maintenance/plan-runner.js';
import { executeNospaceRecovery } from '../ops/maintenance/recover-nospace.js';
import {
  booleanArg,
  durationArg,
  numberArg,
  requiredString,
  stringArg,
  stringListArg,
} from '../runbooks/engine/args.js';
import type { OperationContext } from '../runbooks/engine/operations.js';
import { etcdWriteProbe } from '../systems/etcd/maintenance.js';
import { canTransferLeader } from './membership-target.js';
import { joiningName, joiningRequest, plannedRole, provisionerFor } from './joining-member.js';
import { recordAudit } from './mutation.js';
import type { OperationDefinition, RunbookDependencies } from './runbook-operations.js';

type Args = Readonly<Record<string, unknown>>;
type Outputs = Record<string, ParameterValue>;

const CATCH_UP_TIMEOUT_MS = 5 * 60_000;

/** Runs an executor, leaves the audit record, and turns a failed run into the step's error. */
async function executeAudited<Run extends MaintenanceRun>(
  dependencies: RunbookDependencies,
  context: OperationContext,
  execute: () => Promise<Run>,
): Promise<Run> {
  const run = await execute();
  await recordAudit(
    run.report,
    ['runbook', context.runId, run.report.plan.operation],
    dependencies.opened.stateDir,
  );
  if (run.failure !== undefined) throw run.failure;
  if (run.report.result !== 'succeeded') {
    throw new PartialFailureError(
      'STEP_NOT_COMPLETED',
      `${run.report.plan.operation}: ${run.report.result}`,
    );
  }
  return run;
}

/** Each step's details, prefixed by its member, as flat outputs. */
function outputsOf(run: MaintenanceRun): Outputs {
  const outputs: Outputs = { steps: run.report.outcomes.length };
  for (const outcome of run.report.outcomes) {
    const step = run.report.plan.steps.find((candidate) => candidate.index === outcome.index);
    for (const [key, value] of Object.entries(outcome.details ?? {})) {
      outputs[step?.member === undefined ? key : `${step.member}.${key}`] = value;
    }
  }
  return outputs;
}

function defragSettings(operation: string, args: Args): DefragSettings {
  return {
    gate: {
      ...DEFAULT_HEALTH_GATE,
      maxLagEntries:
        numberArg(operation, args, 'maxLagEntries') ?? DEFAULT_HEALTH_GATE.maxLagEntries,
      timeoutMs: durationArg(operation, args, 'gateTimeout') ?? 120_000,
    },
    waitBetweenMs: durationArg(operation, args, 'wait') ?? 0,
  };
}

function memberNamed(status: ClusterStatus, name: string) {
  return status.members.find((member) => member.name === name || member.id === name);
}

export const MAINTENANCE_OPERATIONS: readonly OperationDefinition[] = [
  {
    name: 'defrag',
    description:
      'etcd defragmentation (member, or every member with leadership moved off the leader first; ifFragmented, wait, maxLagEntries, gateTimeout).',
    mutates: true,
    plan:
      () =>
      async (args, { adapter }) =>
        defragPlan(args, await adapter.status()),
    build: (dependencies) => async (args, context) => {
      requireCapability(context.adapter, 'defragment');
      const plan = defragPlan(args, await context.adapter.status());
      const run = await executeAudited(dependencies, context, () =>
        executeDefragPlan(context.adapter, plan, defragSettings('defrag', args), context),
      );
      return outputsOf(run);
    },
  },
  {
    name: 'recover.nospace',
    description:
      'etcd NOSPACE recovery: compact to the current revision, rolling defrag, disarm NOSPACE, verify a write.',
    mutates: true,
    plan:
      () =>
      async (_args, { adapter }) =>
        planNospaceRecovery(await adapter.status(), {
          maxLagEntries: DEFAULT_HEALTH_GATE.maxLagEntries,
        }),
    build: (dependencies) => async (args, context) => {
      for (const capability of ['defragment', 'alarms'] as const) {
        requireCapability(context.adapter, capability);
      }
      const settings = defragSettings('recover.nospace', args);
      const plan = planNospaceRecovery(await context.adapter.status(), {
        maxLagEntries: settings.gate.maxLagEntries,
      });
      const { target, options } = dependencies.opened;
      const run = await executeAudited(dependencies, context, () =>
        executeNospaceRecovery(
          context.adapter,
          etcdWriteProbe(target, options),
          plan,
          settings,
          context,
        ),
      );
      return outputsOf(run);
    },
  },
  {
    name: 'alarms.disarm',
    description:
      'Disarm raised alarms (alarms: NOSPACE and/or CORRUPT); nothing to do when none is raised.',
    mutates: true,
    build: (dependencies) => async (args, context) => {
      const wanted = stringListArg('alarms.disarm', args, 'alarms') ?? ['NOSPACE'];
      const types = wanted.filter((alarm): alarm is AlarmType =>
        (ALARM_TYPES as readonly string[]).includes(alarm),
      );
      const { status, list } = await readAlarms(context.adapter);
      const { plan, alarms } = planAlarmDisarm(status, list.alarms, { alarms: types });
      if (plan.steps.length === 0) return { disarmed: 0 };
      await executeAudited(dependencies, context, () =>
        executeAlarmDisarm(context.adapter, plan, alarms, context),
      );
      return { disarmed: alarms.length };
    },
  },
  {
    name: 'members.add',
    description:
      'Add a member (name; role; promote default true; peerUrls unless --sandbox): etcd as a learner, started, caught up, promoted. A member already there is not added again.',
    mutates: true,
    plan:
      (dependencies) =>
      async (args, { adapter }) => {
        const status = await adapter.status();
        return planAddMember(status, addRequest(args, dependencies, status));
      },
    build: (dependencies) => async (args, context) => {
      requireCapability(context.adapter, 'membership');
      const status = await context.adapter.status();
      const request = addRequest(args, dependencies, status);
      const existing = memberNamed(status, request.name);
      if (existing !== undefined) {
        // A resumed run: the member joined before the runner stopped. Finish what remains.
        if (existing.voter || request.promote === false) {
          return { name: existing.name, id: existing.id, alreadyMember: true };
        }
        const promote = planPromoteMember(status, { name: existing.name, cluster: status.cluster });
        await changeMembership(dependencies, context, args, promote);
        return { name: existing.name, id: existing.id, alreadyMember: true };
      }
      const plan = planAddMember(status, request);
      const provisioner = provisionerFor(dependencies.opened);
      const peerUrls = stringListArg('members.add', args, 'peerUrls');
      const joining = await joiningRequest(
        request.name,
        plannedRole(plan, request.name),
        {
          ...(peerUrls !== undefined && peerUrls.length > 0 && { 'peer-urls': peerUrls.join(',') }),
        },
        provisioner,
      );
      const { added } = await changeMembership(dependencies, context, args, plan, {
        request: joining,
        provisioner,
      });
      return { name: request.name, id: added?.id ?? '', alreadyMember: false };
    },
  },
  {
    name: 'members.promote',
    description:
      'Promote a learner once it has caught up (name, catchUpTimeout); a voter is left as it is.',
    mutates: true,
    build: (dependencies) => async (args, context) => {
      const name = requiredString('members.promote', args, 'name');
      const status = await context.adapter.status();
      const member = memberNamed(status, name);
      if (member?.voter === true) return { name: member.name, alreadyVoter: true };
      const plan = planPromoteMember(status, { name, cluster: status.cluster });
      await changeMembership(dependencies, context, args, plan);
      return { name, alreadyVoter: false };
    },
  },
  {
    name: 'members.remove',
    description:
      'Remove a member (name), moving leadership away first when it leads; refused (exit 4) when it would cost quorum; a member already gone is fine.',
    mutates: true,
    plan:
      () =>
      async (args, { adapter }) =>
        planRemoveMember(await adapter.status(), {
          name: requiredString('members.remove', args, 'name'),
          canTransferLeader: canTransferLeader(adapter),
        }),
    build: (dependencies) => async (args, context) => {
      const name = requiredString('members.remove', args, 'name');
      const status = await context.adapter.status();
      if (memberNamed(status, name) === undefined) return { name, alreadyRemoved: true };
      const plan = planRemoveMember(status, {
        name,
        cluster: status.cluster,
        canTransferLeader: canTransferLeader(context.adapter),
      });
      await changeMembership(dependencies, context, args, plan);
      return { name, alreadyRemoved: false };
    },
  },
  {
    name: 'leader.transfer',
    description:
      'Move leadership (to: a member; default the most caught-up follower); etcd move-leader, NATS step-down.',
    mutates: true,
    plan:
      () =>
      async (args, { adapter }) =>
        leaderPlan(args, await adapter.status()),
    build: (dependencies) => async (args, context) => {
      const status = await context.adapter.status();
      const plan = leaderPlan(args, status);
      const to = stringArg('leader.transfer', args, 'to');
      if (plan.steps.length > 0) {
        await executeAudited(dependencies, context, () =>
          executeLeaderPlan({
            adapter: context.adapter,
            plan,
            request: to === undefined ? {} : { to },
            progress: context.progress,
            signal: context.signal,
          }),
        );
      }
      const after = await context.adapter.status();
      return { leader: after.members.find((member) => member.id === after.leaderId)?.name ?? '' };
    },
  },
  {
    name: 'leader.evacuate',
    description:
      'Move leadership off a member before maintenance on it (from); nothing to do when it does not lead.',
    mutates: true,
    plan:
      () =>
      async (args, { adapter }) =>
        planLeaderEvacuate(await adapter.status(), {
          from: requiredString('leader.evacuate', args, 'from'),
        }),
    build: (dependencies) => async (args, context) => {
      const status = await context.adapter.status();
      const plan = planLeaderEvacuate(status, {
        from: requiredString('leader.evacuate', args, 'from'),
        cluster: status.cluster,
      });
      if (plan.steps.length > 0) {
        await executeAudited(dependencies, context, () =>
          executeLeaderPlan({
            adapter: context.adapter,
            plan,
            progress: context.progress,
            signal: context.signal,
          }),
        );
      }
      const after = await context.adapter.status();
      return { leader: after.members.find((member) => member.id === after.leaderId)?.name ?? '' };
    },
  },
];

function defragPlan(args: Args, status: ClusterStatus): MaintenancePlan {
  const operation = 'defrag';
  const member = stringArg(operation, args, 'member');
  const ratio = numberArg(operation, args, 'ifFragmented');
  return planDefrag(status, {
    maxLagEntries: numberArg(operation, args, 'maxLagEntries') ?? DEFAULT_HEALTH_GATE.maxLagEntries,
    ...(member !== undefined && { member }),
    ...(ratio !== undefined && { ifFragmentedRatio: ratio }),
  });
}

function leaderPlan(args: Args, status: ClusterStatus): MaintenancePlan {
  const to = stringArg('leader.transfer', args, 'to');
  const plan = planLeaderTransfer(status, {
    cluster: status.cluster,
    ...(to !== undefined && { to }),
  });
  if (leaderTransferMethod(status.kind) === 'none') {
    const leader = status.members.find((member) => member.id === status.leaderId);
    throw leaderTransferUnsupported(plan, leader?.name);
  }
  return plan;
}

function addRequest(
  args: Args,
  dependencies: RunbookDependencies,
  status: ClusterStatus,
): AddPlanRequest {
  const operation = 'members.add';
  const role = stringArg(operation, args, 'role');
  const promote = booleanArg(operation, args, 'promote');
  return {
    name: joiningName(stringArg(operation, args, 'name'), dependencies.opened, status),
    cluster: status.cluster,
    ...(role === 'voter' || role === 'learner' || role === 'observer' ? { role } : {}),
    ...(promote !== undefined && { promote }),
  };
}

/** One membership change, audited, with the run's provisioner and catch-up policy. */
async function changeMembership(
  dependencies: RunbookDependencies,
  context: OperationContext,
  args: Args,
  plan: MaintenancePlan,
  /** The joining member, with the provisioner that reserved its addresses (a sandbox's ports). */
  joining?: { request: AddMemberRequest; provisioner: MemberProvisioner },
): Promise<MembershipOutcome> {
  return executeAudited(dependencies, context, () =>
    executeMembershipPlan({
      adapter: context.adapter,
      plan,
      ...(joining !== undefined && { joining: joining.request }),
      provisioner: joining?.provisioner ?? provisionerFor(dependencies.opened),
      catchUp: catchUpPolicy(args),
      progress: context.progress,
      signal: context.signal,
    }),
  );
}

function catchUpPolicy(args: Args) {
  return {
    timeoutMs: durationArg('members', args, 'catchUpTimeout') ?? CATCH_UP_TIMEOUT_MS,
    onTimeout: 'leave' as const,
  };
}
