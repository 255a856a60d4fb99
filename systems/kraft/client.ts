/**
 * The controller APIs on one connection: ApiVersions negotiation, DescribeCluster, DescribeQuorum
 * (@platformatic/kafka's codecs) and AddRaftVoter/RemoveRaftVoter (ours).
 */
import { UnsupportedOperationError } from '../../core/errors.js';
import { KraftConnection, type KraftConnectionOptions } from './connection.js';
import { KafkaErrorCode, kafkaError } from './kafka-errors.js';
import {
  CLIENT_VERSIONS,
  decodeApiVersionsResponse,
  decodeDescribeClusterResponse,
  decodeDescribeQuorumResponse,
  encodeApiVersionsRequest,
  encodeDescribeClusterRequest,
  encodeDescribeQuorumRequest,
  type ApiVersionsResult,
  type DescribeClusterResult,
  type DescribeQuorumResult,
  type EndpointType,
} from './messages.js';
import {
  decodeRaftVoterResponse,
  encodeAddRaftVoterRequest,
  encodeRemoveRaftVoterRequest,
  type AddRaftVoterRequest,
  type RaftVoterResponse,
  type RemoveRaftVoterRequest,
} from './voter-codec.js';
import { ApiKey, apiName, type ApiKeyValue } from './wire.js';

export class KraftClient {
  private constructor(
    private readonly connection: KraftConnection,
    readonly versions: ApiVersionsResult,
  ) {}

  get endpoint(): string {
    return this.connection.endpoint;
  }

  /** Connects and negotiates versions (one ApiVersions round trip, two on Kafka < 3.9). */
  static async open(endpoint: string, options: KraftConnectionOptions): Promise<KraftClient> {
    const connection = await KraftConnection.open(endpoint, options);
    try {
      return new KraftClient(connection, await negotiate(connection));
    } catch (error) {
      connection.close();
      throw error;
    }
  }

  /** The highest version both sides speak, or UNSUPPORTED_API when there is none. */
  versionFor(apiKey: ApiKeyValue): number {
    const ours = CLIENT_VERSIONS[apiKey];
    const theirs = this.versions.apis.get(apiKey);
    const version = theirs === undefined ? -1 : Math.min(ours.max, theirs.max);
    if (theirs === undefined || version < Math.max(ours.min, theirs.min)) {
      throw new UnsupportedOperationError(
        'UNSUPPORTED_API',
        `${this.endpoint} does not serve ${apiName(apiKey)} v${ours.min}-${ours.max}${theirs === undefined ? '' : ` (it speaks v${theirs.min}-${theirs.max})`}`,
        {
          actions: [
            apiKey === ApiKey.AddRaftVoter || apiKey === ApiKey.RemoveRaftVoter
              ? 'dynamic controller membership needs Kafka 3.9+ controllers'
              : 'point quorumctl at a KRaft controller listener or broker of Kafka 3.3+',
          ],
          details: { endpoint: this.endpoint, apiKey },
        },
      );
    }
    return version;
  }

  supports(apiKey: ApiKeyValue): boolean {
    try {
      this.versionFor(apiKey);
      return true;
    } catch {
      return false;
    }
  }

  async describeCluster(
    endpointType: (typeof EndpointType)[keyof typeof EndpointType],
  ): Promise<DescribeClusterResult> {
    const version = this.versionFor(ApiKey.DescribeCluster);
    const body = await this.connection.request(
      ApiKey.DescribeCluster,
      version,
      encodeDescribeClusterRequest(version, endpointType),
    );
    return decodeDescribeClusterResponse(version, body);
  }

  async describeQuorum(): Promise<DescribeQuorumResult> {
    const version = this.versionFor(ApiKey.DescribeQuorum);
    const body = await this.connection.request(
      ApiKey.DescribeQuorum,
      version,
      encodeDescribeQuorumRequest(version),
    );
    return decodeDescribeQuorumResponse(version, body);
  }

  async addRaftVoter(request: AddRaftVoterRequest): Promise<RaftVoterResponse> {
    const version = this.versionFor(ApiKey.AddRaftVoter);
    if (version < 1 && !request.ackWhenCommitted) {
      throw new UnsupportedOperationError(
        'ACK_WHEN_COMMITTED_UNSUPPORTED',
        `${this.endpoint} speaks AddRaftVoter v0 only, which always answers after the commit`,
        { actions: ['leave AckWhenCommitted on, or upgrade the controllers to Kafka 4.2+'] },
      );
    }
    const body = await this.connection.request(
      ApiKey.AddRaftVoter,
      version,
      encodeAddRaftVoterRequest(request, version),
    );
    return decodeRaftVoterResponse(ApiKey.AddRaftVoter, body, version);
  }

  async removeRaftVoter(request: RemoveRaftVoterRequest): Promise<RaftVoterResponse> {
    const version = this.versionFor(ApiKey.RemoveRaftVoter);
    const body = await this.connection.request(
      ApiKey.RemoveRaftVoter,
      version,
      encodeRemoveRaftVoterRequest(request, version),
    );
    return decodeRaftVoterResponse(ApiKey.RemoveRaftVoter, body, version);
  }

  close(): void {
    this.connection.close();
  }
}

/**
 * Asks with ApiVersions v4 first. A server that does not know v4 answers UNSUPPORTED_VERSION
 * in the v0 layout, listing the ApiVersions range it does speak (KIP-511): ask again with its
 * highest version.
 */
async function negotiate(connection: KraftConnection): Promise<ApiVersionsResult> {
  const first = await apiVersions(connection, CLIENT_VERSIONS[ApiKey.ApiVersions].max);
  if (first.errorCode === KafkaErrorCode.NONE) return first.result;
  if (first.errorCode !== KafkaErrorCode.UNSUPPORTED_VERSION) {
    throw kafkaError(first.errorCode, { api: 'ApiVersions', endpoint: connection.endpoint });
  }
  const range = first.result.apis.get(ApiKey.ApiVersions);
  // Before Kafka 2.4 the error came with an empty list: v0 is understood by every server.
  const retry = range === undefined ? 0 : Math.min(range.max, first.result.version - 1);
  if (retry < 0 || (range !== undefined && retry < range.min)) {
    throw kafkaError(first.errorCode, { api: 'ApiVersions', endpoint: connection.endpoint });
  }
  const second = await apiVersions(connection, retry);
  if (second.errorCode !== KafkaErrorCode.NONE) {
    throw kafkaError(second.errorCode, { api: 'ApiVersions', endpoint: connection.endpoint });
  }
  return second.result;
}

async function apiVersions(
  connection: KraftConnection,
  version: number,
): Promise<{ errorCode: number; result: ApiVersionsResult }> {
  const body = await connection.request(
    ApiKey.ApiVersions,
    version,
    encodeApiVersionsRequest(version),
  );
  return decodeApiVersionsResponse(version, body);
}
