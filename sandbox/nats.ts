/** nats-server with JetStream on loopback: cluster configs, readiness via /healthz and the meta leader. */
import { join } from 'node:path';
import { commandOutput, httpGet, httpGetJson } from './probes.js';
import {
  clusterNotReady,
  readinessOf,
  type MemberProblem,
  type ServerKind,
} from './server-kind.js';

const PROBE_TIMEOUT_MS = 500;

export const natsKind: ServerKind = {
  kind: 'nats',
  executable: 'nats-server',
  debianPackage: 'nats-server',
  processMarker: 'nats-server',
  allowedMembers: [3, 5],
  portNames: ['client', 'cluster', 'http'],

  plan({ sandbox, confDir, members }) {
    const routes = members
      .map((member) => `nats-route://${member.host}:${member.ports.cluster ?? 0}`)
      .join(', ');
    return members.map((member) => {
      const config = join(confDir, `${member.name}.conf`);
      return {
        name: member.name,
        command: 'nats-server',
        args: ['-c', config],
        files: [
          {
            path: config,
            content: [
              `server_name: ${member.name}`,
              `listen: ${member.host}:${member.ports.client ?? 0}`,
              `http: ${member.host}:${member.ports.http ?? 0}`,
              `jetstream { store_dir: "${member.dataDir}" }`,
              // Quoted: an all-digit sandbox name would otherwise parse as a number and be rejected.
              `cluster { name: "${sandbox}", listen: ${member.host}:${member.ports.cluster ?? 0}, routes: [${routes}] }`,
              '',
            ].join('\n'),
          },
        ],
        clientUrl: `nats://${member.host}:${member.ports.client ?? 0}`,
        monitorUrl: `http://${member.host}:${member.ports.http ?? 0}`,
      };
    });
  },

  async probe(members) {
    const health = await Promise.all(
      members.map((member) => httpGet(`${member.monitorUrl ?? ''}/healthz`, PROBE_TIMEOUT_MS)),
    );
    const problems = members.flatMap((member, index): MemberProblem[] => {
      const status = health[index]?.status;
      if (status === 200) return [];
      const why =
        status === undefined
          ? `no answer on ${member.monitorUrl ?? ''}/healthz within ${PROBE_TIMEOUT_MS} ms`
          : `/healthz ${status}`;
      return [{ member: member.name, why }];
    });
    if (problems.length > 0) return readinessOf(problems);
    // /healthz turns 200 once a meta leader exists; /jsz confirms it by name.
    const leader = metaLeader(
      await httpGetJson(`${members[0]?.monitorUrl ?? ''}/jsz`, PROBE_TIMEOUT_MS),
    );
    return leader !== undefined
      ? readinessOf([])
      : clusterNotReady(members, 'no JetStream meta leader yet');
  },

  async version() {
    const output = await commandOutput('nats-server', ['--version']);
    return /v?(\d+\.\d+\.\d+)/.exec(output ?? '')?.[1] ?? 'unknown';
  },
};

/** The meta leader's server name from a /jsz document, if it names one. */
export function metaLeader(jsz: unknown): string | undefined {
  if (typeof jsz !== 'object' || jsz === null || !('meta_cluster' in jsz)) return undefined;
  const meta = jsz.meta_cluster;
  if (typeof meta !== 'object' || meta === null || !('leader' in meta)) return undefined;
  return typeof meta.leader === 'string' && meta.leader !== '' ? meta.leader : undefined;
}
