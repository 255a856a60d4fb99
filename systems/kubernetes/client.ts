/**
 * The Kubernetes API on @kubernetes/client-node 2 (undici), behind core's KubernetesApi port.
 * Each call carries the timeout and maps its failures through core/kubernetes/errors.ts,
 * naming the call (verb, resource, group, namespace) so a 403 says which permission is missing.
 */
import {
  AppsV1Api,
  CoreV1Api,
  createConfiguration,
  type Configuration,
  PatchStrategy,
  type RequestContext,
  type ResponseContext,
  ServerConfiguration,
} from '@kubernetes/client-node';
import { UsageError } from '../../core/errors.js';
import { namespaceNotFound, type KubernetesCall } from '../../core/kubernetes/errors.js';
import type {
  ConfigMap,
  KubernetesObject,
  ObjectRef,
  Pod,
  Secret,
  StatefulSet,
} from '../../core/kubernetes/objects.js';
import {
  FIELD_MANAGER,
  type ApplyResult,
  type KubernetesApi,
  KubernetesConnectOptions,
  NamespaceSelection,
  Tunnel,
} from '../../core/kubernetes/port.js';
import {
  httpStatusOf,
  toKubernetesError,
  type CallerIdentity,
  type MapOptions,
} from './api-errors.js';
import { loadKubeConfig, type LoadedKubeConfig } from './kubeconfig.js';
import { openTunnel } from './port-forward.js';
import { groupOf, guessedResource, type ResourceInfo } from '../../core/kubernetes/resources.js';
import { ObjectApi } from './resources.js';

interface Middleware {
  pre(context: RequestContext): Promise<RequestContext>;
  post(context: ResponseContext): Promise<ResponseContext>;
}

/** Every request gets its own deadline (client-node has no per-call timeout of its own). */
function deadline(timeoutMs: number): Middleware {
  return {
    pre: (context) => {
      context.setSignal(AbortSignal.timeout(timeoutMs));
      return Promise.resolve(context);
    },
    post: (context) => Promise.resolve(context),
  };
}

/** Records the HTTP status of the answer (server-side apply: 201 created, 200 configured). */
function statusRecorder(seen: { status?: number }): Middleware {
  return {
    pre: (context) => Promise.resolve(context),
    post: (context) => {
      seen.status = context.httpStatusCode;
      return Promise.resolve(context);
    },
  };
}

function scopeOf(namespace: NamespaceSelection): string | undefined {
  return namespace.all === true ? undefined : namespace.name;
}

/** Lists omit apiVersion/kind on their items; objects returned carry them. */
function withKind<T extends object>(items: T[], apiVersion: string, kind: string): T[] {
  return items.map((item) => ({ apiVersion, kind, ...item }));
}

export class ClientNodeApi implements KubernetesApi {
  readonly context: string;
  readonly server: string;
  readonly defaultNamespace: string;
  private readonly who: CallerIdentity;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly objects: ObjectApi;
  private readonly tunnels = new Set<Tunnel>();

  constructor(
    private readonly loaded: LoadedKubeConfig,
    private readonly timeoutMs: number,
  ) {
    this.context = loaded.context;
    this.server = loaded.server;
    this.defaultNamespace = loaded.defaultNamespace;
    this.who = {
      context: loaded.context,
      server: loaded.server,
      ...(loaded.user !== undefined && { user: loaded.user }),
    };
    const configuration = this.configuration();
    this.core = new CoreV1Api(configuration);
    this.apps = new AppsV1Api(configuration);
    this.objects = new ObjectApi(configuration);
  }

  private configuration(...extra: Middleware[]): Configuration {
    return createConfiguration({
      baseServer: new ServerConfiguration(this.loaded.server, {}),
      authMethods: { default: this.loaded.config },
      promiseMiddleware: [deadline(this.timeoutMs), ...extra],
    });
  }

