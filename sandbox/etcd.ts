/** etcd members on loopback: start flags, readiness (/health implies a leader), version. */
import { randomBytes } from 'node:crypto';
import { commandOutput, httpGet, httpPostJson } from './probes.js';
import {
  readinessOf,
  type MemberProblem,
  type MemberSlot,
  type ServerKind,
} from './server-kind.js';
import type { SandboxMember } from './types.js';

const PROBE_TIMEOUT_MS = 500;

const clientUrlOf = (member: MemberSlot) => `http://${member.host}:${member.ports.client ?? 0}`;
const peerUrlOf = (member: MemberSlot) => `http://${member.host}:${member.ports.peer ?? 0}`;
const initialClusterOf = (members: readonly MemberSlot[]) =>
  members.map((member) => `${member.name}=${peerUrlOf(member)}`).join(',');

function memberArgs(
  member: MemberSlot,
  initialCluster: string,
  clusterState: 'new' | 'existing',
): string[] {
  return [
    '--name',
    member.name,
    '--data-dir',
    member.dataDir,
    '--listen-client-urls',
    clientUrlOf(member),
    '--advertise-client-urls',
    clientUrlOf(member),
    '--listen-peer-urls',
    peerUrlOf(member),
    '--initial-advertise-peer-urls',
    peerUrlOf(member),
    '--initial-cluster',
    initialCluster,
    '--initial-cluster-state',
    clusterState,
    // etcd 3.5+'s default, off in the 3.4 Debian ships. Without it a follower one entry
    // behind, when the leader goes, starts elections it cannot win; each bumps the term and
    // restarts the up-to-date follower's timer: 3 to 10 rounds (3-14 s) were measured where
    // one round (~1.2 s) is what a 3.5 cluster does. A healed, isolated leader disrupts too.
    '--pre-vote=true',
  ];
}

export const etcdKind: ServerKind = {
  kind: 'etcd',
  executable: 'etcd',
  debianPackage: 'etcd-server',
  // An operator's ETCD_QUOTA_BACKEND_BYTES or ETCD_DATA_DIR must not leak into the sandbox.
  settingsEnvPrefix: 'ETCD_',
  processMarker: 'etcd',
  allowedMembers: [1, 3, 5],
  portNames: ['client', 'peer'],

  plan({ sandbox, members }) {
    const initialCluster = initialClusterOf(members);
    // One token for all members (it seeds the cluster ID: members with different tokens
    // form different clusters), random so a sandbox never joins a stale member of another.
    const token = `quorumctl-${sandbox}-${randomBytes(4).toString('hex')}`;
    return members.map((member) => ({
      name: member.name,
      command: 'etcd',
      args: [...memberArgs(member, initialCluster, 'new'), '--initial-cluster-token', token],
      files: [],
      clientUrl: clientUrlOf(member),
      // The client port also serves /metrics, /health and /version.
      monitorUrl: clientUrlOf(member),
    }));
  },

  /**
   * A member joining the running cluster after MemberAdd: `--initial-cluster` lists the
   * members it joins plus itself, and `existing` makes it fetch the cluster ID from its peers
   * instead of forming a new cluster (whether it is a learner was decided by MemberAdd).
   */
  planJoin({ members, joining }) {
    return {
      name: joining.name,
      command: 'etcd',
      args: memberArgs(joining, initialClusterOf([...members, joining]), 'existing'),
      files: [],
      clientUrl: clientUrlOf(joining),
      monitorUrl: clientUrlOf(joining),
    };
  },

  async probe(members) {
    const answers = await Promise.all(
      members.map((member) => httpGet(`${member.clientUrl}/health`, PROBE_TIMEOUT_MS)),
    );
    return readinessOf(
      members.flatMap((member, index): MemberProblem[] => {
        const answer = answers[index];
        if (answer === undefined)
          return [
            {
              member: member.name,
              why: `no answer on ${member.clientUrl} within ${PROBE_TIMEOUT_MS} ms`,
            },
          ];
        return answer.body.includes('"health":"true"')
          ? []
          : [{ member: member.name, why: `/health says ${answer.body.trim()}` }];
      }),
    );
  },

  /**
   * Followers first, then the leader. Measured on 3.4.23 with 3 members: SIGTERM to all at
   * once took 7 s (the leader tries to hand over leadership to peers that are leaving);
   * followers then leader took 40-65 ms in all; leader first took 7 s for the other two.
   */
  async shutdownWaves(members) {
    const leaders = await Promise.all(members.map(isLeader));
    const leader = members.filter((_, index) => leaders[index] === true);
    if (leader.length !== 1) return [[...members]]; // no single leader: no order helps
    return [members.filter((_, index) => leaders[index] !== true), leader];
  },

  async version() {
    const output = await commandOutput('etcd', ['--version']);
    return /etcd Version:\s*(\S+)/.exec(output ?? '')?.[1] ?? 'unknown';
  },
};

/** Whether the member reports itself as leader; undefined if it does not answer in time. */
async function isLeader(member: SandboxMember): Promise<boolean | undefined> {
  // The JSON gateway returns uint64 IDs as strings, so they compare exactly.
  const status = await httpPostJson(
    `${member.clientUrl}/v3/maintenance/status`,
    {},
    PROBE_TIMEOUT_MS,
  );
  if (typeof status !== 'object' || status === null) return undefined;
  const leader = 'leader' in status ? status.leader : undefined;
  const header = 'header' in status ? status.header : undefined;
  const self =
    typeof header === 'object' && header !== null && 'member_id' in header
      ? header.member_id
      : undefined;
  return typeof leader === 'string' && leader === self;
}
