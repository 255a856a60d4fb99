/**
 * A drill against an inventory cluster running in Kubernetes: faults are Chaos Mesh resources
 * applied and deleted through the API, the workload and the status reach the members directly
 * or through port-forward tunnels. The composition root for `quorumctl chaos drill --cluster`
 * when the entry has a `kubernetes` reference; heals every fault of the run whatever happens.
 */
import { randomBytes } from 'node:crypto';
import { UnsupportedOperationError, describeCause } from '../../core/errors.js';
import type { KubernetesReference } from '../../core/inventory.js';
import type { KubernetesApi } from '../../core/kubernetes/port.js';
import type { ClusterTarget, ConnectOptions } from '../../core/ports.js';
import { reachThroughKubernetes } from '../../ops/kubernetes/reach.js';
import type { ResolvedTarget } from '../../ops/target.js';
import { connectAdapter } from '../../systems/registry.js';
import { checkHistory } from '../checker/index.js';
import type { DrillKind } from '../drills/scenario.js';
import { installHealOnExit } from '../faults/index.js';
import type { FaultSpec } from '../faults/types.js';
import { chaosMeshResources, type ChaosMeshResource } from '../kubernetes/chaos-mesh.js';
import { chaosMeshTargetOf, kubernetesDrillTarget } from '../kubernetes/drill-target.js';
import { electionTimeoutOfPod } from '../kubernetes/pod-election-timeout.js';
import {
  notInKubernetes,
  SAFETY_MARGIN_MS,
  openClusterInjector,
  openKubernetesApiFor,
  type KubeSelection,
  type KubernetesApiOpener,
} from '../kubernetes/cluster-injector.js';
import { workloadStoreFor } from '../workload/stores.js';
import { defaultElectionTimeout, type ElectionTimeout } from './election-timeout.js';
import { leaderProbeFor } from './leader-probes.js';
import { leaderName } from './leader-watch.js';
import { faultSpecFor, selectTargets } from './targets.js';
import { seededRandom } from '../workload/random.js';
import {
  DRILL_STATUS_TIMEOUT_MS,
  drillTuning,
  newRunId,
  WORKLOAD_SETUP_TIMEOUT_MS,
  type DrillRunOptions,
} from './drill-options.js';
import { runDrill, type DrillOutcome } from './run-drill.js';

/** The members as this process reaches them; close() ends the tunnels. */
export interface ReachedCluster {
  target: ClusterTarget;
  options: ConnectOptions;
  close(): Promise<void>;
}

/** Reaches the members; `api` opens the Kubernetes API when the reach needs it (tunnels). */
export type ClusterReacher = (
  resolved: ResolvedTarget,
  api: () => Promise<KubernetesApi>,
) => Promise<ReachedCluster>;

export interface KubernetesDrillRequest extends DrillRunOptions {
  /** The inventory cluster (ops/target.ts) with its `kubernetes` reference. */
  resolved: ResolvedTarget;
  kube: KubeSelection;
  /** Default: systems/kubernetes (the kubeconfig context). */
  openApi?: KubernetesApiOpener;
  /** Default: the endpoints as they are for `reach: direct`, port-forward tunnels otherwise. */
  reach?: ClusterReacher;
}

