/** Cluster statuses written as one line ("n1:L n2:F n3:D n4:l") for membership planner tests. */
import { assembleClusterStatus } from '../../core/cluster-status.js';
import type { ClusterStatus, MemberStatus, SystemKind } from '../../core/model.js';
import { reachableMember, unreachableMember } from './members.js';

/**
 * Tokens `name:code`: L leader, F follower, D voter down, l learner (running), u etcd member
 * added but never started, o observer (ZooKeeper), x learner down.
 */
export function clusterOf(spec: string, kind: SystemKind = 'etcd'): ClusterStatus {
  const members = spec
    .trim()
    .split(/\s+/)
    .map((token): MemberStatus => {
      const [name = '', code = 'F'] = token.split(':');
      switch (code) {
        case 'L':
          return reachableMember(name, { role: 'leader', leaderId: 'id-n1', id: `id-${name}` });
        case 'F':
          return reachableMember(name);
        case 'D':
          return unreachableMember(name);
        case 'l':
          return reachableMember(name, { role: 'learner', voter: false, commitIndex: 90 });
        case 'x':
          return unreachableMember(name, { role: 'learner', voter: false });
        case 'o':
          return reachableMember(name, { role: 'observer', voter: false });
        case 'u':
          return unreachableMember(name, {
            name: '(unstarted)',
            id: `id-${name}`,
            role: 'learner',
            voter: false,
            error: { code: 'NOT_STARTED', message: 'not started' },
          });
        default:
          throw new Error(`unknown member code ${code}`);
      }
    });
  // reachableMember points every follower at id-n1: keep the leader's id consistent.
  const leader = members.find((member) => member.role === 'leader');
  const withLeader = members.map((member) =>
    leader === undefined || !member.reachable ? member : { ...member, leaderId: leader.id },
  );
  return assembleClusterStatus({
    cluster: 'test',
    kind,
    members: withLeader,
    observedAt: new Date('2026-01-01T00:00:00Z'),
  });
}
