/** Placeholder until the client lands (issue 11 work in progress). */
import { InternalError } from '../../core/errors.js';
import type { KubernetesApi, KubernetesConnectOptions } from '../../core/kubernetes/port.js';

export function openClientNodeApi(options: KubernetesConnectOptions): Promise<KubernetesApi> {
  return Promise.reject(
    new InternalError('KUBERNETES_CLIENT_MISSING', `no client yet (${options.timeoutMs})`),
  );
}
