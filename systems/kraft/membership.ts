/**
 * Controller membership (KIP-853): AddRaftVoter and RemoveRaftVoter sent to the quorum leader,
 * and the translation of the adapter's AddMemberRequest / MemberRef into them.
 */
import type { MemberRef } from '../../core/check/observations.js';
import { UnreachableError, UnsupportedOperationError, UsageError } from '../../core/errors.js';
import type { ClusterStatus, MemberStatus } from '../../core/model.js';
import type { AddMemberRequest, ClusterTarget, ConnectOptions } from '../../core/ports.js';
import type { KraftConnectionOptions } from './connection.js';
import { isLeadershipError, KafkaErrorCode, kafkaError } from './kafka-errors.js';
import {
  bestQuorumAnswer,
  closeSessions,
  endpointFor,
  isGiven,
  leaderAddress,
  openSession,
  type Session,
} from './routing.js';
import type {
  AddRaftVoterRequest,
  RaftVoterListener,
  RaftVoterResponse,
  RemoveRaftVoterRequest,
} from './voter-codec.js';

/**
 * How long the leader may wait for the new voter set to commit: the new voter must have
 * caught up as an observer, and a majority of the new set must acknowledge.
 */
export const VOTER_CHANGE_TIMEOUT_MS = 10_000;

/** Kafka's base64 form of a 16-byte UUID. */
const DIRECTORY_ID = /^[A-Za-z0-9_-]{22}$/;

/**
 * AddRaftVoter from the adapter's request: the voter ID (`id`, else `name`), its metadata log
 * directory ID and its controller listeners (`NAME://host:port`). Only voters: a controller
 * becomes an observer by being started, no API call makes one.
 */
export function addVoterRequest(request: AddMemberRequest): AddRaftVoterRequest {
  const voterId = voterIdOf(request.id ?? request.name);
  if (request.role !== 'voter') {
    throw new UnsupportedOperationError(
      'KRAFT_OBSERVER_BY_START',
      `KRaft controller ${voterId}: a controller joins as an observer by being started (controller.quorum.bootstrap.servers), not through an API`,
      {
        actions: [
          'start the new controller, wait until quorumctl status shows it as an observer that has caught up',
          `then add it as a voter: quorumctl members add ${voterId} --role voter --directory-id ID --peer-urls CONTROLLER://HOST:PORT`,
        ],
      },
    );
  }
  const directoryId = request.directoryId;
  if (directoryId === undefined || !DIRECTORY_ID.test(directoryId)) {
    throw new UsageError(
      'DIRECTORY_ID_REQUIRED',
      `KRaft controller ${voterId}: AddRaftVoter needs the controller's metadata directory ID (22 base64 characters), got ${JSON.stringify(directoryId ?? '')}`,
      {
        actions: [
          'read directory.id from meta.properties in the new controller’s metadata log dir',
          'or from quorumctl status -o json (observers carry attributes.directoryId)',
        ],
      },
    );
  }
  return {
    clusterId: null,
    timeoutMs: VOTER_CHANGE_TIMEOUT_MS,
    voterId,
    voterDirectoryId: directoryId,
    listeners: request.peerUrls.map((url) => listenerOf(url, voterId)),
    ackWhenCommitted: true,
  };
}

/**
 * RemoveRaftVoter for a member of `status`: the directory ID comes from DescribeQuorum, so
 * the operator only names the voter.
 */
export function removeVoterRequest(
  status: ClusterStatus,
  member: MemberRef,
): { voter: MemberStatus; request: RemoveRaftVoterRequest } {
  const voter =
    status.members.find((candidate) => candidate.voter && candidate.id === member.id) ??
    status.members.find((candidate) => candidate.voter && candidate.name === member.name);
  if (voter === undefined) {
    const voters = status.members.filter((candidate) => candidate.voter).map((c) => c.id);
    throw new UsageError(
      'MEMBER_NOT_FOUND',
      `KRaft cluster "${status.cluster}" has no voter ${member.id || member.name} (voters: ${voters.join(', ')})`,
      { actions: ['quorumctl members list shows the voters and their directory IDs'] },
    );
  }
  const directoryId = voter.attributes?.directoryId;
  return {
    voter,
    request: {
      clusterId: status.clusterId ?? null,
      voterId: voterIdOf(voter.id),
      // A voter of a static quorum has no directory ID; the leader then answers why not.
      voterDirectoryId: typeof directoryId === 'string' ? directoryId : 'AAAAAAAAAAAAAAAAAAAAAA',
    },
  };
}

