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

/** Member IDs recorded from a real 3-member etcd 3.4.23 (uint64, as strings). */
export const RECORDED_IDS = {
  n1: '11316225383092011485',
  n2: '15866929690099255918',
  n3: '7631356089522726853',
};

/** A member of a recorded-looking 3-member etcd on 127.0.0.1:2370N where n1 leads at term 2. */
export function recordedEtcdMember(
  name: 'n1' | 'n2' | 'n3',
  overrides: Partial<MemberStatus> = {},
): MemberStatus {
  return {
    id: RECORDED_IDS[name],
    name,
    endpoint: `http://127.0.0.1:2370${name.slice(1)}`,
    role: name === 'n1' ? 'leader' : 'follower',
    voter: true,
    reachable: true,
    term: 2,
    commitIndex: 12,
    appliedIndex: 12,
    leaderId: RECORDED_IDS.n1,
    dbSizeBytes: 20480,
    quotaBytes: 2147483648,
    alarms: [],
    ...overrides,
  };
}
