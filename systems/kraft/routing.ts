/** Finds the quorum leader: every endpoint is asked DescribeCluster and DescribeQuorum at once. */
import { describeCause, isQuorumctlError, type QuorumctlError } from '../../core/errors.js';
import type { MemberError } from '../../core/model.js';
import { KraftClient } from './client.js';
import { KraftTransportError, parseEndpoint, type KraftConnectionOptions } from './connection.js';
import {
  describeKafkaError,
  isLeadershipError,
  KafkaErrorCode,
  kafkaError,
  kafkaErrorName,
} from './kafka-errors.js';
import { EndpointType, type DescribeClusterResult, type DescribeQuorumResult } from './messages.js';
import { addressKey, formatAddress } from './quorum-status.js';
import { ApiKey, KraftWireError } from './wire.js';

/** One endpoint, asked everything a status needs; failures are kept as data. */
export interface Session {
  endpoint: string;
  client?: KraftClient;
  /** Why the connection or ApiVersions failed. */
  error?: MemberError;
  /** DescribeCluster with EndpointType=controllers (or brokers, for clusterId, on a broker listener). */
  cluster?: DescribeClusterResult;
  quorum?: DescribeQuorumResult;
  /** Why DescribeQuorum gave no usable answer. */
  quorumFailure?: QuorumFailure;
}

export interface QuorumFailure {
  /** NOT_LEADER_OR_FOLLOWER and friends: ask another controller. */
  leadership: boolean;
  /** A typed error to raise if nothing better turns up (authorization, not KRaft, ...). */
  error?: QuorumctlError;
  memberError: MemberError;
}

export async function openSession(
  endpoint: string,
  options: KraftConnectionOptions,
): Promise<Session> {
  let client: KraftClient;
  try {
    client = await KraftClient.open(endpoint, options);
  } catch (cause) {
    return { endpoint, error: memberError(cause) };
  }
  const session: Session = { endpoint, client };
  // Pipelined on one connection: the server answers in order.
  const [cluster, quorum] = await Promise.allSettled([
    describeControllers(client),
    client.describeQuorum(),
  ]);
  if (cluster.status === 'fulfilled' && cluster.value !== undefined)
    session.cluster = cluster.value;
  if (quorum.status === 'rejected') {
    session.quorumFailure = failureOf(quorum.reason, endpoint);
  } else {
    const failure = quorumAnswerFailure(quorum.value, endpoint);
    if (failure === undefined) session.quorum = quorum.value;
    else session.quorumFailure = failure;
  }
  return session;
}

/**
 * On a controller listener EndpointType=controllers names the leader; a broker listener
 * answers MISMATCHED_ENDPOINT_TYPE, and then the brokers view gives the cluster ID at least.
 * Servers before v1 cannot describe controllers at all.
 */
async function describeControllers(
  client: KraftClient,
): Promise<DescribeClusterResult | undefined> {
  if (!client.supports(ApiKey.DescribeCluster) || client.versionFor(ApiKey.DescribeCluster) < 1) {
    return undefined;
  }
  const controllers = await client.describeCluster(EndpointType.controllers);
  if (controllers.errorCode !== KafkaErrorCode.MISMATCHED_ENDPOINT_TYPE) return controllers;
  const brokers = await client.describeCluster(EndpointType.brokers);
  // Broker IDs are not controllers: keep only the cluster ID.
  return { ...brokers, controllerId: -1, nodes: [] };
}

function quorumAnswerFailure(
  quorum: DescribeQuorumResult,
  endpoint: string,
): QuorumFailure | undefined {
  const code =
    quorum.errorCode !== KafkaErrorCode.NONE ? quorum.errorCode : quorum.partition.errorCode;
  if (code === KafkaErrorCode.NONE) return undefined;
  const message =
    quorum.errorCode !== KafkaErrorCode.NONE ? quorum.errorMessage : quorum.partition.errorMessage;
  return {
    leadership: isLeadershipError(code),
    error: kafkaError(code, { api: 'DescribeQuorum', endpoint, serverMessage: message }),
    memberError: { code: kafkaErrorName(code), message: describeKafkaError(code, message) },
  };
}

function failureOf(cause: unknown, endpoint: string): QuorumFailure {
  const error = memberError(cause);
  if (cause instanceof KraftTransportError && cause.code === 'CONNECTION_CLOSED') {
    // ApiVersions is allowed before SASL; anything else on a SASL listener closes the connection.
    error.message = `${endpoint} closed the connection after ApiVersions (a listener that requires SASL does this; quorumctl does not speak SASL yet)`;
  }
  return {
    leadership: false,
    ...(isQuorumctlError(cause) && { error: cause }),
    memberError: error,
  };
}

/** The answer with the newest leader epoch wins (a stale leader may still answer for a while). */
export function bestQuorumAnswer(sessions: readonly Session[]): Session | undefined {
  return sessions
    .filter((session) => session.quorum !== undefined)
    .reduce<Session | undefined>(
      (best, session) =>
        best === undefined ||
        (session.quorum?.partition.leaderEpoch ?? -1) > (best.quorum?.partition.leaderEpoch ?? -1)
          ? session
          : best,
      undefined,
    );
}

/** Controller endpoints by node ID from the DescribeCluster answers. */
export function controllersOf(sessions: readonly Session[]): Map<number, string> {
  const controllers = new Map<number, string>();
  for (const session of sessions) {
    for (const node of session.cluster?.nodes ?? []) {
      if (!controllers.has(node.nodeId))
        controllers.set(node.nodeId, formatAddress(node.host, node.port));
    }
  }
  return controllers;
}

export function clusterIdOf(sessions: readonly Session[]): string | undefined {
  return sessions.find(
    (session) => session.cluster?.errorCode === KafkaErrorCode.NONE && session.cluster.clusterId,
  )?.cluster?.clusterId;
}

/** The leader DescribeCluster names, if no given endpoint is it: one more hop. */
export function leaderAddress(sessions: readonly Session[]): string | undefined {
  const controllers = controllersOf(sessions);
  for (const session of sessions) {
    const leaderId = session.cluster?.controllerId ?? -1;
    if (session.cluster?.errorCode === KafkaErrorCode.NONE && leaderId >= 0) {
      const address = controllers.get(leaderId);
      if (address !== undefined) return address;
    }
  }
  return undefined;
}

/** A host:port learned from the cluster, reached with the same transport as the endpoints given. */
export function endpointFor(address: string, given: readonly string[]): string {
  const tls = given.some((endpoint) => {
    try {
      return parseEndpoint(endpoint).tls;
    } catch {
      return false;
    }
  });
  return `${tls ? 'https' : 'http'}://${address}`;
}

export function isGiven(address: string, sessions: readonly Session[]): boolean {
  const key = addressKey(address);
  return sessions.some((session) => addressKey(session.endpoint) === key);
}

export function closeSessions(sessions: readonly Session[]): void {
  for (const session of sessions) session.client?.close();
}

export function memberError(cause: unknown): MemberError {
  if (cause instanceof KraftTransportError) return { code: cause.code, message: cause.message };
  if (cause instanceof KraftWireError) return { code: cause.code, message: cause.message };
  if (isQuorumctlError(cause)) return { code: cause.code, message: cause.message };
  return { code: 'UNKNOWN', message: describeCause(cause) };
}
