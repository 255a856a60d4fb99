/** Picks the workload store for a sandbox's kind: etcd, ZooKeeper or NATS. */
import type { SandboxRecord } from '../../sandbox/index.js';
import type { WorkloadStore } from './client.js';

export interface StoreRequest {
  record: SandboxRecord;
  /** Unique per drill: names the keys, znodes or stream the drill writes. */
  run: string;
  timeoutMs: number;
}

/** Each store module is loaded only for its kind (the NATS and ZooKeeper clients cost start-up time). */
export async function workloadStoreFor(request: StoreRequest): Promise<WorkloadStore> {
  const { record, run, timeoutMs } = request;
  const urls = record.members.map((member) => member.clientUrl);
  switch (record.kind) {
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
        replicas: Math.min(3, record.members.length),
        timeoutMs,
      });
    }
  }
}
