/** Maps a system kind to its adapter, importing the adapter module only when it is used. */
import { UnsupportedOperationError } from '../core/errors.js';
import type { SystemKind } from '../core/model.js';
import type { ClusterAdapter, ClusterTarget, ConnectOptions } from '../core/ports.js';

type AdapterModule = {
  connect: (target: ClusterTarget, options: ConnectOptions) => ClusterAdapter;
};

const ADAPTERS: Partial<Record<SystemKind, () => Promise<AdapterModule>>> = {
  etcd: () => import('./etcd/adapter.js'),
  zookeeper: () => import('./zookeeper/adapter.js'),
  nats: () => import('./nats/adapter.js'),
  kraft: () => import('./kraft/adapter.js'),
  tikv: () => import('./tikv/adapter.js'),
  cockroach: () => import('./cockroach/adapter.js'),
  consul: () => import('./consul/adapter.js'),
};

export async function connectAdapter(
  target: ClusterTarget,
  options: ConnectOptions,
): Promise<ClusterAdapter> {
  const load = ADAPTERS[target.kind];
  if (load === undefined) {
    throw new UnsupportedOperationError(
      'KIND_NOT_SUPPORTED',
      `quorumctl cannot reach ${target.kind} clusters yet (cluster "${target.name}")`,
      {
        actions: [`supported kinds: ${Object.keys(ADAPTERS).join(', ')}`],
      },
    );
  }
  return (await load()).connect(target, options);
}