export async function runKubernetesDrill(request: KubernetesDrillRequest): Promise<DrillOutcome> {
  const { resolved, scenario } = request;
  const reference = resolved.kubernetes;
  if (reference === undefined) throw notInKubernetes(resolved.target.name);
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
  const api = await openKubernetesApiFor(resolved, request.kube, request.openApi);
  const closers: (() => Promise<void>)[] = [() => api.close()];
  try {
    const reached = await (request.reach ?? reachCluster)(resolved, () => Promise.resolve(api));
    closers.unshift(() => reached.close());
    const { drill, members } = kubernetesDrillTarget(
      resolved.target,
      reference,
      reached.target.endpoints,
    );
    const durationMs = request.durationMs ?? scenario.durationMs;
    const injector =
      request.injector ??
      (
        await openClusterInjector(
          {
            resolved,
            kube: request.kube,
            stateDir: request.stateDir,
            safetyDurationMs: durationMs + SAFETY_MARGIN_MS,
          },
          api,
        )
      ).injector;
    const removeHealHandlers =
      request.healOnSignals === false ? () => undefined : installHealOnExit(injector);
    const adapter = await connectAdapter(reached.target, {
      ...reached.options,
      timeoutMs: DRILL_STATUS_TIMEOUT_MS,
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
          electionTimeout: await electionTimeoutOfCluster(api, reference, drill.kind),
          run,
          seed: request.seed ?? randomBytes(4).readUInt32BE(0),
          ...drillTuning(request),
          durationMs,
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

export interface PlannedFault {
  spec: FaultSpec;
  resources: ChaosMeshResource[];
}

/**
 * `--emit chaos-mesh`: the resources the drill would apply, for the members the scenario
 * picks now (one status call tells the leader), without applying anything.
 */
export async function kubernetesDrillResources(
  request: Pick<
    KubernetesDrillRequest,
    'resolved' | 'kube' | 'scenario' | 'seed' | 'durationMs' | 'openApi' | 'reach'
  >,
): Promise<{ leader: string | null; faults: PlannedFault[] }> {
  const { resolved, scenario } = request;
  const reference = resolved.kubernetes;
  if (reference === undefined) throw notInKubernetes(resolved.target.name);
  let api: Promise<KubernetesApi> | undefined;
  const reached = await (request.reach ?? reachCluster)(
    resolved,
    () => (api ??= openKubernetesApiFor(resolved, request.kube, request.openApi)),
  );
  try {
    const { drill } = kubernetesDrillTarget(resolved.target, reference, reached.target.endpoints);
    const adapter = await connectAdapter(reached.target, reached.options);
    let leader: string | null;
    try {
      const status = await adapter.status();
      const aliasOf = new Map(
        drill.members.flatMap((member) =>
          [member.name, ...member.aliases].map((alias) => [alias, member.name] as const),
        ),
      );
      leader = leaderName(
        status,
        (member) => aliasOf.get(member.name) ?? aliasOf.get(member.endpoint) ?? member.name,
      );
    } finally {
      await adapter.close();
    }
    const names = drill.members.map((member) => member.name);
    const rounds = selectTargets(
      scenario.target,
      names,
      leader ?? '',
      seededRandom(request.seed ?? 1),
    );
    const target = chaosMeshTargetOf(reference);
    const durationMs = request.durationMs ?? scenario.durationMs;
    const prefix = `qctl-${scenario.name}`.slice(0, 36).replace(/-+$/, '');
    return {
      leader,
      faults: rounds.map((selected, index) => {
        const spec = faultSpecFor(scenario.fault, selected, names);
        return {
          spec,
          resources: chaosMeshResources(spec, target, {
            name: rounds.length > 1 ? `${prefix}-${index + 1}` : prefix,
            durationMs,
          }),
        };
      }),
    };
  } finally {
    await reached.close().catch(() => undefined);
    if (api !== undefined) await api.then((opened) => opened.close()).catch(() => undefined);
  }
}

/**
 * The election timeout the first member pod was started with. Reading the pod is a courtesy
 * (it needs "get pods"): any failure falls back to the kind's default, with the reason.
 */
async function electionTimeoutOfCluster(
  api: KubernetesApi,
  reference: KubernetesReference,
  kind: DrillKind,
): Promise<ElectionTimeout> {
  const pod = reference.pods[0];
  if (pod === undefined) return defaultElectionTimeout(kind);
  try {
    return electionTimeoutOfPod(
      kind,
      await api.readPod(reference.namespace, pod),
      reference.container,
    );
  } catch (cause) {
    const fallback = defaultElectionTimeout(kind);
    return {
      ...fallback,
      source: `${fallback.source}; pod ${pod} not read: ${describeCause(cause)}`,
    };
  }
}

/** `reach: direct`: the endpoints as they are (no API needed); otherwise one tunnel per pod. */
const reachCluster: ClusterReacher = async (resolved, api) => {
  if (resolved.kubernetes?.reach === 'direct') {
    return { target: resolved.target, options: resolved.options, close: () => Promise.resolve() };
  }
  const reached = await reachThroughKubernetes(resolved, await api(), {
    useClusterSecrets: false,
  });
  return { target: reached.target, options: reached.options, close: () => reached.release() };
};
