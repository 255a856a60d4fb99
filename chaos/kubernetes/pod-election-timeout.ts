/**
 * Pure: the election timeout a drill judges "time to new leader" by, read from a member pod's
 * spec as the chart or manifest started the server (etcd's --election-timeout or Bitnami's
 * ETCD_ELECTION_TIMEOUT; Bitnami ZooKeeper's ZOO_TICK_TIME x ZOO_SYNC_LIMIT), else the kind's
 * default with the reason in its source.
 */
import { commandLine, envValue, flagValue } from '../../core/discovery/workload.js';
import type { Container, Pod } from '../../core/kubernetes/objects.js';
import type { DrillKind } from '../drills/scenario.js';
import { defaultElectionTimeout, type ElectionTimeout } from '../runner/election-timeout.js';

export function electionTimeoutOfPod(
  kind: DrillKind,
  pod: Pod,
  containerName?: string,
): ElectionTimeout {
  const container =
    pod.spec.containers.find((candidate) => candidate.name === containerName) ??
    pod.spec.containers[0];
  const where = `pod ${pod.metadata.name}`;
  if (container === undefined) return defaultElectionTimeout(kind);
  switch (kind) {
    case 'etcd':
      return etcdTimeout(container, where);
    case 'zookeeper':
      return zookeeperTimeout(container, where) ?? defaultElectionTimeout(kind);
    case 'nats':
      return defaultElectionTimeout(kind);
  }
}

function positive(text: string | undefined): number | undefined {
  const value = Number(text);
  return text !== undefined && text !== '' && Number.isInteger(value) && value > 0
    ? value
    : undefined;
}

function etcdTimeout(container: Container, where: string): ElectionTimeout {
  const flag = flagValue(commandLine(container), '--election-timeout');
  const fromFlag = positive(flag);
  if (fromFlag !== undefined)
    return { ms: fromFlag, source: `--election-timeout ${fromFlag} of ${where}` };
  const fromEnv = positive(envValue(container, 'ETCD_ELECTION_TIMEOUT'));
  if (fromEnv !== undefined)
    return { ms: fromEnv, source: `ETCD_ELECTION_TIMEOUT=${fromEnv} of ${where}` };
  return { ms: 1000, source: `etcd default (${where} runs without --election-timeout)` };
}

/** Bitnami's variables; other ZooKeeper images keep tickTime and syncLimit in zoo.cfg. */
function zookeeperTimeout(container: Container, where: string): ElectionTimeout | undefined {
  const tickMs = positive(envValue(container, 'ZOO_TICK_TIME'));
  const syncLimit = positive(envValue(container, 'ZOO_SYNC_LIMIT'));
  if (tickMs === undefined && syncLimit === undefined) return undefined;
  const tick = tickMs ?? 2000;
  const sync = syncLimit ?? 5;
  return {
    ms: tick * sync,
    source: `tickTime ${tick} ms x syncLimit ${sync} (ZOO_TICK_TIME, ZOO_SYNC_LIMIT of ${where})`,
  };
}
