/**
 * AddRaftVoter (80, v0-1) and RemoveRaftVoter (81, v0), which @platformatic/kafka names but does
 * not implement: encoders and decoders for both directions, on its Writer and our StrictReader.
 */
import { kafka } from './kafka-library.js';
import { ApiKey, decodeBody, hexUuidToKafka, kafkaUuidToHex, StrictReader } from './wire.js';

const { Writer } = kafka;

/** Versions we can speak, per API (the server's range is negotiated through ApiVersions). */
export const ADD_RAFT_VOTER_VERSIONS = { min: 0, max: 1 } as const;
export const REMOVE_RAFT_VOTER_VERSIONS = { min: 0, max: 0 } as const;

export interface RaftVoterListener {
  /** Listener name, e.g. `CONTROLLER`. */
  name: string;
  host: string;
  port: number;
}

export interface AddRaftVoterRequest {
  /** Null skips the server's cluster ID check. */
  clusterId: string | null;
  timeoutMs: number;
  voterId: number;
  /** Kafka's base64 form, as `kafka-metadata-quorum describe` prints it. */
  voterDirectoryId: string;
  listeners: RaftVoterListener[];
  /**
   * v1+: answer once the new voter set is committed (true, the default) or as soon as the
   * leader has written it (false).
   */
  ackWhenCommitted: boolean;
}

export interface RemoveRaftVoterRequest {
  clusterId: string | null;
  voterId: number;
  voterDirectoryId: string;
}

/** AddRaftVoter and RemoveRaftVoter answer with the same fields. */
export interface RaftVoterResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
}

export function encodeAddRaftVoterRequest(request: AddRaftVoterRequest, version: number): Buffer {
  checkVersion(ApiKey.AddRaftVoter, version, ADD_RAFT_VOTER_VERSIONS.max);
  // Kafka's generated writers refuse to drop a non-default field a version cannot carry.
  if (version < 1 && !request.ackWhenCommitted) {
    throw new RangeError(
      'AddRaftVoter v0 always acknowledges after commit: AckWhenCommitted=false needs v1 (Kafka 4.2+)',
    );
  }
  const writer = Writer.create()
    .appendString(request.clusterId)
    .appendInt32(request.timeoutMs)
    .appendInt32(request.voterId)
    .appendUUID(kafkaUuidToHex(request.voterDirectoryId))
    .appendArray(request.listeners, (w, listener) => {
      checkPort(listener.port);
      w.appendString(listener.name).appendString(listener.host).appendUnsignedInt16(listener.port);
    });
  if (version >= 1) writer.appendBoolean(request.ackWhenCommitted);
  return writer.appendTaggedFields().buffer;
}

export function decodeAddRaftVoterRequest(body: Buffer, version: number): AddRaftVoterRequest {
  checkVersion(ApiKey.AddRaftVoter, version, ADD_RAFT_VOTER_VERSIONS.max);
  return decodeRequest(ApiKey.AddRaftVoter, version, body, (reader) => {
    const clusterId = reader.readNullableString();
    const timeoutMs = reader.readInt32();
    const voterId = reader.readInt32();
    const voterDirectoryId = directoryId(reader.readUUID());
    const listeners = reader.readArray((r) => ({
      name: r.readString(),
      host: r.readString(),
      port: r.readUnsignedInt16(),
    }));
    const ackWhenCommitted = version >= 1 ? reader.readBoolean() : true;
    reader.readTaggedFields();
    return { clusterId, timeoutMs, voterId, voterDirectoryId, listeners, ackWhenCommitted };
  });
}

export function encodeRemoveRaftVoterRequest(
  request: RemoveRaftVoterRequest,
  version: number,
): Buffer {
  checkVersion(ApiKey.RemoveRaftVoter, version, REMOVE_RAFT_VOTER_VERSIONS.max);
  return Writer.create()
    .appendString(request.clusterId)
    .appendInt32(request.voterId)
    .appendUUID(kafkaUuidToHex(request.voterDirectoryId))
    .appendTaggedFields().buffer;
}

export function decodeRemoveRaftVoterRequest(
  body: Buffer,
  version: number,
): RemoveRaftVoterRequest {
  checkVersion(ApiKey.RemoveRaftVoter, version, REMOVE_RAFT_VOTER_VERSIONS.max);
  return decodeRequest(ApiKey.RemoveRaftVoter, version, body, (reader) => {
    const clusterId = reader.readNullableString();
    const voterId = reader.readInt32();
    const voterDirectoryId = directoryId(reader.readUUID());
    reader.readTaggedFields();
    return { clusterId, voterId, voterDirectoryId };
  });
}

export function encodeRaftVoterResponse(
  apiKey: typeof ApiKey.AddRaftVoter | typeof ApiKey.RemoveRaftVoter,
  response: RaftVoterResponse,
  version: number,
): Buffer {
  checkVersion(apiKey, version, maxVersion(apiKey));
  return Writer.create()
    .appendInt32(response.throttleTimeMs)
    .appendInt16(response.errorCode)
    .appendString(response.errorMessage)
    .appendTaggedFields().buffer;
}

export function decodeRaftVoterResponse(
  apiKey: typeof ApiKey.AddRaftVoter | typeof ApiKey.RemoveRaftVoter,
  body: Buffer,
  version: number,
): RaftVoterResponse {
  checkVersion(apiKey, version, maxVersion(apiKey));
  return decodeBody(apiKey, version, body, (reader) => {
    const response = {
      throttleTimeMs: reader.readInt32(),
      errorCode: reader.readInt16(),
      errorMessage: reader.readNullableString(),
    };
    reader.readTaggedFields();
    return response;
  });
}

function decodeRequest<T>(
  apiKey: number,
  version: number,
  body: Buffer,
  parse: (reader: StrictReader) => T,
): T {
  return decodeBody(apiKey, version, body, parse, 'request');
}

/** The zero UUID means "no directory"; a voter always has one, so keep it visible. */
function directoryId(hex: string): string {
  return hexUuidToKafka(hex) ?? 'AAAAAAAAAAAAAAAAAAAAAA';
}

function maxVersion(apiKey: number): number {
  return apiKey === ApiKey.AddRaftVoter
    ? ADD_RAFT_VOTER_VERSIONS.max
    : REMOVE_RAFT_VOTER_VERSIONS.max;
}

function checkVersion(apiKey: number, version: number, max: number): void {
  if (!Number.isInteger(version) || version < 0 || version > max) {
    throw new RangeError(
      `${apiKey === ApiKey.AddRaftVoter ? 'AddRaftVoter' : 'RemoveRaftVoter'} v${version} is not supported (v0-${max})`,
    );
  }
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`listener port ${port} is not a 16-bit unsigned integer`);
  }
}
