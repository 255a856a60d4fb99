/** Turns the streams and consumers each server hosts into one Raft group status each (pure). */
import type { RaftGroupStatus } from '../../core/model.js';
import type { ClusterInfo, Jsz, PeerInfo } from './monitoring-types.js';
import { leaderNameOf } from './server-probe.js';

/** One server's /jsz, named by the server that answered it. */
export interface GroupsObservation {
  server: string;
  jsz: Jsz;
}

interface View {
  observer: string;
  cluster: ClusterInfo;
}

interface Observed {
  id: string;
  type: 'stream' | 'consumer';
  views: View[];
}

/**
 * Every stream and consumer any answering server hosts, merged across servers. Each server
 * reports the group from its own Raft node, and only the leader's node tracks its
 * followers, so the leader's view is used whenever the leader answered.
 * `downServers` are members known to be down (they count as unhealthy replicas even
 * while the leader has not noticed yet).
 */
export function raftGroups(
  observations: readonly GroupsObservation[],
  downServers: ReadonlySet<string>,
): RaftGroupStatus[] {
  const observed = new Map<string, Observed>();
  const see = (id: string, type: Observed['type'], view: View) => {
    const entry = observed.get(id) ?? { id, type, views: [] };
    entry.views.push(view);
    observed.set(id, entry);
  };
  for (const { server, jsz } of observations) {
    for (const account of jsz.account_details ?? []) {
      const accountName = account.id ?? account.name;
      for (const stream of account.stream_detail ?? []) {
        // nats-server's own spelling in logs and /healthz: 'ACCOUNT > STREAM > CONSUMER'.
        const streamId = `${accountName} > ${stream.name}`;
        see(streamId, 'stream', { observer: server, cluster: stream.cluster ?? {} });
        for (const consumer of stream.consumer_detail ?? [])
          see(`${streamId} > ${consumer.name}`, 'consumer', {
            observer: server,
            cluster: consumer.cluster ?? {},
          });
      }
    }
  }
  const observers = new Set(observations.map((observation) => observation.server));
  return [...observed.values()]
    .map((group) => groupStatus(group, observers, downServers))
    .sort((a, b) => a.id.localeCompare(b.id));
}

function groupStatus(
  group: Observed,
  observers: ReadonlySet<string>,
  down: ReadonlySet<string>,
): RaftGroupStatus {
  const claims = group.views.filter((view) => leaderNameOf(view.cluster) === view.observer);
  const [leaderView] = claims;
  if (leaderView !== undefined) {
    const status = fromLeaderView(group, leaderView, down);
    if (claims.length > 1)
      status.problems.unshift(
        `${claims.map((view) => view.observer).join(', ')} all claim to lead`,
      );
    return status;
  }
  return fromFollowerViews(group, observers, down);
}

/** The leader's node knows each follower's progress: current, offline and lag are its word. */
function fromLeaderView(group: Observed, view: View, down: ReadonlySet<string>): RaftGroupStatus {
  const followers = view.cluster.replicas ?? [];
  const problems = followers.flatMap((peer) => {
    const problem = replicaProblem(peer, down);
    return problem === undefined ? [] : [problem];
  });
  const status: RaftGroupStatus = {
    id: group.id,
    type: group.type,
    leader: view.observer,
    // An R1 group has no Raft node: its one server reports itself leader with no replicas.
    replicas: 1 + followers.length,
    healthyReplicas: 1 + followers.length - problems.length,
    problems,
  };
  if (followers.length > 0) status.lagEntries = Math.max(...followers.map((peer) => peer.lag ?? 0));
  return status;
}

function replicaProblem(peer: PeerInfo, down: ReadonlySet<string>): string | undefined {
  if (down.has(peer.name)) return `replica ${peer.name} down`;
  if (peer.offline === true) return `replica ${peer.name} offline`;
  if (!peer.current)
    return `replica ${peer.name} not current${peer.lag === undefined ? '' : ` (${peer.lag} behind)`}`;
  return undefined;
}

/**
 * No server claims the group. Followers' nodes do not track each other, so replicas are
 * judged by whether their servers are up, and the leader they name is kept only while
 * nothing says it is gone.
 */
function fromFollowerViews(
  group: Observed,
  observers: ReadonlySet<string>,
  down: ReadonlySet<string>,
): RaftGroupStatus {
  const named = [...new Set(group.views.map((view) => leaderNameOf(view.cluster)))].filter(
    (name): name is string => name !== undefined,
  );
  const peers = new Set<string>(named);
  let replicas = 1;
  for (const view of group.views) {
    peers.add(view.observer);
    for (const peer of view.cluster.replicas ?? []) peers.add(peer.name);
    // A follower lists every peer but itself; with no leader it lists itself too.
    const listed = view.cluster.replicas?.length ?? 0;
    replicas = Math.max(replicas, leaderNameOf(view.cluster) === undefined ? listed : listed + 1);
  }
  const upPeers = [...peers].filter((peer) => !down.has(peer)).length;
  const status: RaftGroupStatus = {
    id: group.id,
    type: group.type,
    replicas,
    healthyReplicas: Math.min(replicas, upPeers),
    problems: [],
  };
  const [leader] = named;
  if (named.length > 1) status.problems.push(`no leader: followers name ${named.join(', ')}`);
  else if (leader === undefined) status.problems.push('no leader');
  else if (down.has(leader)) status.problems.push(`no leader: ${leader} is down, election due`);
  else if (observers.has(leader))
    status.problems.push(`no leader: ${leader} is named but does not claim it`);
  else {
    status.leader = leader;
    status.problems.push(`leader ${leader} unconfirmed: its /jsz was not read`);
  }
  for (const peer of [...peers].filter((name) => down.has(name) && name !== leader).sort())
    status.problems.push(`replica ${peer} down`);
  return status;
}