  /** Runs one API call; its failures become typed errors naming `call`. */
  private async call<T>(
    call: KubernetesCall,
    run: () => Promise<T>,
    options: Omit<MapOptions, 'timeoutMs'> = {},
  ): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toKubernetesError(error, call, this.who, { ...options, timeoutMs: this.timeoutMs });
    }
  }

  async listPods(namespace: NamespaceSelection, labelSelector?: string): Promise<Pod[]> {
    const scope = scopeOf(namespace);
    const call: KubernetesCall = {
      verb: 'list',
      resource: 'pods',
      group: '',
      ...(scope !== undefined && { namespace: scope }),
    };
    const list = await this.call(call, () =>
      scope === undefined
        ? this.core.listPodForAllNamespaces({
            ...(labelSelector !== undefined && { labelSelector }),
          })
        : this.core.listNamespacedPod({
            namespace: scope,
            ...(labelSelector !== undefined && { labelSelector }),
          }),
    );
    return withKind(list.items as unknown as Pod[], 'v1', 'Pod');
  }

  async listStatefulSets(
    namespace: NamespaceSelection,
    labelSelector?: string,
  ): Promise<StatefulSet[]> {
    const scope = scopeOf(namespace);
    const call: KubernetesCall = {
      verb: 'list',
      resource: 'statefulsets',
      group: 'apps',
      ...(scope !== undefined && { namespace: scope }),
    };
    const list = await this.call(call, () =>
      scope === undefined
        ? this.apps.listStatefulSetForAllNamespaces({
            ...(labelSelector !== undefined && { labelSelector }),
          })
        : this.apps.listNamespacedStatefulSet({
            namespace: scope,
            ...(labelSelector !== undefined && { labelSelector }),
          }),
    );
    return withKind(list.items as unknown as StatefulSet[], 'apps/v1', 'StatefulSet');
  }

  async readPod(namespace: string, name: string): Promise<Pod> {
    const pod = await this.call({ verb: 'get', resource: 'pods', group: '', namespace, name }, () =>
      this.core.readNamespacedPod({ namespace, name }),
    );
    return pod as unknown as Pod;
  }

  async readStatefulSet(namespace: string, name: string): Promise<StatefulSet> {
    const set = await this.call(
      { verb: 'get', resource: 'statefulsets', group: 'apps', namespace, name },
      () => this.apps.readNamespacedStatefulSet({ namespace, name }),
    );
    return set as unknown as StatefulSet;
  }

  async readConfigMap(namespace: string, name: string): Promise<ConfigMap | undefined> {
    const call: KubernetesCall = {
      verb: 'get',
      resource: 'configmaps',
      group: '',
      namespace,
      name,
    };
    try {
      return (await this.core.readNamespacedConfigMap({ namespace, name })) as unknown as ConfigMap;
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw toKubernetesError(error, call, this.who, { timeoutMs: this.timeoutMs });
    }
  }

  async readSecret(namespace: string, name: string): Promise<Secret> {
    const secret = await this.call(
      { verb: 'get', resource: 'secrets', group: '', namespace, name },
      () => this.core.readNamespacedSecret({ namespace, name }),
    );
    return secret as unknown as Secret;
  }

  async assertNamespace(namespace: string): Promise<void> {
    await this.call(
      { verb: 'get', resource: 'namespaces', group: '', name: namespace },
      () => this.core.readNamespace({ name: namespace }),
      { onNotFound: () => namespaceNotFound(namespace, this.who) },
    );
  }

  /** The resource of a kind, for URLs and for naming a 403; a usage error when not served. */
  private async resourceOf(
    apiVersion: string,
    kind: string,
    namespace?: string,
  ): Promise<ResourceInfo> {
    const guess = guessedResource(apiVersion, kind);
    const call: KubernetesCall = {
      verb: 'get',
      resource: guess.plural,
      group: guess.group,
      ...(namespace !== undefined && { namespace }),
    };
    const info = await this.call(call, () => this.objects.resolve(apiVersion, kind));
    if (info === undefined) throw kindNotServed(apiVersion, kind, this.context);
    return info;
  }

  async apply(object: KubernetesObject): Promise<ApplyResult> {
    const info = await this.resourceOf(object.apiVersion, object.kind, object.metadata.namespace);
    const namespace = info.namespaced
      ? (object.metadata.namespace ?? this.defaultNamespace)
      : undefined;
    const spec: KubernetesObject = {
      ...object,
      metadata: { ...object.metadata, ...(namespace !== undefined && { namespace }) },
    };
    const call: KubernetesCall = {
      verb: 'patch',
      resource: info.plural,
      group: info.group,
      name: object.metadata.name,
      ...(namespace !== undefined && { namespace }),
    };
    const seen: { status?: number } = {};
    const api = new ObjectApi(this.configuration(statusRecorder(seen)));
    await this.call(call, () =>
      api.patch(
        asClientObject(spec),
        undefined,
        undefined,
        FIELD_MANAGER,
        true,
        PatchStrategy.ServerSideApply,
      ),
    );
    return {
      ref: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: object.metadata.name,
        ...(namespace !== undefined && { namespace }),
      },
      action: seen.status === 201 ? 'created' : 'configured',
    };
  }

  async delete(ref: ObjectRef): Promise<'deleted' | 'absent'> {
    let info: ResourceInfo;
    try {
      info = await this.resourceOf(ref.apiVersion, ref.kind, ref.namespace);
    } catch (error) {
      // A kind the server does not serve (CRD removed) has nothing left to delete.
      if (error instanceof UsageError && error.code === 'KUBERNETES_KIND_NOT_SERVED')
        return 'absent';
      throw error;
    }
    const namespace = info.namespaced ? (ref.namespace ?? this.defaultNamespace) : undefined;
    const call: KubernetesCall = {
      verb: 'delete',
      resource: info.plural,
      group: info.group,
      name: ref.name,
      ...(namespace !== undefined && { namespace }),
    };
    try {
      await this.objects.delete(
        asClientObject({
          apiVersion: ref.apiVersion,
          kind: ref.kind,
          metadata: { name: ref.name, ...(namespace !== undefined && { namespace }) },
        }),
      );
      return 'deleted';
    } catch (error) {
      if (httpStatusOf(error) === 404) return 'absent';
      throw toKubernetesError(error, call, this.who, { timeoutMs: this.timeoutMs });
    }
  }

  async list(
    kind: { apiVersion: string; kind: string; namespace: string },
    labelSelector?: string,
  ): Promise<KubernetesObject[]> {
    const info = await this.resourceOf(kind.apiVersion, kind.kind, kind.namespace);
    const call: KubernetesCall = {
      verb: 'list',
      resource: info.plural,
      group: info.group,
      namespace: kind.namespace,
    };
    const list = await this.call(call, () =>
      this.objects.list(
        kind.apiVersion,
        kind.kind,
        kind.namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        labelSelector,
      ),
    );
    return withKind(list.items as unknown as KubernetesObject[], kind.apiVersion, kind.kind);
  }

  async portForward(namespace: string, pod: string, podPort: number): Promise<Tunnel> {
    const call: KubernetesCall = {
      verb: 'create',
      resource: 'pods/portforward',
      group: '',
      namespace,
      name: pod,
    };
    const tunnel = await openTunnel(
      {
        config: this.loaded.config,
        timeoutMs: this.timeoutMs,
        mapError: (error) =>
          toKubernetesError(error, call, this.who, { timeoutMs: this.timeoutMs }),
      },
      namespace,
      pod,
      podPort,
    );
    this.tunnels.add(tunnel);
    const close = tunnel.close.bind(tunnel);
    return {
      ...tunnel,
      close: async () => {
        this.tunnels.delete(tunnel);
        await close();
      },
    };
  }

  async close(): Promise<void> {
    const open = [...this.tunnels];
    this.tunnels.clear();
    await Promise.all(open.map((tunnel) => tunnel.close()));
  }
}

/** Our plain object as client-node's type (its metadata is a generated class of the same shape). */
function asClientObject(object: KubernetesObject): Parameters<ObjectApi['patch']>[0] {
  return object as unknown as Parameters<ObjectApi['patch']>[0];
}

function kindNotServed(apiVersion: string, kind: string, context: string): UsageError {
  const group = groupOf(apiVersion);
  return new UsageError(
    'KUBERNETES_KIND_NOT_SERVED',
    `the API server of context "${context}" does not serve ${kind} (${apiVersion})${group === '' ? '' : `; is the CRD of ${group} installed?`}`,
    {
      actions: [`check with: kubectl --context ${context} api-resources --api-group=${group}`],
      details: { apiVersion, kind, context },
    },
  );
}

export function openClientNodeApi(options: KubernetesConnectOptions): Promise<KubernetesApi> {
  try {
    return Promise.resolve(new ClientNodeApi(loadKubeConfig(options), options.timeoutMs));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
