/** The kinds of server a sandbox can run, by name. */
import { etcdKind } from './etcd.js';
import { natsKind } from './nats.js';
import type { ServerKind } from './server-kind.js';
import type { SandboxKind } from './types.js';
import { zookeeperKind } from './zookeeper.js';

const SERVER_KINDS: Record<SandboxKind, ServerKind> = {
  etcd: etcdKind,
  zookeeper: zookeeperKind,
  nats: natsKind,
};

export function serverKind(kind: SandboxKind): ServerKind {
  return SERVER_KINDS[kind];
}
