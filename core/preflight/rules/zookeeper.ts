/** ZooKeeper preflight rules: ensemble, transaction log, purging, fsync, buffers, 4lw, sessions. */
import { settingOf, type PlannedConfig } from '../facts.js';
import { zooServers } from '../parsers/zoo-cfg.js';
import {
  configFinding,
  configsOf,
  disagreements,
  numberOf,
  preflightRule,
  REFERENCE,
  type PreflightRule,
} from './common.js';

const ADMIN =
  'apache/zookeeper zookeeper-docs/src/main/resources/markdown/zookeeperAdmin.md @ release-3.9.5';

export const ZOOKEEPER_THRESHOLDS = {
  minParticipants: 3,
  /** ZooKeeperServer.DEFAULT_TICK_TIME, used when zoo.cfg sets no tickTime. */
  defaultTickTimeMs: 3000,
  defaultJuteMaxBuffer: 0xfffff,
  /** [derived] see ZK-GC-1. */
  minSessionTimeoutMs: 4000,
  /** What monitoring (and quorumctl status) reads; everything else exposes more than needed. */
  minimalFourLetterWords: ['srvr', 'mntr', 'conf', 'ruok', 'isro'],
} as const;

const T = ZOOKEEPER_THRESHOLDS;
const zookeeper = ['zookeeper'] as const;

function tickTimeMs(config: PlannedConfig): number {
  return numberOf(config, 'tickTime', T.defaultTickTimeMs);
}

/** Session bounds as the server applies them: -1 or unset means 2x and 20x tickTime. */
function sessionBoundsMs(config: PlannedConfig): { min: number; max: number } {
  const min = numberOf(config, 'minSessionTimeout', -1);
  const max = numberOf(config, 'maxSessionTimeout', -1);
  return {
    min: min < 0 ? 2 * tickTimeMs(config) : min,
    max: max < 0 ? 20 * tickTimeMs(config) : max,
  };
}

function normalizePath(path: string): string {
  return path.trim().replace(/\/+$/, '') || '/';
}

const size1 = preflightRule(
  {
    id: 'ZK-SIZE-1',
    kinds: zookeeper,
    severity: 'warn',
    title: 'At least 3 voting servers, an odd number',
    why: 'A standalone server or a 2-server ensemble stops at the first failure; an even ensemble tolerates no more failures than the odd one below it.',
    threshold: `participants (server.N lines that are not observers) >= ${T.minParticipants} and odd`,
    source: `${ADMIN} l.140-162, l.325-338 (${REFERENCE} §3.2 Z-SIZE-1)`,
    remedy: 'List 3 or 5 participants as server.N lines (5 leaves room for maintenance).',
  },
  (facts, info) =>
    configsOf(facts, 'zookeeper').flatMap((config) => {
      const participants = zooServers(config).filter((server) => server.role === 'participant');
      const count = participants.length === 0 ? 1 : participants.length;
      if (count >= T.minParticipants && count % 2 === 1) return [];
      return [
        configFinding(
          info,
          config,
          participants[0]?.setting,
          participants.length === 0
            ? 'no server.N lines: a standalone server has no fault tolerance'
            : `${count} participants: ${count < T.minParticipants ? `fewer than ${T.minParticipants}` : 'an even number'}`,
          { observed: count, threshold: `odd, >= ${T.minParticipants}` },
        ),
      ];
    }),
);

const cfg1 = preflightRule(
  {
    id: 'ZK-CFG-1',
    kinds: zookeeper,
    severity: 'warn',
    title: 'The same server list on every server',
    why: 'Servers with different server.N lists disagree on who votes: the ensemble can elect two leaders or none ("inconsistent lists of servers" in the admin guide\'s Things to Avoid).',
    threshold: 'server.N lines identical in every zoo.cfg given',
    source: `${ADMIN}, Things to Avoid (${REFERENCE} §3.2 Z-CFG-1)`,
    remedy: 'Generate zoo.cfg (or the dynamic config file) from one list for all servers.',
  },
  (facts, info) =>
    disagreements(info, configsOf(facts, 'zookeeper'), 'the server list', (config) => {
      const servers = zooServers(config);
      return {
        value:
          servers
            .map((server) => `${server.setting.key}=${server.setting.value}`)
            .sort()
            .join(', ') || 'standalone',
        entry: servers[0]?.setting,
      };
    }),
  'several configs',
);

