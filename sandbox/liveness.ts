/** Which recorded members still run: the PID must exist and still be this sandbox's server. */
import { serverKind } from './kinds.js';
import { isAlive, type ServerProcess } from './processes.js';
import type { SandboxListing, SandboxMember, SandboxRecord } from './types.js';

/**
 * The server binary alone is a weak PID-reuse guard (another sandbox's etcd may get the
 * PID); every command line we start also names a path inside this sandbox's directory.
 */
export function serverProcess(record: SandboxRecord, member: SandboxMember): ServerProcess {
  return { pid: member.pid, markers: [serverKind(record.kind).processMarker, record.dir] };
}

export function memberAlive(record: SandboxRecord, member: SandboxMember): boolean {
  const { pid, markers } = serverProcess(record, member);
  return isAlive(pid, markers);
}

export function withLiveness(record: SandboxRecord): SandboxListing {
  const liveness = record.members.map((member) => ({
    name: member.name,
    pid: member.pid,
    alive: memberAlive(record, member),
  }));
  const alive = liveness.filter((member) => member.alive).length;
  const state = alive === liveness.length ? 'running' : alive === 0 ? 'stopped' : 'degraded';
  return { ...record, liveness, state };
}
