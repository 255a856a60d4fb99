/** ZooKeeper ensembles on loopback: dynamic-reconfig configs, fast JVM flags, readiness via `srvr`. */
import { join } from 'node:path';
import { fourLetterWord } from './probes.js';
import {
  clusterNotReady,
  readinessOf,
  type MemberProblem,
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
    const dynamic = members
      .map(
        (member, index) =>
          `server.${index + 1}=${member.host}:${member.ports.quorum ?? 0}:${member.ports.election ?? 0}:participant;${member.host}:${member.ports.client ?? 0}`,
      )
      .join('\n');
    const log4j = join(confDir, 'log4j.properties');
    return members.map((member, index) => {
      const config = join(confDir, `${member.name}.cfg`);
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
          { path: join(member.dataDir, 'myid'), content: `${index + 1}\n` },
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
    });
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
