/** nats-server with JetStream on loopback: cluster configs, readiness via /healthz and the meta leader. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { httpGet } from './probes.js';
import type { ServerKind } from './server-kind.js';

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
      .map((member) => `nats-route://127.0.0.1:${member.ports.cluster ?? 0}`)
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
              `listen: 127.0.0.1:${member.ports.client ?? 0}`,
              `http: 127.0.0.1:${member.ports.http ?? 0}`,
              `jetstream { store_dir: "${member.dataDir}" }`,
              `cluster { name: ${sandbox}, listen: 127.0.0.1:${member.ports.cluster ?? 0}, routes: [${routes}] }`,
              '',
            ].join('\n'),
          },
        ],
        clientUrl: `nats://127.0.0.1:${member.ports.client ?? 0}`,
        monitorUrl: `http://127.0.0.1:${member.ports.http ?? 0}`,
      };
    });
  },

  async probe(members) {
    const health = await Promise.all(
      members.map((member) => httpGet(`${member.monitorUrl ?? ''}/healthz`, PROBE_TIMEOUT_MS)),
    );
    const waitingFor = members.flatMap((member, index) =>
      health[index]?.status === 200
        ? []
        : [`${member.name}: /healthz ${health[index]?.status ?? 'not answering'}`],
    );
    if (waitingFor.length > 0) return { ready: false, waitingFor };
    // /healthz turns 200 once a meta leader exists; /jsz confirms it by name.
    const jsz = await httpGet(`${members[0]?.monitorUrl ?? ''}/jsz`, PROBE_TIMEOUT_MS);
    const leader =
      jsz === undefined
        ? undefined
        : (JSON.parse(jsz.body) as { meta_cluster?: { leader?: string } }).meta_cluster?.leader;
    return leader !== undefined && leader !== ''
      ? { ready: true, waitingFor: [] }
      : { ready: false, waitingFor: ['no JetStream meta leader yet'] };
  },

  version() {
    const output = execFileSync('nats-server', ['--version'], { encoding: 'utf8' });
    return Promise.resolve(/v?(\d+\.\d+\.\d+)/.exec(output)?.[1] ?? 'unknown');
  },
};
