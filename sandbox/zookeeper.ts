/** ZooKeeper ensembles on loopback: dynamic-reconfig configs, fast JVM flags, readiness via `srvr`. */
import { join } from 'node:path';
import { fourLetterWord } from './probes.js';
import {
  clusterNotReady,
  readinessOf,
  type MemberLaunch,
  type MemberProblem,
  type MemberSlot,
  type ServerKind,
} from './server-kind.js';
import type { SandboxMember } from './types.js';

const PROBE_TIMEOUT_MS = 500;
const JAR_DIR = '/usr/share/java';
/**
 * servlet-api: without it the AdminServer silently does not start. slf4j-log4j12 and log4j:
 * without them SLF4J falls back to a no-op logger and the member log stays empty.
 */
const JARS = [
  'zookeeper.jar',
  'zookeeper-jute.jar',
  'servlet-api.jar',
  'slf4j-api.jar',
  'slf4j-log4j12.jar',
  'log4j-1.2.jar',
];
/** Short tick: leader failover takes about 3 s instead of 10 s with the default 2000 ms. */
const TICK_MS = 500;
/** Measured: brings "one leader + two followers" to about 2-2.6 s after spawn. */
const JVM_FLAGS = [
  '-Xms32m',
  '-Xmx128m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Xss512k',
];

export const zookeeperKind: ServerKind = {
  kind: 'zookeeper',
  executable: 'java',
  debianPackage: 'zookeeper',
  requiredFiles: JARS.map((jar) => join(JAR_DIR, jar)),
  processMarker: 'QuorumPeerMain',
  allowedMembers: [3, 5],
  portNames: ['client', 'quorum', 'election', 'admin'],

  plan({ confDir, members }) {
    const ids = members.map((member, index) => serverIdOf(member, index));
    const dynamic = members
      .map((member, index) => dynamicEntry(member, ids[index] ?? index + 1, 'participant'))
      .join('\n');
    return members.map((member, index) =>
      launchOf(confDir, member, ids[index] ?? index + 1, dynamic),
    );
  },

  /**
   * A server joining the running ensemble: its dynamic file lists the current servers plus
   * itself (ZooKeeper's documented way to add one); it syncs with the leader as a non-voting
   * follower until `reconfig -add` makes it a participant or observer.
   */
  planJoin({ confDir, members, joining, role }) {
    const ids = members.map((member, index) => serverIdOf(member, index));
    const id = joiningIdOf(joining, ids);
    const dynamic = [
      ...members.map((member, index) =>
        dynamicEntry(member, ids[index] ?? index + 1, 'participant'),
      ),
      dynamicEntry(joining, id, role === 'voter' ? 'participant' : 'observer'),
    ].join('\n');
    return launchOf(confDir, joining, id, dynamic);
  },

  async probe(members) {
    const modes = await Promise.all(members.map(serverMode));
    const problems = members.flatMap((member, index): MemberProblem[] => {
      const mode = modes[index];
      return mode === 'leader' || mode === 'follower'
        ? []
        : [{ member: member.name, why: mode ?? `no srvr answer within ${PROBE_TIMEOUT_MS} ms` }];
    });
    if (problems.length > 0) return readinessOf(problems);
    const leaders = modes.filter((mode) => mode === 'leader').length;
    return leaders === 1
      ? readinessOf([])
      : clusterNotReady(members, `${leaders} leaders reported, waiting for exactly one`);
  },

  async version(members) {
    const first = members[0];
    const reply =
      first === undefined
        ? undefined
        : await fourLetterWord(
            first.host ?? '127.0.0.1',
            first.ports.client ?? 0,
            'srvr',
            PROBE_TIMEOUT_MS,
          );
    return /Zookeeper version:\s*([^-,\s]+)/.exec(reply ?? '')?.[1] ?? 'unknown';
  },
};

/** The server ID of a member: its name's number (`n3` is server.3), else its place in the list. */
function serverIdOf(member: MemberSlot, index: number): number {
  const digits = /(\d+)$/.exec(member.name)?.[1];
  return digits === undefined ? index + 1 : Number(digits);
}

/** A joining member's ID: its name's number when free, else one past the highest. */
function joiningIdOf(joining: MemberSlot, taken: readonly number[]): number {
  const digits = /(\d+)$/.exec(joining.name)?.[1];
  const wanted = digits === undefined ? undefined : Number(digits);
  return wanted !== undefined && wanted > 0 && !taken.includes(wanted)
    ? wanted
    : Math.max(0, ...taken) + 1;
}

function dynamicEntry(member: MemberSlot, id: number, role: 'participant' | 'observer'): string {
  const { host, ports } = member;
  return `server.${id}=${host}:${ports.quorum ?? 0}:${ports.election ?? 0}:${role};${host}:${ports.client ?? 0}`;
}

function launchOf(confDir: string, member: MemberSlot, id: number, dynamic: string): MemberLaunch {
  const config = join(confDir, `${member.name}.cfg`);
  const log4j = join(confDir, 'log4j.properties');
  return {
    name: member.name,
    command: 'java',
    args: [
      ...JVM_FLAGS,
      `-Dlog4j.configuration=file:${log4j}`,
      '-Dzookeeper.admin.enableServer=true',
      '-cp',
      [confDir, ...JARS.map((jar) => join(JAR_DIR, jar))].join(':'),
      'org.apache.zookeeper.server.quorum.QuorumPeerMain',
      config,
    ],
    files: [
      {
        // To stdout, which the manager points at the member's log file.
        path: log4j,
        content:
          'log4j.rootLogger=INFO, CONSOLE\nlog4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender\nlog4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout\nlog4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n\n',
      },
      { path: join(member.dataDir, 'myid'), content: `${id}\n` },
      { path: `${config}.dynamic`, content: `${dynamic}\n` },
      {
        path: config,
        content: [
          `tickTime=${TICK_MS}`,
          'initLimit=10',
          'syncLimit=5',
          `dataDir=${member.dataDir}`,
          '4lw.commands.whitelist=*',
          'reconfigEnabled=true',
          'standaloneEnabled=false',
          // A sandbox has no super user to run reconfig with: ACLs are off.
          'skipACL=yes',
          'admin.enableServer=true',
          `admin.serverAddress=${member.host}`,
          `admin.serverPort=${member.ports.admin ?? 0}`,
          `dynamicConfigFile=${config}.dynamic`,
          '',
        ].join('\n'),
      },
    ],
    clientUrl: `tcp://${member.host}:${member.ports.client ?? 0}`,
    monitorUrl: `http://${member.host}:${member.ports.admin ?? 0}/commands`,
  };
}

/** `ruok` answers imok even without quorum, so readiness reads the mode from `srvr`. */
async function serverMode(member: SandboxMember): Promise<string | undefined> {
  // A netns member listens on its private address only.
  const reply = await fourLetterWord(
    member.host ?? '127.0.0.1',
    member.ports.client ?? 0,
    'srvr',
    PROBE_TIMEOUT_MS,
  );
  if (reply === undefined) return undefined;
  // Without quorum the first line says why: "This ZooKeeper instance is not currently serving requests".
  return /Mode:\s*(\S+)/.exec(reply)?.[1] ?? (reply.trim().split('\n')[0] || 'empty srvr answer');
}
