/** Builders of MemberStatus values for unit tests of the core rules. */
import type { MemberStatus } from '../../core/model.js';

/** A reachable voting follower of leader id-n1, in sync at index 100. */
export function reachableMember(name: string, overrides: Partial<MemberStatus> = {}): MemberStatus {
  return {
    id: `id-${name}`,
    name,
    endpoint: `http://${name}:2379`,
    role: 'follower',
    voter: true,
    reachable: true,
    term: 5,
    commitIndex: 100,
    appliedIndex: 100,
    leaderId: 'id-n1',
    alarms: [],
    ...overrides,
  };
}

/** A voter that refused the connection. */
export function unreachableMember(
  name: string,
  overrides: Partial<MemberStatus> = {},
): MemberStatus {
  return {
    id: `id-${name}`,
    name,
    endpoint: `http://${name}:2379`,
    role: 'unknown',
    voter: true,
    reachable: false,
    error: { code: 'ECONNREFUSED', message: 'connection refused' },
    alarms: [],
    ...overrides,
  };
}
