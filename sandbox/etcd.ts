/** etcd members on loopback: start flags, readiness (/health implies a leader), version. */
import { execFileSync } from 'node:child_process';
import { httpGet } from './probes.js';
import type { ServerKind } from './server-kind.js';

const PROBE_TIMEOUT_MS = 500;

export const etcdKind: ServerKind = {
  kind: 'etcd',
  executable: 'etcd',
  debianPackage: 'etcd-server',
  processMarker: 'etcd',
  allowedMembers: [1, 3, 5],
  portNames: ['client', 'peer'],

  plan({ sandbox, members }) {
    const peerUrl = (ports: Record<string, number>) => `http://127.0.0.1:${ports.peer ?? 0}`;
    const initialCluster = members
      .map((member) => `${member.name}=${peerUrl(member.ports)}`)
      .join(',');
    return members.map((member) => {
      const clientUrl = `http://127.0.0.1:${member.ports.client ?? 0}`;
      return {
        name: member.name,
        command: 'etcd',
        args: [
          '--name',
          member.name,
          '--data-dir',
          member.dataDir,
          '--listen-client-urls',
          clientUrl,
          '--advertise-client-urls',
          clientUrl,
          '--listen-peer-urls',
          peerUrl(member.ports),
          '--initial-advertise-peer-urls',
          peerUrl(member.ports),
          '--initial-cluster',
          initialCluster,
          '--initial-cluster-state',
          'new',
          '--initial-cluster-token',
          `quorumctl-${sandbox}-${Date.now().toString(36)}`,
        ],
        files: [],
        clientUrl,
      };
    });
  },

  async probe(members) {
    const answers = await Promise.all(
      members.map((member) => httpGet(`${member.clientUrl}/health`, PROBE_TIMEOUT_MS)),
    );
    const waitingFor = members.flatMap((member, index) => {
      const answer = answers[index];
      if (answer === undefined) return [`${member.name}: not answering on ${member.clientUrl}`];
      return answer.body.includes('"health":"true"')
        ? []
        : [`${member.name}: /health says ${answer.body.trim()}`];
    });
    return { ready: waitingFor.length === 0, waitingFor };
  },

  version() {
    const output = execFileSync('etcd', ['--version'], { encoding: 'utf8' });
    return Promise.resolve(/etcd Version:\s*(\S+)/.exec(output)?.[1] ?? 'unknown');
  },
};