function voterIdOf(value: string): number {
  const id = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(id) || id > 2 ** 31 - 1) {
    throw new UsageError(
      'BAD_VOTER_ID',
      `"${value}" is not a KRaft node ID (node.id, a non-negative integer)`,
      {
        actions: ['quorumctl members list shows the node IDs'],
      },
    );
  }
  return id;
}

/** `CONTROLLER://host:port` (or `[::1]`): one listener of the new voter. */
function listenerOf(url: string, voterId: number): RaftVoterListener {
  const match = /^([A-Za-z0-9_.-]+):\/\/(\[[^\]]+\]|[^:/]+):(\d+)$/.exec(url.trim());
  const port = Number(match?.[3]);
  if (match?.[1] === undefined || match[2] === undefined || !(port >= 1 && port <= 65535)) {
    throw new UsageError(
      'BAD_LISTENER',
      `KRaft controller ${voterId}: ${JSON.stringify(url)} is not a controller listener NAME://HOST:PORT`,
      {
        actions: [
          'pass --peer-urls CONTROLLER://10.0.0.4:9093 (its controller.listener.names listener)',
        ],
      },
    );
  }
  return { name: match[1], host: match[2].replace(/^\[(.*)\]$/, '$1'), port };
}

export interface VoterChangeResult {
  /** The leader that accepted the change. */
  leaderId: number;
  endpoint: string;
  throttleTimeMs: number;
}

export function addRaftVoter(
  target: ClusterTarget,
  options: ConnectOptions,
  request: AddRaftVoterRequest,
): Promise<VoterChangeResult> {
  return changeVoters(target, options, 'AddRaftVoter', request.timeoutMs, (session) =>
    session.addRaftVoter(request),
  );
}

export function removeRaftVoter(
  target: ClusterTarget,
  options: ConnectOptions,
  request: RemoveRaftVoterRequest,
): Promise<VoterChangeResult> {
  return changeVoters(target, options, 'RemoveRaftVoter', 0, (session) =>
    session.removeRaftVoter(request),
  );
}

type Send = (client: NonNullable<Session['client']>) => Promise<RaftVoterResponse>;

/** Leadership can move between finding the leader and asking it: find it again, once. */
async function changeVoters(
  target: ClusterTarget,
  options: ConnectOptions,
  api: 'AddRaftVoter' | 'RemoveRaftVoter',
  serverTimeoutMs: number,
  send: Send,
): Promise<VoterChangeResult> {
  if (options.auth !== undefined) {
    throw new UnsupportedOperationError(
      'SASL_NOT_SUPPORTED',
      `KRaft cluster "${target.name}": quorumctl does not speak SASL yet`,
      { actions: ['use a PLAINTEXT or SSL (mutual TLS) controller listener'] },
    );
  }
  // The leader may take up to the request's own TimeoutMs before it answers.
  const connection: KraftConnectionOptions = {
    timeoutMs: options.timeoutMs + serverTimeoutMs,
    ...(options.tls !== undefined && { tls: options.tls }),
    ...(options.signal !== undefined && { signal: options.signal }),
  };
  for (let attempt = 1; ; attempt += 1) {
    const sessions = await leaderSessions(target, connection);
    try {
      const leader = bestQuorumAnswer(sessions);
      if (leader?.client === undefined || leader.quorum === undefined) {
        throw new UnreachableError(
          'NO_QUORUM_LEADER',
          `${api}: no controller of KRaft cluster "${target.name}" leads the quorum right now`,
          {
            actions: [
              'run quorumctl status to see which controllers answer',
              'list every controller in --endpoints; retry once an election has finished',
            ],
            details: { endpoints: sessions.map((session) => session.endpoint) },
          },
        );
      }
      const response = await send(leader.client);
      if (response.errorCode === KafkaErrorCode.NONE) {
        return {
          leaderId: leader.quorum.partition.leaderId,
          endpoint: leader.endpoint,
          throttleTimeMs: response.throttleTimeMs,
        };
      }
      if (!isLeadershipError(response.errorCode) || attempt >= 2) {
        throw kafkaError(response.errorCode, {
          api,
          endpoint: leader.endpoint,
          serverMessage: response.errorMessage,
        });
      }
    } finally {
      closeSessions(sessions);
    }
  }
}

async function leaderSessions(
  target: ClusterTarget,
  connection: KraftConnectionOptions,
): Promise<Session[]> {
  const given = [...new Set(target.endpoints)];
  const sessions = await Promise.all(given.map((endpoint) => openSession(endpoint, connection)));
  if (bestQuorumAnswer(sessions) === undefined) {
    const address = leaderAddress(sessions);
    if (address !== undefined && !isGiven(address, sessions)) {
      sessions.push(await openSession(endpointFor(address, given), connection));
    }
  }
  return sessions;
}