const disk1 = preflightRule(
  {
    id: 'ZK-DISK-1',
    kinds: zookeeper,
    severity: 'warn',
    title: 'A dedicated transaction log directory',
    why: 'Every write waits for the transaction log fsync; sharing the device with snapshots makes those waits long. The admin guide asks for dataLogDir on its own device ("a dedicated partition is not enough"). The device itself is only checked with host facts.',
    threshold: 'dataLogDir set and neither equal to nor inside dataDir',
    source: `${ADMIN} l.368-372, l.606-616 (${REFERENCE} §3.2 Z-DISK-1)`,
    remedy: 'Set dataLogDir to a directory on a separate disk (an SSD of its own).',
  },
  (facts, info) =>
    configsOf(facts, 'zookeeper').flatMap((config) => {
      const dataDir = settingOf(config, 'dataDir');
      const logDir = settingOf(config, 'dataLogDir');
      if (logDir === undefined || logDir.value.trim() === '') {
        return [
          configFinding(
            info,
            config,
            dataDir,
            'dataLogDir is not set: the transaction log shares dataDir',
            {
              observed: 'unset',
              threshold: 'a separate device',
            },
          ),
        ];
      }
      const data = normalizePath(dataDir?.value ?? '');
      const log = normalizePath(logDir.value);
      if (log !== data && !log.startsWith(`${data}/`)) return [];
      return [
        configFinding(
          info,
          config,
          logDir,
          `dataLogDir ${log} is ${log === data ? 'the same as' : 'inside'} dataDir ${data}`,
          {
            observed: log,
            threshold: 'a separate device',
          },
        ),
      ];
    }),
);

const purge1 = preflightRule(
  {
    id: 'ZK-PURGE-1',
    kinds: zookeeper,
    severity: 'warn',
    title: 'Automatic purge of old snapshots and logs',
    why: 'ZooKeeper never deletes old snapshots and transaction logs by itself: with autopurge.purgeInterval at its default of 0 they fill the disk and the server stops.',
    threshold: 'autopurge.purgeInterval >= 1 (hours); autopurge.snapRetainCount >= 3',
    source: `${ADMIN} l.760-775 (${REFERENCE} §3.2 Z-PURGE-1)`,
    remedy:
      'Set autopurge.purgeInterval=24 and autopurge.snapRetainCount=3 (or run zkCleanup.sh from cron).',
  },
  (facts, info) =>
    configsOf(facts, 'zookeeper').flatMap((config) => {
      const entry = settingOf(config, 'autopurge.purgeInterval');
      const hours = numberOf(config, 'autopurge.purgeInterval', 0);
      if (hours >= 1) return [];
      return [
        configFinding(
          info,
          config,
          entry,
          entry === undefined
            ? 'autopurge.purgeInterval is not set: old snapshots and logs are never deleted'
            : `autopurge.purgeInterval=${entry.value}: automatic purge is off`,
          { observed: hours, threshold: 1 },
        ),
      ];
    }),
);

const sync1 = preflightRule(
  {
    id: 'ZK-SYNC-1',
    kinds: zookeeper,
    severity: 'critical',
    title: 'forceSync stays on',
    why: 'With forceSync=no the transaction log is not fsynced before a write is acknowledged: a power loss on a majority loses acknowledged writes. The admin guide lists it under Unsafe Options.',
    threshold: 'forceSync absent or yes',
    source: `${ADMIN} l.1918-1931 (${REFERENCE} §3.2 Z-SYNC-1)`,
    remedy: 'Remove forceSync=no; if fsync is slow, give dataLogDir a faster dedicated disk.',
  },
  (facts, info) =>
    configsOf(facts, 'zookeeper').flatMap((config) => {
      const entry = settingOf(config, 'forceSync');
      // ZooKeeper compares with "no" exactly; any other value keeps fsync on.
      if (entry?.value !== 'no') return [];
      return [
        configFinding(
          info,
          config,
          entry,
          'forceSync=no: writes are acknowledged before they reach the disk',
          {
            observed: 'no',
            threshold: 'yes',
          },
        ),
      ];
    }),
);

