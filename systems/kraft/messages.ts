/**
 * Requests and responses of ApiVersions, DescribeCluster and DescribeQuorum as plain values:
 * @platformatic/kafka's codecs run on our strict reader, and the results are narrowed to what
 * the adapter reads (pure, no I/O).
 */
import { kafka } from './kafka-library.js';
import { KafkaErrorCode } from './kafka-errors.js';
import { ADD_RAFT_VOTER_VERSIONS, REMOVE_RAFT_VOTER_VERSIONS } from './voter-codec.js';
import {
  ApiKey,
  asWireError,
  decodeBody,
  hexUuidToKafka,
  KraftWireError,
  StrictReader,
  type ApiKeyValue,
} from './wire.js';

export const CLIENT_SOFTWARE_NAME = 'quorumctl';
export const CLIENT_SOFTWARE_VERSION = '0.1.0';

/** The versions this client speaks; the highest one the server also speaks is used. */
export const CLIENT_VERSIONS: Readonly<Record<ApiKeyValue, { min: number; max: number }>> = {
  [ApiKey.ApiVersions]: { min: 0, max: 4 },
  [ApiKey.DescribeQuorum]: { min: 0, max: 2 },
  [ApiKey.DescribeCluster]: { min: 0, max: 1 },
  [ApiKey.AddRaftVoter]: ADD_RAFT_VOTER_VERSIONS,
  [ApiKey.RemoveRaftVoter]: REMOVE_RAFT_VOTER_VERSIONS,
};

export const CLUSTER_METADATA_TOPIC = '__cluster_metadata';

/** DescribeCluster v1 EndpointType (KIP-919). */
export const EndpointType = { brokers: 1, controllers: 2 } as const;

export interface ApiVersionRange {
  min: number;
  max: number;
}

export interface ApiVersionsResult {
  /** The ApiVersions version that was answered. */
  version: number;
  apis: Map<number, ApiVersionRange>;
  /** Finalized feature levels (v3+), e.g. `kraft.version` -> 1. */
  finalizedFeatures: Map<string, number>;
}

export interface DescribeClusterResult {
  errorCode: number;
  errorMessage: string | null;
  clusterId: string;
  /** With EndpointType=controllers: the quorum leader, -1 if unknown. */
  controllerId: number;
  /** The registered controllers (or brokers) with their endpoints. */
  nodes: { nodeId: number; host: string; port: number }[];
}

export interface QuorumReplica {
  replicaId: number;
  /** Kafka's base64 form; v2+, absent when the server sent none. */
  directoryId?: string;
  /** -1 when unknown. */
  logEndOffset: bigint;
  /** Leader wall-clock ms; -1 when unknown or before v1. */
  lastFetchTimestamp: bigint;
  lastCaughtUpTimestamp: bigint;
}

export interface QuorumNode {
  nodeId: number;
  listeners: { name: string; host: string; port: number }[];
}

export interface DescribeQuorumResult {
  version: number;
  /** Top-level error (e.g. authorization); 0 when the partition below is meaningful. */
  errorCode: number;
  errorMessage: string | null;
  /** The `__cluster_metadata`-0 partition; its errorCode is NOT_LEADER_OR_FOLLOWER on followers. */
  partition: {
    errorCode: number;
    errorMessage: string | null;
    leaderId: number;
    leaderEpoch: number;
    highWatermark: bigint;
    voters: QuorumReplica[];
    observers: QuorumReplica[];
  };
  /** v2+: listeners of the voters. */
  nodes: QuorumNode[];
}

type ApiVersionsVersion = 0 | 1 | 2 | 3 | 4;

export function encodeApiVersionsRequest(version: number): Buffer {
  return kafka.apiVersions[version as ApiVersionsVersion].createRequest(
    CLIENT_SOFTWARE_NAME,
    CLIENT_SOFTWARE_VERSION,
  ).buffer;
}

/**
 * Any error is answered in the v0 layout whatever version was asked (KIP-511), so the body
 * is read as v0 when its error code is set.
 */
export function decodeApiVersionsResponse(
  version: number,
  body: Buffer,
): { errorCode: number; result: ApiVersionsResult } {
  let errorCode: number;
  try {
    errorCode = StrictReader.of(body).readInt16();
  } catch (error) {
    throw asWireError(error, `ApiVersions v${version} response`);
  }
  const parseVersion = errorCode === KafkaErrorCode.NONE ? version : 0;
  const parser = kafka.apiVersions[parseVersion as ApiVersionsVersion];
  const response = decodeBody(ApiKey.ApiVersions, parseVersion, body, (reader) =>
    parser.parseResponse(0, ApiKey.ApiVersions, parseVersion, reader),
  );
  // v3+ only; earlier versions carry no features.
  const features =
    (response as { finalizedFeatures?: { name: string; maxVersionLevel: number }[] })
      .finalizedFeatures ?? [];
  return {
    errorCode,
    result: {
      version,
      apis: new Map(
        response.apiKeys.map((api) => [api.apiKey, { min: api.minVersion, max: api.maxVersion }]),
      ),
      finalizedFeatures: new Map(
        features.map((feature) => [feature.name, feature.maxVersionLevel] as const),
      ),
    },
  };
}

