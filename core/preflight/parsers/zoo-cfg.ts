/** ZooKeeper's zoo.cfg and its dynamic config file (server.N= lines), read as Java properties. */
import type { ConfigSetting, PlannedConfig } from '../facts.js';
import { configInvalid } from './common.js';
import { parseJavaProperties } from './java-properties.js';

/** Settings ZooKeeper parses as integers (Integer.decode for jute.maxbuffer, hence hex). */
const NUMBER_KEYS = new Set([
  'tickTime',
  'initLimit',
  'syncLimit',
  'clientPort',
  'secureClientPort',
  'maxClientCnxns',
  'minSessionTimeout',
  'maxSessionTimeout',
  'autopurge.purgeInterval',
  'autopurge.snapRetainCount',
  'snapCount',
  'jute.maxbuffer',
  'electionPortBindRetry',
  'fsync.warningthresholdms',
]);

/** Keys a dynamic config file holds; a file of only these is one, not a full zoo.cfg. */
const DYNAMIC_KEY = /^(server|group|weight)\.\d+$|^version$/;

/** `server.N=host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort]` */
const SERVER_LINE =
  /^(\[[0-9a-fA-F:.]+\]|[^:;\s]+):(\d{1,5}):(\d{1,5})(:(participant|observer))?(;(([^;\s]*):)?(\d{1,5}))?$/;

export interface ZooServer {
  id: string;
  host: string;
  role: 'participant' | 'observer';
  setting: ConfigSetting;
}

/** The ensemble as the server.N lines describe it (a standalone server has none). */
export function zooServers(config: PlannedConfig): ZooServer[] {
  const byId = new Map<string, ZooServer>();
  for (const entry of config.settings) {
    const id = /^server\.(\d+)$/.exec(entry.key)?.[1];
    const match = SERVER_LINE.exec(entry.value);
    if (id === undefined || match === null) continue;
    byId.set(id, {
      id,
      host: match[1] ?? '',
      role: match[5] === 'observer' ? 'observer' : 'participant',
      setting: entry,
    });
  }
  return [...byId.values()];
}

export function isDynamicConfig(config: PlannedConfig): boolean {
  return (
    config.settings.length > 0 && config.settings.every((entry) => DYNAMIC_KEY.test(entry.key))
  );
}

export function parseZooCfg(text: string, file: string): PlannedConfig[] {
  // ZooKeeper trims both sides of every entry (QuorumPeerConfig.parseProperties).
  const settings = parseJavaProperties(text, file, 'zoo.cfg').map((entry) => ({
    ...entry,
    key: entry.key.trim(),
    value: entry.value.trim(),
  }));
  for (const entry of settings) {
    if (NUMBER_KEYS.has(entry.key) && !/^(0[xX][0-9a-fA-F]+|-?\d+)$/.test(entry.value)) {
      throw configInvalid(
        'zoo.cfg',
        entry.location,
        `${entry.key} takes a whole number, got ${JSON.stringify(entry.value)}`,
        `write ${entry.key} as digits only (ZooKeeper refuses to start otherwise)`,
      );
    }
    if (entry.key.startsWith('server.')) {
      if (!/^server\.\d+$/.test(entry.key)) {
        throw configInvalid(
          'zoo.cfg',
          entry.location,
          `${JSON.stringify(entry.key)}: the server id after "server." must be a number`,
          'write server.1=host:2888:3888 (the id matches the myid file of that server)',
        );
      }
      if (!SERVER_LINE.test(entry.value)) {
        throw configInvalid(
          'zoo.cfg',
          entry.location,
          `${entry.key}=${entry.value} is not host:quorumPort:electionPort[:observer][;clientPort]`,
          `write ${entry.key}=zk1.example.com:2888:3888 (;2181 to add the client port)`,
        );
      }
    }
  }
  const config: PlannedConfig = { kind: 'zookeeper', format: 'zoo.cfg', file, settings };
  if (settings.length === 0) {
    throw configInvalid('zoo.cfg', { file, line: 1, column: 1 }, 'the file holds no settings');
  }
  if (!isDynamicConfig(config) && !settings.some((entry) => entry.key === 'dataDir')) {
    throw configInvalid(
      'zoo.cfg',
      { file, line: 1, column: 1 },
      'dataDir is not set: ZooKeeper refuses to start without it',
      'add dataDir=/var/lib/zookeeper (the directory that holds the myid file and snapshots)',
    );
  }
  return [config];
}
