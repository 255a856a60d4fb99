/**
 * A drill against an inventory cluster running in Kubernetes: faults are Chaos Mesh resources
 * applied and deleted through the API, the workload and the status reach the members directly
 * or through port-forward tunnels. The composition root for `quorumctl chaos drill --cluster`
 * when the entry has a `kubernetes` reference; heals every fault of the run whatever happens.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { UnsupportedOperationError, UsageError, describeCause } from '../../core/errors.js';
import type { KubernetesApi, KubernetesConnectOptions } from '../../core/kubernetes/port.js';
import type { ClusterTarget, ConnectOptions } from '../../core/ports.js';
import type { ProgressSink } from '../../core/progress.js';
import type { ResolvedTarget } from '../../ops/target.js';
import { connectAdapter } from '../../systems/registry.js';
import { checkHistory } from '../checker/index.js';
import type { DrillScenario, OperationMix } from '../drills/scenario.js';
import { installHealOnExit } from '../faults/index.js';
import type { FaultInjector } from '../faults/types.js';
import { chaosMeshTargetOf, kubernetesDrillTarget } from '../kubernetes/drill-target.js';
import { ChaosMeshFaultInjector, kubernetesScope } from '../kubernetes/injector.js';
import type { KeyValueClient } from '../workload/client.js';
import { workloadStoreFor } from '../workload/stores.js';
import { defaultElectionTimeout } from './election-timeout.js';
import { leaderProbeFor } from './leader-probes.js';
import { runDrill, type DrillOutcome } from './run-drill.js';
import { newRunId } from './sandbox-drill.js';

/** The members as this process reaches them; close() ends the tunnels. */
export interface ReachedCluster {
  target: ClusterTarget;
  options: ConnectOptions;
  close(): Promise<void>;
}

export type ClusterReacher = (
  resolved: ResolvedTarget,
  api: KubernetesApi,
) => Promise<ReachedCluster>;

export interface KubernetesDrillRequest {
  stateDir: string;
  /** The inventory cluster (ops/target.ts) with its `kubernetes` reference. */
  resolved: ResolvedTarget;
  /** --kube-context / --kubeconfig; default: the reference's context, the default kubeconfig. */
  kube: { context?: string; kubeconfig?: string; timeoutMs: number };
  scenario: DrillScenario;
  durationMs?: number;
  clients?: number;
  mix?: OperationMix;
  maxTimeToNewLeaderMs?: number;
  seed?: number;
  checkerTimeoutMs?: number;
  keepData?: boolean;
  progress?: ProgressSink;
  /** Heal recorded faults on SIGINT/SIGTERM/SIGHUP (default true). */
  healOnSignals?: boolean;
  /** Default: systems/kubernetes (the kubeconfig context). */
  openApi?: (options: KubernetesConnectOptions) => Promise<KubernetesApi>;
  /** Default: the endpoints as they are for `reach: direct`, port-forward tunnels otherwise. */
  reach?: ClusterReacher;
  /** Tests: wrap each workload client. */
  wrapClient?: (client: KeyValueClient, index: number) => KeyValueClient;
  /** Tests: a different injector (default: Chaos Mesh through the API). */
  injector?: FaultInjector;
}

const STATUS_TIMEOUT_MS = 700;
const WORKLOAD_SETUP_TIMEOUT_MS = 3000;
/** Chaos Mesh lifts a fault by itself this long after its hold, should nobody delete it. */
const SAFETY_MARGIN_MS = 120_000;

