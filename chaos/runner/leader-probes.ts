/**
 * Asks each member on its own whom it follows. A status of the whole cluster waits for
 * its slowest member (a paused one: the full timeout), which would blur the leader timeline
 * by a second or more; one probe per member, each answer stamped when it arrives, does not.
 */
import { sendFourLetterWord } from '../../systems/zookeeper/four-letter-words.js';
import type { DrillKind } from '../drills/scenario.js';
import type { MemberClaim } from './leader-claims.js';

export type MemberProbe = (member: string, signal: AbortSignal) => Promise<MemberClaim>;

async function postJson(url: string, signal: AbortSignal): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: 'POST', body: '{}', signal });
  return (await response.json()) as Record<string, unknown>;
}

async function getJson(url: string, signal: AbortSignal): Promise<Record<string, unknown>> {
  const response = await fetch(url, { signal });
  return (await response.json()) as Record<string, unknown>;
}

/** What a probe needs of a cluster: a sandbox record is one, a tunnelled Kubernetes cluster too. */
export interface ProbedCluster {
  kind: DrillKind;
  /** Members by the drill's names, with the URLs this process reaches them at. */
  members: readonly { name: string; clientUrl: string; monitorUrl?: string }[];
}

export function leaderProbeFor(record: ProbedCluster): MemberProbe {
  const byName = new Map(record.members.map((member) => [member.name, member]));
  const urlOf = (name: string) => byName.get(name)?.clientUrl ?? '';
  switch (record.kind) {
    case 'etcd': {
      // Member IDs to names, learnt from each member's own answer (header.member_id).
      const names = new Map<string, string>();
      return async (member, signal) => {
        const status = await postJson(`${urlOf(member)}/v3/maintenance/status`, signal);
        const header = status.header as { member_id?: string } | undefined;
        if (header?.member_id !== undefined) names.set(header.member_id, member);
        const leader =
          typeof status.leader === 'string' && status.leader !== '0' ? status.leader : undefined;
        const term = Number(status.raftTerm ?? status.raft_term);
        // A leader whose own answer has not come in yet is not named: no claim rather than an ID.
        const name = leader === undefined ? undefined : names.get(leader);
        return {
          leader: name ?? null,
          ...(name !== undefined && Number.isFinite(term) && { term }),
        };
      };
    }
    case 'zookeeper':
      // Only the leader names itself ("Mode: leader"); the epoch is the zxid's high 32 bits.
      return async (member, signal) => {
        const reply = await sendFourLetterWord(urlOf(member), 'srvr', { timeoutMs: 2000, signal });
        if (!/Mode:\s*leader/.test(reply)) return { leader: null };
        const zxid = /Zxid:\s*(0x[0-9a-f]+)/i.exec(reply)?.[1];
        return {
          leader: member,
          ...(zxid !== undefined && { term: Number(BigInt(zxid) >> 32n) }),
        };
      };
    case 'nats':
      return async (member, signal) => {
        const monitor = byName.get(member)?.monitorUrl ?? '';
        const jsz = await getJson(`${monitor}/jsz`, signal);
        const meta = jsz.meta_cluster as { leader?: string } | undefined;
        return { leader: meta?.leader !== undefined && meta.leader !== '' ? meta.leader : null };
      };
  }
}