export function encodeDescribeClusterRequest(
  version: number,
  endpointType: (typeof EndpointType)[keyof typeof EndpointType],
): Buffer {
  return kafka.describeCluster[version as 0 | 1].createRequest(false, endpointType).buffer;
}

export function decodeDescribeClusterResponse(
  version: number,
  body: Buffer,
): DescribeClusterResult {
  const codec = kafka.describeCluster[version as 0 | 1];
  const response = decodeBody(ApiKey.DescribeCluster, version, body, (reader) =>
    codec.parseResponse(0, ApiKey.DescribeCluster, version, reader),
  );
  return {
    errorCode: response.errorCode,
    errorMessage: response.errorMessage ?? null,
    clusterId: response.clusterId,
    controllerId: response.controllerId,
    nodes: response.brokers.map((broker) => ({
      nodeId: broker.brokerId,
      host: broker.host,
      port: broker.port,
    })),
  };
}

/** Always `__cluster_metadata` partition 0, as Kafka's admin client asks. */
export function encodeDescribeQuorumRequest(version: number): Buffer {
  return kafka.describeQuorum[version as 0 | 1 | 2].createRequest([
    { topicName: CLUSTER_METADATA_TOPIC, partitions: [{ partitionIndex: 0 }] },
  ]).buffer;
}

export function decodeDescribeQuorumResponse(version: number, body: Buffer): DescribeQuorumResult {
  const codec = kafka.describeQuorum[version as 0 | 1 | 2];
  const response = decodeBody(ApiKey.DescribeQuorum, version, body, (reader) =>
    codec.parseResponse(0, ApiKey.DescribeQuorum, version, reader),
  );
  const errorMessage = response.errorMessage ?? null;
  const [topic, ...otherTopics] = response.topics;
  const [partition, ...otherPartitions] = topic?.partitions ?? [];
  if (response.errorCode !== KafkaErrorCode.NONE && partition === undefined) {
    // A request-level failure (e.g. authorization) carries no topics.
    return {
      version,
      errorCode: response.errorCode,
      errorMessage,
      partition: emptyPartition(response.errorCode, errorMessage),
      nodes: [],
    };
  }
  // The same checks as Kafka's admin client (KafkaAdminClient.describeMetadataQuorum).
  if (
    topic?.topicName !== CLUSTER_METADATA_TOPIC ||
    otherTopics.length > 0 ||
    partition?.partitionIndex !== 0 ||
    otherPartitions.length > 0
  ) {
    throw new KraftWireError(
      `DescribeQuorum v${version} response: expected exactly ${CLUSTER_METADATA_TOPIC} partition 0, got ${describeTopics(response.topics)}`,
    );
  }
  return {
    version,
    errorCode: response.errorCode,
    errorMessage,
    partition: {
      errorCode: partition.errorCode,
      errorMessage: partition.errorMessage ?? null,
      leaderId: partition.leaderId,
      leaderEpoch: partition.leaderEpoch,
      highWatermark: partition.highWatermark,
      voters: partition.currentVoters.map((replica) => toReplica(replica, version)),
      observers: partition.observers.map((replica) => toReplica(replica, version)),
    },
    nodes: response.nodes.map((node) => ({
      nodeId: node.nodeId,
      listeners: node.listeners.map(({ name, host, port }) => ({ name, host, port })),
    })),
  };
}

function toReplica(
  replica: {
    replicaId: number;
    replicaDirectoryId: string;
    logEndOffset: bigint;
    lastFetchTimestamp: bigint;
    lastCaughtUpTimestamp: bigint;
  },
  version: number,
): QuorumReplica {
  const directoryId = version >= 2 ? hexUuidToKafka(replica.replicaDirectoryId) : undefined;
  return {
    replicaId: replica.replicaId,
    ...(directoryId !== undefined && { directoryId }),
    logEndOffset: replica.logEndOffset,
    lastFetchTimestamp: replica.lastFetchTimestamp,
    lastCaughtUpTimestamp: replica.lastCaughtUpTimestamp,
  };
}

function emptyPartition(errorCode: number, errorMessage: string | null) {
  return {
    errorCode,
    errorMessage,
    leaderId: -1,
    leaderEpoch: -1,
    highWatermark: -1n,
    voters: [],
    observers: [],
  };
}

function describeTopics(topics: { topicName: string; partitions: { partitionIndex: number }[] }[]) {
  if (topics.length === 0) return 'no topics';
  return topics
    .map(
      (topic) =>
        `${topic.topicName}[${topic.partitions.map((partition) => partition.partitionIndex).join(',')}]`,
    )
    .join(', ');
}