export async function runKubernetesDrill(request: KubernetesDrillRequest): Promise<DrillOutcome> {
  const { resolved, scenario } = request;
  const reference = resolved.kubernetes;
  if (reference === undefined) {
    throw new UsageError(
      'CLUSTER_NOT_IN_KUBERNETES',
      `cluster "${resolved.target.name}" has no kubernetes reference: Chaos Mesh cannot reach it`,
      { actions: ['add one with: quorumctl discover --write'] },
    );
  }
  if (resolved.options.tls !== undefined) {
    throw new UnsupportedOperationError(
      'DRILL_TLS_UNSUPPORTED',
      `cluster "${resolved.target.name}" uses TLS; the drill's workload clients speak plain TCP/HTTP only`,
      {
        actions: [
          'drill a plaintext replica of the cluster (same chart, TLS off)',
          'or generate the resources and apply them yourself: --emit chaos-mesh',
        ],
      },
    );
  }
  const kubeconfig =
    request.kube.kubeconfig === undefined ? undefined : resolve(request.kube.kubeconfig);
  const context = request.kube.context ?? reference.context;
  const openApi =
    request.openApi ??
    (async (options: KubernetesConnectOptions) => {
      const { openKubernetes } = await import('../../systems/kubernetes/index.js');
      return openKubernetes(options);
    });
  const api = await openApi({
    timeoutMs: request.kube.timeoutMs,
    ...(context !== undefined && { context }),
    ...(kubeconfig !== undefined && { kubeconfig }),
  });
  const closers: (() => Promise<void>)[] = [() => api.close()];
  try {
    const reached = await (request.reach ?? reachCluster)(resolved, api);
    closers.unshift(() => reached.close());
    const { drill, members } = kubernetesDrillTarget(
      resolved.target,
      reference,
      reached.target.endpoints,
    );
    const durationMs = request.durationMs ?? scenario.durationMs;
    const stateDir = resolve(request.stateDir);
    const injector =
      request.injector ??
      new ChaosMeshFaultInjector({
        api,
        stateDir,
        scope: kubernetesScope(api.context, reference.namespace, resolved.target.name),
        target: chaosMeshTargetOf(reference),
        ...(kubeconfig !== undefined && { kubeconfig }),
        safetyDurationMs: durationMs + SAFETY_MARGIN_MS,
      });
    const removeHealHandlers =
      request.healOnSignals === false ? () => undefined : installHealOnExit(injector);
    const adapter = await connectAdapter(reached.target, {
      ...reached.options,
      timeoutMs: STATUS_TIMEOUT_MS,
    });
    closers.unshift(() => adapter.close());
    const run = newRunId();
    const store = await workloadStoreFor({
      kind: drill.kind,
      clientUrls: members.map((member) => member.clientUrl),
      run,
      timeoutMs: Math.max(scenario.workload.opTimeoutMs, WORKLOAD_SETUP_TIMEOUT_MS),
    });
    let outcome: DrillOutcome | undefined;
    try {
      outcome = await runDrill(
        {
          scenario,
          target: drill,
          electionTimeout: defaultElectionTimeout(drill.kind),
          run,
          seed: request.seed ?? randomBytes(4).readUInt32BE(0),
          durationMs,
          ...(request.clients !== undefined && { clients: request.clients }),
          ...(request.mix !== undefined && { mix: request.mix }),
          ...(request.maxTimeToNewLeaderMs !== undefined && {
            maxTimeToNewLeaderMs: request.maxTimeToNewLeaderMs,
          }),
          ...(request.checkerTimeoutMs !== undefined && {
            checkerTimeoutMs: request.checkerTimeoutMs,
          }),
          ...(request.keepData !== undefined && { keepData: request.keepData }),
        },
        {
          adapter,
          // etcd answers "whom do you follow" per member over the same URL; the others are
          // timed by status polls.
          ...(drill.kind === 'etcd' && { leaderProbe: leaderProbeFor({ kind: 'etcd', members }) }),
          injector,
          store,
          check: checkHistory,
          ...(request.progress !== undefined && { progress: request.progress }),
          ...(request.wrapClient !== undefined && { wrapClient: request.wrapClient }),
        },
      );
      return outcome;
    } finally {
      // The guarantee: whatever the drill did (FAIL, an error, a heal that failed once), no
      // Chaos Mesh resource of this cluster stays behind.
      const healed = await injector
        .healAll()
        .catch((error: unknown) => ({ healed: [], failed: [{ error: describeCause(error) }] }));
      if (healed.failed.length > 0) {
        const message = `Chaos Mesh resources could not be deleted: run quorumctl chaos heal --cluster ${resolved.target.name} (${healed.failed.map((failure) => failure.error).join('; ')})`;
        if (outcome !== undefined) outcome.report.warnings.push(message);
        else request.progress?.report({ step: 'heal', label: message, state: 'failed' });
      }
      removeHealHandlers();
    }
  } finally {
    for (const close of closers) await close().catch(() => undefined);
  }
}

/** `reach: direct`: the endpoints answer as they are. Port-forward tunnels are ops/kubernetes' job. */
const reachCluster: ClusterReacher = (resolved) => {
  if (resolved.kubernetes?.reach === 'direct') {
    return Promise.resolve({
      target: resolved.target,
      options: resolved.options,
      close: () => Promise.resolve(),
    });
  }
  return Promise.reject(
    new UnsupportedOperationError(
      'DRILL_PORT_FORWARD_PENDING',
      `cluster "${resolved.target.name}" is reached through port-forward, which drills cannot use yet`,
      {
        actions: [
          'set kubernetes.reach: direct in the inventory when the pods are routable from here',
        ],
      },
    ),
  );
};
