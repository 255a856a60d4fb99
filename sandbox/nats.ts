/**
 * nats-server with JetStream on loopback: cluster configs with a system account (meta
 * operations) and an application account anonymous clients land in, readiness via /healthz
 * and the meta leader.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuthOptions } from '../core/ports.js';
import { commandOutput, httpGet, httpGetJson } from './probes.js';
import {
  clusterNotReady,
  readinessOf,
  type MemberProblem,
  type ServerKind,
} from './server-kind.js';

const PROBE_TIMEOUT_MS = 500;
/** The system account's user: meta leader step-down and peer removal need it. */
export const NATS_SYSTEM_USER = 'sys';
/** Where the sandbox keeps the system user's credentials (JSON `{username, password}`). */
const SYSTEM_USER_FILE = 'system-user.json';

export const natsKind: ServerKind = {
  kind: 'nats',
  executable: 'nats-server',
  debianPackage: 'nats-server',
  processMarker: 'nats-server',
  allowedMembers: [3, 5],
  portNames: ['client', 'cluster', 'http'],

  plan({ sandbox, confDir, members }) {
    // One password per sandbox, shared by every member's config (accounts must agree).
    const systemPassword = randomBytes(18).toString('base64url');
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
            path: join(confDir, SYSTEM_USER_FILE),
            content: `${JSON.stringify({ username: NATS_SYSTEM_USER, password: systemPassword })}\n`,
          },
          {
            path: config,
            content: [
              `server_name: ${member.name}`,
              `listen: ${member.host}:${member.ports.client ?? 0}`,
              `http: ${member.host}:${member.ports.http ?? 0}`,
              `jetstream { store_dir: "${member.dataDir}" }`,
              // Quoted: an all-digit sandbox name would otherwise parse as a number and be rejected.
              `cluster { name: "${sandbox}", listen: ${member.host}:${member.ports.cluster ?? 0}, routes: [${routes}] }`,
              // Anonymous clients land in APP (JetStream on), so tests and demos need no
              // credentials; SYS is the system account the meta-group API answers to.
              'accounts {',
              `  SYS { users: [{ user: "${NATS_SYSTEM_USER}", password: "${systemPassword}" }] }`,
              '  APP { jetstream: enabled, users: [{ user: "app" }] }',
              '}',
              'system_account: SYS',
              'no_auth_user: app',
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

/**
 * The system account user of a NATS sandbox (`sandbox up` wrote it into the sandbox's
 * conf dir), for the commands that act on the meta group. Undefined for a sandbox started
 * before the sandbox had a system account.
 */
export async function natsSandboxSystemUser(sandboxDir: string): Promise<AuthOptions | undefined> {
  try {
    const parsed = JSON.parse(
      await readFile(join(sandboxDir, 'conf', SYSTEM_USER_FILE), 'utf8'),
    ) as Partial<Record<'username' | 'password', unknown>>;
    return typeof parsed.username === 'string' && typeof parsed.password === 'string'
      ? { username: parsed.username, password: parsed.password }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The meta leader's server name from a /jsz document, if it names one. */
export function metaLeader(jsz: unknown): string | undefined {
  if (typeof jsz !== 'object' || jsz === null || !('meta_cluster' in jsz)) return undefined;
  const meta = jsz.meta_cluster;
  if (typeof meta !== 'object' || meta === null || !('leader' in meta)) return undefined;
  return typeof meta.leader === 'string' && meta.leader !== '' ? meta.leader : undefined;
}
