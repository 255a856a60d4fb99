/** Picks the workload store for a cluster's kind: etcd, ZooKeeper or NATS. */
import type { DrillKind } from '../drills/scenario.js';
import type { SandboxRecord } from '../../sandbox/index.js';
import type { WorkloadStore } from './client.js';

/** The drill's data on a sandbox, or on any cluster given by kind and client URLs. */
export type StoreRequest = (
  | { record: SandboxRecord }
  | {
      kind: DrillKind;
      /** Client URLs of every member as this process reaches them (tunnels included). */
      clientUrls: readonly string[];
    }
) & {
  /** Unique per drill: names the keys, znodes or stream the drill writes. */
  run: string;
  timeoutMs: number;
};

/** Each store module is loaded only for its kind (the NATS and ZooKeeper clients cost start-up time). */
export async function workloadStoreFor(request: StoreRequest): Promise<WorkloadStore> {
  const { run, timeoutMs } = request;
  const kind = 'record' in request ? request.record.kind : request.kind;
  const urls =
    'record' in request
      ? request.record.members.map((member) => member.clientUrl)
      : [...request.clientUrls];
  switch (kind) {
    case 'etcd': {
      const { etcdWorkloadStore } = await import('./etcd-store.js');
      return etcdWorkloadStore({ endpoints: urls, prefix: `/quorumctl-drill/${run}/`, timeoutMs });
    }
    case 'zookeeper': {
      const { zookeeperWorkloadStore } = await import('./zookeeper-store.js');
      return zookeeperWorkloadStore({
        servers: urls.map((url) => new URL(url).host),
        root: `/quorumctl-drill-${run}`,
        timeoutMs,
      });
    }
    case 'nats': {
      const { natsWorkloadStore } = await import('./nats-store.js');
      return natsWorkloadStore({
        servers: urls,
        run,
        replicas: Math.min(3, urls.length),
        timeoutMs,
      });
    }
  }
}
