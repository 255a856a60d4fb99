/** What `preflight --host` should probe for the given configurations: a data dir and peers. */
import { settingOf, type PlannedConfig } from './facts.js';
import { parseBootstrapServers, parseVoters } from './parsers/server-properties.js';
import { zooServers } from './parsers/zoo-cfg.js';

export interface HostProbeTargets {
  /** The directory whose filesystem holds the log that is fsynced on every commit. */
  dataDir?: string;
  /** host:port of every peer the configurations name (this member's own entry left out where known). */
  peers: string[];
}

function hostPortOfUrl(url: string): string | undefined {
  const match = /^[a-z+]+:\/\/([^/]+)/i.exec(url.trim());
  return match?.[1];
}

function targetsOf(config: PlannedConfig): HostProbeTargets {
  const value = (key: string) => settingOf(config, key)?.value.trim() || undefined;
  switch (config.kind) {
    case 'etcd': {
      const walDir = value('wal-dir');
      const dataDir =
        walDir ??
        value('data-dir') ??
        (config.member === undefined ? undefined : `${config.member}.etcd`);
      // This member's own peer URL is not listening before it is deployed: leave it out.
      const peers = (value('initial-cluster') ?? '')
        .split(',')
        .filter((entry) => entry.slice(0, entry.indexOf('=')).trim() !== config.member)
        .map((entry) => hostPortOfUrl(entry.slice(entry.indexOf('=') + 1)))
        .filter((peer): peer is string => peer !== undefined);
      return { ...(dataDir !== undefined && { dataDir }), peers };
    }
    case 'zookeeper': {
      const dataDir = value('dataLogDir') ?? value('dataDir');
      const peers = zooServers(config).map((server) => {
        const quorumPort = /:(\d+):\d+/.exec(server.setting.value)?.[1] ?? '2888';
        return `${server.host}:${quorumPort}`;
      });
      return { ...(dataDir !== undefined && { dataDir }), peers };
    }
    case 'kraft': {
      const dataDir = value('metadata.log.dir') ?? value('log.dirs')?.split(',')[0]?.trim();
      const voters = value('controller.quorum.voters');
      const bootstrap = value('controller.quorum.bootstrap.servers');
      const peers =
        (voters === undefined
          ? undefined
          : parseVoters(voters)
              ?.filter((voter) => voter.id !== value('node.id'))
              .map((voter) => voter.address)) ??
        (bootstrap === undefined ? undefined : parseBootstrapServers(bootstrap)) ??
        [];
      return { ...(dataDir !== undefined && { dataDir }), peers };
    }
    case 'nats': {
      const dataDir = value('jetstream.store_dir') ?? value('jetstream.store');
      const peers = config.settings
        .filter((entry) => /^cluster\.routes\.\d+$/.test(entry.key))
        .map((entry) => hostPortOfUrl(entry.value))
        .filter((peer): peer is string => peer !== undefined);
      return { ...(dataDir !== undefined && { dataDir }), peers };
    }
    default:
      return { peers: [] };
  }
}

/** The first configuration's data dir (the member on this host) and every peer, once. */
export function hostProbeTargets(configs: readonly PlannedConfig[]): HostProbeTargets {
  const all = configs.map(targetsOf);
  const dataDir = all.find((targets) => targets.dataDir !== undefined)?.dataDir;
  return {
    ...(dataDir !== undefined && { dataDir }),
    peers: [...new Set(all.flatMap((targets) => targets.peers))],
  };
}