const buf1 = preflightRule(
  {
    id: 'ZK-BUF-1',
    kinds: zookeeper,
    severity: 'warn',
    title: 'jute.maxbuffer left at its default',
    why: 'jute.maxbuffer caps the size of a znode and of a request; raising it lets clients store large values that slow down every sync and snapshot, and a server with a different value than its peers or clients fails to read their packets.',
    threshold: `jute.maxbuffer unset or ${T.defaultJuteMaxBuffer} (0xfffff)`,
    source: `${ADMIN} l.1932-1950 (${REFERENCE} §3.2 Z-BUF-1)`,
    remedy:
      'Remove jute.maxbuffer and keep znodes small; if you must raise it, raise it on every server and client alike.',
  },
  (facts, info) =>
    configsOf(facts, 'zookeeper').flatMap((config) => {
      const entry = settingOf(config, 'jute.maxbuffer');
      const bytes = numberOf(config, 'jute.maxbuffer', T.defaultJuteMaxBuffer);
      if (entry === undefined || bytes === T.defaultJuteMaxBuffer) return [];
      return [
        configFinding(
          info,
          config,
          entry,
          `jute.maxbuffer is ${bytes} bytes, not the default ${T.defaultJuteMaxBuffer}`,
          {
            observed: bytes,
            threshold: T.defaultJuteMaxBuffer,
          },
        ),
      ];
    }),
);

const buf2 = preflightRule(
  {
    id: 'ZK-BUF-2',
    kinds: zookeeper,
    severity: 'warn',
    title: 'The same jute.maxbuffer on every server',
    why: "A server whose jute.maxbuffer is smaller than a peer's cannot read the larger packets that peer sends: syncs fail and the server drops out.",
    threshold: 'jute.maxbuffer equal in every zoo.cfg given',
    source: `${ADMIN} l.1932-1950 (${REFERENCE} §3.2 Z-BUF-1)`,
    remedy: 'Set the same jute.maxbuffer (preferably none) on every server and client.',
  },
  (facts, info) =>
    disagreements(info, configsOf(facts, 'zookeeper'), 'jute.maxbuffer', (config) => ({
      value: String(numberOf(config, 'jute.maxbuffer', T.defaultJuteMaxBuffer)),
      entry: settingOf(config, 'jute.maxbuffer'),
    })),
  'several configs',
);

const fourLetterWords1 = preflightRule(
  {
    id: 'ZK-4LW-1',
    kinds: zookeeper,
    severity: 'warn',
    title: 'A minimal four-letter-word whitelist',
    why: 'Four-letter words answer anyone who reaches the client port without authentication: dump, cons and envi reveal sessions, paths and the environment; wchp/wchc can stall a large server. Since 3.5.3 only srvr is allowed unless the whitelist says otherwise.',
    threshold: `4lw.commands.whitelist within ${T.minimalFourLetterWords.join(', ')}; never *`,
    source: `${ADMIN} l.1416-1442 (${REFERENCE} §3.2 Z-4LW-1)`,
    remedy: `Set 4lw.commands.whitelist=${T.minimalFourLetterWords.join(',')} (what monitoring needs) or use the AdminServer with authentication.`,
  },
  (facts, info) =>
    configsOf(facts, 'zookeeper').flatMap((config) => {
      const entry = settingOf(config, '4lw.commands.whitelist');
      if (entry === undefined) return [];
      const words = entry.value
        .split(',')
        .map((word) => word.trim())
        .filter((word) => word !== '');
      const extra = words.filter(
        (word) => !(T.minimalFourLetterWords as readonly string[]).includes(word),
      );
      if (extra.length === 0) return [];
      return [
        configFinding(
          info,
          config,
          entry,
          extra.includes('*')
            ? '4lw.commands.whitelist=* allows every four-letter word'
            : `4lw.commands.whitelist allows ${extra.join(', ')} beyond what monitoring needs`,
          { observed: entry.value, threshold: T.minimalFourLetterWords.join(',') },
        ),
      ];
    }),
);

