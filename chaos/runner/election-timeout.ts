/**
 * The election timeout of a sandbox's kind, read from how its members were started: the
 * default "max time to new leader" of a scenario is three times this.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SandboxRecord } from '../../sandbox/index.js';
import type { DrillKind } from '../drills/scenario.js';

export interface ElectionTimeout {
  ms: number;
  /** Where the figure comes from, for the report. */
  source: string;
}

const ETCD_DEFAULT_MS = 1000;
/** nats-server's raft: a follower campaigns 4-9 s after it last heard from the leader (fixed in code). */
const NATS_MAX_ELECTION_MS = 9000;

export async function electionTimeoutOf(record: SandboxRecord): Promise<ElectionTimeout> {
  switch (record.kind) {
    case 'etcd':
      return etcdElectionTimeout(record);
    case 'zookeeper':
      return zookeeperElectionTimeout(record);
    case 'nats':
      return {
        ms: NATS_MAX_ELECTION_MS,
        source: 'nats-server raft election timeout, 4-9 s (fixed in the server)',
      };
  }
}

/**
 * The kind's default, for a cluster whose servers' flags quorumctl cannot read (one in
 * Kubernetes): the figure a server started without tuning uses.
 */
export function defaultElectionTimeout(kind: DrillKind): ElectionTimeout {
  switch (kind) {
    case 'etcd':
      return { ms: ETCD_DEFAULT_MS, source: "etcd default (the servers' flags are not read)" };
    case 'zookeeper':
      return {
        ms: 2000 * 5,
        source:
          "ZooKeeper defaults, tickTime 2000 ms x syncLimit 5 (the servers' config is not read)",
      };
    case 'nats':
      return {
        ms: NATS_MAX_ELECTION_MS,
        source: 'nats-server raft election timeout, 4-9 s (fixed in the server)',
      };
  }
}

async function etcdElectionTimeout(record: SandboxRecord): Promise<ElectionTimeout> {
  for (const member of record.members) {
    const args = await readFile(`/proc/${member.pid}/cmdline`, 'utf8')
      .then((text) => text.split('\0'))
      .catch(() => undefined);
    if (args === undefined) continue;
    const flag = args.findIndex(
      (arg) => arg === '--election-timeout' || arg.startsWith('--election-timeout='),
    );
    if (flag < 0)
      return {
        ms: ETCD_DEFAULT_MS,
        source: `etcd default (${member.name} runs without --election-timeout)`,
      };
    const value = Number(
      args[flag]?.includes('=') === true ? args[flag]?.split('=')[1] : args[flag + 1],
    );
    if (Number.isFinite(value) && value > 0)
      return { ms: value, source: `--election-timeout ${value} of ${member.name}` };
  }
  return { ms: ETCD_DEFAULT_MS, source: 'etcd default (no member command line readable)' };
}

/**
 * A follower gives up on a silent leader after syncLimit ticks and starts an election; a
 * dead leader's closed connections are noticed at once, a paused or isolated one only then.
 */
async function zookeeperElectionTimeout(record: SandboxRecord): Promise<ElectionTimeout> {
  const member = record.members[0];
  const file = join(record.dir, 'conf', `${member?.name ?? 'n1'}.cfg`);
  const text = await readFile(file, 'utf8').catch(() => '');
  const setting = (name: string, fallback: number) => {
    const value = Number(new RegExp(`^${name}=(\\d+)`, 'm').exec(text)?.[1]);
    return Number.isFinite(value) && value > 0 ? value : fallback;
  };
  const tickMs = setting('tickTime', 2000);
  const syncLimit = setting('syncLimit', 5);
  return {
    ms: tickMs * syncLimit,
    source: `tickTime ${tickMs} ms x syncLimit ${syncLimit} (${text === '' ? 'ZooKeeper defaults' : file})`,
  };
}
