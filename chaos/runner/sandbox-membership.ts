/**
 * The membership change a drill makes on a sandbox while its fault is active: `add-member`
 * adds the next nN as a learner, starts it, waits for its catch-up and promotes it, retrying
 * while the cluster elects a new leader; whatever happens, the member ends up a voter or
 * cleanly absent. cleanup() removes it again, so the sandbox is as before the drill.
 */
import type { MemberRef } from '../../core/check/observations.js';
import { UnsupportedOperationError, describeCause } from '../../core/errors.js';
import {
  planAddMember,
  planPromoteMember,
  planRemoveMember,
} from '../../core/maintenance/membership-plan.js';
import type { MaintenancePlan } from '../../core/maintenance/plan.js';
import type { ClusterStatus, MemberStatus } from '../../core/model.js';
import type { AddMemberRequest, ClusterAdapter } from '../../core/ports.js';
import { executeMembershipPlan, type MemberProvisioner } from '../../ops/maintenance/members.js';
import {
  nextMemberName,
  sandboxProvisioner,
  sandboxTarget,
  type SandboxRecord,
} from '../../sandbox/index.js';
import { connectAdapter } from '../../systems/registry.js';
import type { DuringAction } from '../drills/scenario.js';
import type { MembershipDriver } from './run-drill.js';

export interface SandboxMembershipDriver extends MembershipDriver {
  /** Removes the member the drill added, if it is still there, and closes the connection. */
  cleanup(): Promise<void>;
}