const time1 = preflightRule(
  {
    id: 'ZK-TIME-1',
    kinds: zookeeper,
    severity: 'critical',
    title: 'minSessionTimeout not above maxSessionTimeout',
    why: 'ZooKeeper refuses to start when the minimum session timeout is larger than the maximum (both default to 2 and 20 tickTimes).',
    threshold: 'minSessionTimeout <= maxSessionTimeout (defaults 2 x and 20 x tickTime)',
    source: `${ADMIN} l.716-728 (${REFERENCE} §3.2 Z-TIME-2)`,
    remedy: 'Lower minSessionTimeout or raise maxSessionTimeout (or remove both for the defaults).',
  },
  (facts, info) =>
    configsOf(facts, 'zookeeper').flatMap((config) => {
      const { min, max } = sessionBoundsMs(config);
      if (min <= max) return [];
      return [
        configFinding(
          info,
          config,
          settingOf(config, 'minSessionTimeout') ?? settingOf(config, 'maxSessionTimeout'),
          `minSessionTimeout ${min} ms is above maxSessionTimeout ${max} ms: ZooKeeper will not start`,
          { observed: min, threshold: max },
        ),
      ];
    }),
);

const gc1 = preflightRule(
  {
    id: 'ZK-GC-1',
    kinds: zookeeper,
    severity: 'warn',
    title: 'Session timeouts that survive a GC pause',
    why: '[derived] A client declares its connection lost after 2/3 of the session timeout without a reply, and a stop-the-world GC pause on the client or the server counts against it. JvmPauseMonitor already reports pauses from 1 s (info) and 10 s (warn); a minimum session timeout of 4 s (2 x the sample tickTime of 2000 ms) is the smallest that rides out a 1 s pause with a ping to spare. Sessions that expire drop ephemeral nodes: locks and leaderships of the clients move.',
    threshold: `effective minSessionTimeout >= ${T.minSessionTimeoutMs} ms (derived; GC pauses themselves are not measured by preflight)`,
    source: `[derived] apache/zookeeper server/util/JvmPauseMonitor.java l.50-66; ${ADMIN} l.716-728 (${REFERENCE} §3.2 Z-GC-1, Z-TIME-2)`,
    remedy:
      'Raise tickTime to 2000 or more, or set minSessionTimeout to at least 4000, and keep client GC pauses well below it.',
  },
  (facts, info) =>
    configsOf(facts, 'zookeeper').flatMap((config) => {
      const { min } = sessionBoundsMs(config);
      if (min >= T.minSessionTimeoutMs) return [];
      return [
        configFinding(
          info,
          config,
          settingOf(config, 'minSessionTimeout') ?? settingOf(config, 'tickTime'),
          `sessions may time out after ${min} ms, less than ${T.minSessionTimeoutMs} ms: a GC pause can expire them`,
          { observed: min, threshold: T.minSessionTimeoutMs },
        ),
      ];
    }),
);

const sec1 = preflightRule(
  {
    id: 'ZK-SEC-1',
    kinds: zookeeper,
    severity: 'warn',
    title: 'TLS between servers (sslQuorum)',
    why: 'Without quorum TLS the servers exchange every transaction in clear text and accept any host that reaches the quorum and election ports.',
    threshold: 'sslQuorum=true',
    source: `${ADMIN} l.1673+, l.2351-2407 (${REFERENCE} §3.2 Z-SEC-1)`,
    remedy:
      'Set sslQuorum=true with ssl.quorum.keyStore.location and ssl.quorum.trustStore.location on every server.',
  },
  (facts, info) =>
    configsOf(facts, 'zookeeper').flatMap((config) => {
      const entry = settingOf(config, 'sslQuorum');
      if (entry?.value.trim().toLowerCase() === 'true') return [];
      return [
        configFinding(
          info,
          config,
          entry,
          'sslQuorum is not true: traffic between servers is not encrypted',
          {
            observed: entry?.value ?? 'unset',
            threshold: 'true',
          },
        ),
      ];
    }),
);

export const ZOOKEEPER_RULES: readonly PreflightRule[] = [
  size1,
  cfg1,
  disk1,
  purge1,
  sync1,
  buf1,
  buf2,
  fourLetterWords1,
  time1,
  gc1,
  sec1,
];
