/** Kafka's server.properties for KRaft nodes: roles, node id and the controller quorum lists. */
import type { PlannedConfig } from '../facts.js';
import { configInvalid } from './common.js';
import { parseJavaProperties } from './java-properties.js';

const NUMBER_KEYS = new Set([
  'node.id',
  'broker.id',
  'min.insync.replicas',
  'default.replication.factor',
  'controller.quorum.election.timeout.ms',
  'controller.quorum.fetch.timeout.ms',
  'controller.quorum.election.backoff.max.ms',
  'controller.quorum.request.timeout.ms',
]);

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^\s@:,[\]]+):\d{1,5}$/;

/** `controller.quorum.voters`: `id@host:port` entries (KIP-595), as Kafka validates them. */
export function parseVoters(value: string): { id: string; address: string }[] | undefined {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const voters = entries.map((entry) => {
    const match = /^(\d+)@(.+)$/.exec(entry);
    return match !== null && HOST_PORT.test(match[2] ?? '')
      ? { id: match[1] ?? '', address: match[2] ?? '' }
      : undefined;
  });
  return voters.every((voter) => voter !== undefined) ? voters : undefined;
}

/** `controller.quorum.bootstrap.servers` (KIP-853): `host:port` entries. */
export function parseBootstrapServers(value: string): string[] | undefined {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return entries.every((entry) => HOST_PORT.test(entry)) ? entries : undefined;
}

export function parseServerProperties(text: string, file: string): PlannedConfig[] {
  // Kafka trims values (ConfigDef parses lists and numbers from trimmed strings).
  const settings = parseJavaProperties(text, file, 'server.properties').map((entry) => ({
    ...entry,
    value: entry.value.trim(),
  }));
  if (settings.length === 0) {
    throw configInvalid(
      'server.properties',
      { file, line: 1, column: 1 },
      'the file holds no settings',
    );
  }
  for (const entry of settings) {
    if (NUMBER_KEYS.has(entry.key) && !/^-?\d+$/.test(entry.value)) {
      throw configInvalid(
        'server.properties',
        entry.location,
        `${entry.key} takes a whole number, got ${JSON.stringify(entry.value)}`,
        `write ${entry.key} as digits only (Kafka refuses to start otherwise)`,
      );
    }
    if (entry.key === 'process.roles') {
      const roles = entry.value.split(',').map((role) => role.trim());
      if (roles.some((role) => role !== 'broker' && role !== 'controller')) {
        throw configInvalid(
          'server.properties',
          entry.location,
          `process.roles takes broker, controller or both, got ${JSON.stringify(entry.value)}`,
          'write process.roles=controller (or broker)',
        );
      }
    }
    if (entry.key === 'controller.quorum.voters' && parseVoters(entry.value) === undefined) {
      throw configInvalid(
        'server.properties',
        entry.location,
        `controller.quorum.voters must list id@host:port entries, got ${JSON.stringify(entry.value)}`,
        'write controller.quorum.voters=1@c1:9093,2@c2:9093,3@c3:9093',
      );
    }
    if (
      entry.key === 'controller.quorum.bootstrap.servers' &&
      parseBootstrapServers(entry.value) === undefined
    ) {
      throw configInvalid(
        'server.properties',
        entry.location,
        `controller.quorum.bootstrap.servers must list host:port entries, got ${JSON.stringify(entry.value)}`,
        'write controller.quorum.bootstrap.servers=c1:9093,c2:9093,c3:9093',
      );
    }
  }
  const nodeId = [...settings].reverse().find((entry) => entry.key === 'node.id')?.value;
  return [
    {
      kind: 'kraft',
      format: 'server.properties',
      file,
      ...(nodeId !== undefined && { member: `node ${nodeId}` }),
      settings,
    },
  ];
}
