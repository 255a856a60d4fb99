/**
 * The sandbox as a member provisioner for membership changes: it picks the joining member's
 * ports (and namespace), starts its process once the cluster accepted it, and stops removed
 * members. Structurally an ops MemberProvisioner (sandbox imports only core/).
 */
import type { MemberRef } from '../core/check/observations.js';
import type { JoiningRole } from '../core/maintenance/membership-plan.js';
import type { AddedMember, AddMemberRequest } from '../core/ports.js';
import {
  sandboxAddMember,
  sandboxReleaseMember,
  sandboxRemoveMember,
  sandboxReserveMember,
  type ReservedMember,
} from './membership.js';
import { sandboxList } from './manager.js';

export interface SandboxProvisioner {
  reserve(
    name: string,
    role: JoiningRole,
  ): Promise<{ peerUrls: string[]; clientUrls: string[]; id?: string }>;
  start(request: AddMemberRequest, added: AddedMember | undefined): Promise<void>;
  stop(member: MemberRef): Promise<void>;
}

/** The sandbox starts the joining member on ports it reserves, and stops removed members. */
export function sandboxProvisioner(stateDir: string, sandbox: string): SandboxProvisioner {
  const reserved = new Map<string, ReservedMember>();
  return {
    async reserve(name) {
      const reservation = await sandboxReserveMember(stateDir, sandbox, { member: name });
      reserved.set(name, reservation);
      return {
        peerUrls: reservation.peerUrls,
        clientUrls: reservation.clientUrls,
        ...(reservation.id !== undefined && { id: reservation.id }),
      };
    },
    async start(request) {
      const reservation = reserved.get(request.name);
      await sandboxAddMember(stateDir, sandbox, {
        member: request.name,
        role: request.role,
        ...(reservation !== undefined && { reserved: reservation }),
      });
      reserved.delete(request.name);
    },
    async stop(member) {
      const listing = (await sandboxList(stateDir)).find((entry) => entry.name === sandbox);
      // ZooKeeper names servers `server.N`; the sandbox started server N as `nN`.
      const number = /^server\.(\d+)$/.exec(member.name)?.[1];
      const candidates = number === undefined ? [member.name] : [member.name, `n${number}`];
      const started = listing?.members.find((candidate) => candidates.includes(candidate.name));
      if (started !== undefined) {
        await sandboxRemoveMember(stateDir, sandbox, started.name);
        return;
      }
      // Reserved but never started (the cluster refused it): give its namespace back. A member
      // added by hand has no process here to stop.
      const unstarted = candidates.find((candidate) => reserved.has(candidate));
      if (unstarted === undefined) return;
      reserved.delete(unstarted);
      await sandboxReleaseMember(stateDir, sandbox, unstarted);
    },
  };
}
