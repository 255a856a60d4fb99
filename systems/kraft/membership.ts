/**
 * Controller membership (KIP-853): AddRaftVoter and RemoveRaftVoter sent to the quorum leader.
 * Not wired to a command yet; the membership work will call these through ops/.
 */
import { UnreachableError, UnsupportedOperationError } from '../../core/errors.js';
import type { ClusterTarget, ConnectOptions } from '../../core/ports.js';
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
  RaftVoterResponse,
  RemoveRaftVoterRequest,
} from './voter-codec.js';

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
