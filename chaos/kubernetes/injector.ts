/**
 * The FaultInjector for clusters running in Kubernetes: each fault becomes Chaos Mesh
 * resources (NetworkChaos, PodChaos) that are recorded in the fault journal BEFORE they are
 * applied and deleted to heal, so `chaos heal` in another process can remove them too.
 */
import { InternalError, PartialFailureError, describeCause } from '../../core/errors.js';
import type { ObjectRef } from '../../core/kubernetes/objects.js';
import type { KubernetesApi } from '../../core/kubernetes/port.js';
import { appendRecord, readJournal, removeRecord } from '../faults/journal.js';
import { healNewestFirst } from '../faults/heal-each.js';
import { newFaultId } from '../faults/sandbox-injector.js';
import type { FaultInjector, FaultRecord, FaultSpec, HealReport } from '../faults/types.js';
import {
  CHAOS_MESH_API_VERSION,
  chaosMeshResources,
  type ChaosMeshResource,
  type ChaosMeshTarget,
} from './chaos-mesh.js';

/** The label chaos-mesh.ts puts on every resource of one fault. */
export const FAULT_ID_LABEL = 'quorumctl.io/fault-id';
const CHAOS_MESH_KINDS = ['NetworkChaos', 'PodChaos'] as const;

/** The undo data of a Chaos Mesh fault: what to delete, and which API to delete it through. */
export interface ChaosMeshUndo {
  engine: 'chaos-mesh';
  /** kubeconfig context the resources were created through. */
  context: string;
  /** kubeconfig file, when one was named (absent: the default lookup). */
  kubeconfig?: string;
  namespace: string;
  resources: ObjectRef[];
}

export interface ChaosMeshInjectorOptions {
  api: KubernetesApi;
  stateDir: string;
  /** The journal scope, `kubernetes/<context>/<namespace>/<cluster>` (see kubernetesScope). */
  scope: string;
  /** Needed to inject; a healer (`chaos heal`) has none. */
  target?: ChaosMeshTarget;
  kubeconfig?: string;
  /**
   * Chaos Mesh's own `duration` on every resource: if nobody heals (SIGKILL, a lost API
   * server), Chaos Mesh recovers the fault by itself once it elapses. Absent: until deleted.
   */
  safetyDurationMs?: number;
}

/** Journal scope of a cluster in Kubernetes: never collides with a sandbox name (no "/"). */
export function kubernetesScope(context: string, namespace: string, cluster: string): string {
  return `kubernetes/${context}/${namespace}/${cluster}`;
}

export function isKubernetesScope(scope: string): boolean {
  return scope.startsWith('kubernetes/');
}

/** The Chaos Mesh undo data of a record, or undefined for a sandbox fault. */
export function chaosMeshUndoOf(record: FaultRecord): ChaosMeshUndo | undefined {
  const undo = record.undo as Partial<ChaosMeshUndo>;
  return undo.engine === 'chaos-mesh' && Array.isArray(undo.resources)
    ? (undo as ChaosMeshUndo)
    : undefined;
}

export class ChaosMeshFaultInjector implements FaultInjector {
  constructor(private readonly options: ChaosMeshInjectorOptions) {}

  async inject(spec: FaultSpec): Promise<FaultRecord> {
    const { target } = this.options;
    if (target === undefined)
      throw new InternalError('CHAOS_MESH_NO_TARGET', 'this Chaos Mesh injector can only heal');
    const id = newFaultId(spec.kind);
    // The generator refuses what Chaos Mesh cannot do (pause) before anything is recorded.
    const resources = chaosMeshResources(spec, target, {
      name: `qctl-${id}`,
      faultId: id,
      ...(this.options.safetyDurationMs !== undefined && {
        durationMs: this.options.safetyDurationMs,
      }),
    });
    const undo: ChaosMeshUndo = {
      engine: 'chaos-mesh',
      context: this.options.api.context,
      ...(this.options.kubeconfig !== undefined && { kubeconfig: this.options.kubeconfig }),
      namespace: target.namespace,
      resources: resources.map(refOf),
    };
    const record: FaultRecord = {
      id,
      scope: { stateDir: this.options.stateDir, sandbox: this.options.scope },
      spec,
      appliedAt: new Date().toISOString(),
      ownerPid: process.pid,
      undo: undo as unknown as Record<string, unknown>,
    };
    await appendRecord(this.options.stateDir, record);
    const applied: ChaosMeshResource[] = [];
    try {
      for (const resource of resources) {
        await this.options.api.apply({ ...resource });
        applied.push(resource);
      }
    } catch (cause) {
      // Half-applied: delete what got through, forget the fault, and let the cause (a typed
      // 403 naming the resource) reach the operator. The record stays if the undo fails.
      try {
        for (const resource of applied.reverse()) await this.options.api.delete(refOf(resource));
        await removeRecord(this.options.stateDir, id);
      } catch (undoCause) {
        throw new PartialFailureError(
          'FAULT_UNDO_FAILED',
          `${spec.kind} fault ${id} failed (${describeCause(cause)}) and its Chaos Mesh resources could not be deleted: ${describeCause(undoCause)}`,
          { actions: ['quorumctl chaos heal --all'], cause },
        );
      }
      throw cause;
    }
    return record;
  }

  /** Deletes the fault's resources (already gone is fine: a heal may run twice), then forgets it. */
  async heal(record: FaultRecord): Promise<void> {
    for (const ref of [...(chaosMeshUndoOf(record)?.resources ?? [])].reverse())
      await this.options.api.delete(ref);
    await removeRecord(record.scope.stateDir, record.id);
  }

  /**
   * Every recorded fault of the scope, newest first; also any resource labelled with a
   * recorded fault id (one applied under another name, e.g. by a newer quorumctl).
   */
  async healAll(): Promise<HealReport> {
    return healNewestFirst(await this.active(), async (record) => {
      await this.deleteUnrecorded(record);
      await this.heal(record);
    });
  }

  /** Resources labelled with the fault's id that its record does not list. */
  private async deleteUnrecorded(record: FaultRecord): Promise<void> {
    const undo = chaosMeshUndoOf(record);
    if (undo === undefined) return;
    const recorded = new Set(undo.resources.map(refKey));
    for (const kind of CHAOS_MESH_KINDS) {
      const labelled = await this.options.api.list(
        { apiVersion: CHAOS_MESH_API_VERSION, kind, namespace: undo.namespace },
        `${FAULT_ID_LABEL}=${record.id}`,
      );
      for (const object of labelled) {
        const ref: ObjectRef = {
          apiVersion: object.apiVersion,
          kind: object.kind,
          namespace: object.metadata.namespace ?? undo.namespace,
          name: object.metadata.name,
        };
        if (!recorded.has(refKey(ref))) await this.options.api.delete(ref);
      }
    }
  }

  async active(): Promise<FaultRecord[]> {
    return (await readJournal(this.options.stateDir)).filter(
      (record) => record.scope.sandbox === this.options.scope,
    );
  }
}

function refOf(resource: ChaosMeshResource): ObjectRef {
  return {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    namespace: resource.metadata.namespace,
    name: resource.metadata.name,
  };
}

function refKey(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}