export interface SandboxMembershipOptions {
  stateDir: string;
  record: SandboxRecord;
  /** How long the whole change may take, retries included. */
  budgetMs?: number;
  /** The learner's catch-up limit; on timeout it is removed again. */
  catchUpTimeoutMs?: number;
  /** Pause between attempts while the cluster has no usable leader. */
  retryMs?: number;
  /** Tests: the adapter and provisioner to use instead of the sandbox's. */
  adapter?: ClusterAdapter;
  provisioner?: MemberProvisioner;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Long enough for an election, the heal and etcd's 5 s "connected since" promotion check. */
const DEFAULT_BUDGET_MS = 60_000;
const DEFAULT_CATCH_UP_TIMEOUT_MS = 30_000;
const DEFAULT_RETRY_MS = 1000;
/** Membership status polls may meet a member that is cut off: more than the drill's 700 ms. */
const STATUS_TIMEOUT_MS = 2500;

/** Drills that change membership can run on these sandbox kinds (verified live: etcd). */
export function drillMembershipSupported(record: SandboxRecord): boolean {
  return record.kind === 'etcd';
}

export function sandboxMembershipDriver(
  options: SandboxMembershipOptions,
): SandboxMembershipDriver {
  const { record } = options;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? (() => performance.now());
  const sandbox = options.provisioner ?? sandboxProvisioner(options.stateDir, record.name);
  /** Whether the joining member's process was started (by the executor or by settle). */
  let startedJoining = false;
  const provisioner: MemberProvisioner = {
    ...(sandbox.reserve !== undefined && { reserve: sandbox.reserve.bind(sandbox) }),
    start: async (request, added) => {
      startedJoining = true;
      await sandbox.start(request, added);
    },
    stop: (member) => sandbox.stop(member),
  };
  const cluster = `sandbox-${record.name}`;
  let adapter: ClusterAdapter | undefined = options.adapter;
  /** Member ids before the change: any other id is the one the drill added. */
  let original: Set<string> | undefined;

  const connect = async (): Promise<ClusterAdapter> => {
    adapter ??= await connectAdapter(
      { name: cluster, kind: record.kind, ...sandboxTarget(record) },
      { timeoutMs: STATUS_TIMEOUT_MS },
    );
    return adapter;
  };
  const context = (client: ClusterAdapter) => ({
    cluster,
    canTransferLeader: client.capabilities.has('transferLeader'),
  });
  const joinedOf = (status: ClusterStatus, name: string): MemberStatus | undefined =>
    status.members.find(
      (member) => member.name === name || (original !== undefined && !original.has(member.id)),
    );
  const run = (client: ClusterAdapter, plan: MaintenancePlan, joining?: AddMemberRequest) =>
    executeMembershipPlan({
      adapter: client,
      plan,
      ...(joining !== undefined && { joining }),
      provisioner,
      catchUp: {
        timeoutMs: options.catchUpTimeoutMs ?? DEFAULT_CATCH_UP_TIMEOUT_MS,
        onTimeout: 'remove',
      },
      startTimeoutMs: 30_000,
      pollMs: 500,
    });

  let name: string | undefined;
  return {
    async run(action: DuringAction) {
      if (action !== 'add-member') {
        throw new UnsupportedOperationError(
          'DURING_UNSUPPORTED',
          `drills cannot ${String(action)} on a sandbox yet`,
        );
      }
      const client = await connect();
      const deadline = now() + (options.budgetMs ?? DEFAULT_BUDGET_MS);
      const first = await client.status();
      original = new Set(first.members.map((member) => member.id));
      const joining = nextMemberName({
        members: [...record.members, ...first.members.map((member) => ({ name: member.name }))],
      });
      name = joining;
      let request: AddMemberRequest | undefined;
      let attempts = 0;
      let lastProblem = '';
      // Add, retrying while the cluster elects or refuses: until the member shows up.
      for (;;) {
        const status = await client.status().catch((error: unknown) => {
          lastProblem = describeCause(error);
          return undefined;
        });
        if (status !== undefined && joinedOf(status, joining) !== undefined) break;
        if (status !== undefined) {
          try {
            const plan = planAddMember(status, {
              ...context(client),
              name: joining,
              role: 'learner',
            });
            request ??= await joiningRequest(provisioner, joining);
            attempts += 1;
            const outcome = await run(client, plan, request);
            if (outcome.failure === undefined) break;
            lastProblem = describeCause(outcome.failure);
            // The executor took the learner out again: the change is cleanly absent.
            if (outcome.failure.code === 'CATCH_UP_TIMEOUT') break;
          } catch (error) {
            lastProblem = describeCause(error);
          }
        }
        if (now() >= deadline) break;
        await sleep(options.retryMs ?? DEFAULT_RETRY_MS);
      }
      return settle(await connect(), request, joining, attempts, lastProblem, deadline);
    },

    async cleanup() {
      try {
        if (name === undefined || adapter === undefined) return;
        const status = await adapter.status();
        const joined = joinedOf(status, name);
        if (joined !== undefined) await removeJoined(adapter, status, joined);
      } finally {
        name = undefined;
        if (options.adapter === undefined) await adapter?.close();
        adapter = options.adapter;
      }
    },
  };

  /** Promotes a learner left behind (the fault refused it) until the budget ends, else removes it. */
  async function settle(
    client: ClusterAdapter,
    request: AddMemberRequest | undefined,
    joining: string,
    attempts: number,
    lastProblem: string,
    deadline: number,
  ): Promise<string> {
    for (;;) {
      const status = await client.status();
      const joined = joinedOf(status, joining);
      if (joined === undefined) {
        await provisioner.stop({ id: joining, name: joining, endpoint: '' });
        return `${joining} was not added (${lastProblem || 'no attempt got through'}): the configuration is as before`;
      }
      if (joined.voter) {
        return `${joined.name} joined as a learner and votes now (${attempts} attempt${attempts === 1 ? '' : 's'} to add it)`;
      }
      if (now() >= deadline) {
        await removeJoined(client, status, joined);
        return `${joining} did not become a voter in time (${lastProblem}): removed again, the configuration is as before`;
      }
      try {
        // Added, but the answer was lost (or its start failed) before the process was started.
        if (!startedJoining && request !== undefined && !joined.reachable) {
          await provisioner.start(request, undefined);
          await sleep(options.retryMs ?? DEFAULT_RETRY_MS);
          continue;
        }
        const promoted = await run(
          client,
          planPromoteMember(status, { ...context(client), name: joined.id }),
        );
        if (promoted.failure !== undefined) lastProblem = describeCause(promoted.failure);
      } catch (error) {
        lastProblem = describeCause(error);
      }
      await sleep(options.retryMs ?? DEFAULT_RETRY_MS);
    }
  }

  async function removeJoined(
    client: ClusterAdapter,
    status: ClusterStatus,
    joined: MemberStatus,
  ): Promise<void> {
    const removal = await run(
      client,
      // By id: etcd lists a member that never started without a name.
      planRemoveMember(status, { ...context(client), name: joined.id }),
    );
    if (removal.failure !== undefined) throw removal.failure;
    const ref: MemberRef = { id: joined.id, name: name ?? joined.name, endpoint: joined.endpoint };
    // An unstarted member has no stop step in the plan; the sandbox may still hold its namespace.
    await provisioner.stop(ref);
  }
}

async function joiningRequest(
  provisioner: MemberProvisioner,
  name: string,
): Promise<AddMemberRequest> {
  const reserved = await provisioner.reserve?.(name, 'learner');
  if (reserved === undefined) {
    throw new UnsupportedOperationError('NO_ADDRESSES', `no addresses for ${name}`);
  }
  return { name, role: 'learner', ...reserved };
}
