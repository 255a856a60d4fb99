// Round trips for every DescribeQuorum, AddRaftVoter and RemoveRaftVoter version, cross-checked
// against an independent encoder (the schema interpreter of the fake controller) and hand-made bytes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  decodeDescribeClusterResponse,
  decodeDescribeQuorumResponse,
  encodeDescribeClusterRequest,
  encodeDescribeQuorumRequest,
  EndpointType,
  type DescribeQuorumResult,
  type QuorumReplica,
} from '../../systems/kraft/messages.js';
import {
  decodeAddRaftVoterRequest,
  decodeRaftVoterResponse,
  decodeRemoveRaftVoterRequest,
  encodeAddRaftVoterRequest,
  encodeRaftVoterResponse,
  encodeRemoveRaftVoterRequest,
  type AddRaftVoterRequest,
  type RaftVoterResponse,
  type RemoveRaftVoterRequest,
} from '../../systems/kraft/voter-codec.js';
import { bytesToUuid, KraftWireError } from '../../systems/kraft/wire.js';
import {
  decodeMessage,
  encodeMessage,
  loadSchema,
  versionRange,
  type MessageValue,
} from '../support/kraft-fake-controller.js';

const RUNS = { numRuns: 150 };
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const text = fc.string({ unit: 'grapheme', maxLength: 20 });
const uuid = fc
  .uint8Array({ minLength: 16, maxLength: 16 })
  .map((bytes) => Buffer.from(bytes).toString('base64url'));
// fast-check records have no prototype; decoded values are plain objects.
const listener = fc
  .record({ name: text, host: text, port: fc.integer({ min: 0, max: 65535 }) })
  .map((value) => ({ ...value }));

describe('DescribeQuorum v0-v2 (platformatic codec on our strict reader)', () => {
  const versions = versionRange(loadSchema('DescribeQuorumResponse').validVersions);

  test('the schema files cover exactly the versions we speak', () => {
    assert.deepEqual(versions, { min: 0, max: 2 });
    assert.deepEqual(versionRange(loadSchema('DescribeQuorumRequest').validVersions), versions);
  });

  test('requests: platformatic bytes equal the schema encoding, for every version', () => {
    for (let version = versions.min; version <= versions.max; version += 1) {
      const expected: MessageValue = {
        Topics: [{ TopicName: '__cluster_metadata', Partitions: [{ PartitionIndex: 0 }] }],
      };
      const bytes = encodeDescribeQuorumRequest(version);
      assert.deepEqual(bytes, encodeMessage('DescribeQuorumRequest', version, expected));
      assert.deepEqual(decodeMessage('DescribeQuorumRequest', version, bytes), expected);
    }
  });

  const replica = fc.record({
    ReplicaId: int32,
    ReplicaDirectoryId: uuid,
    LogEndOffset: int64,
    LastFetchTimestamp: int64,
    LastCaughtUpTimestamp: int64,
  });
  const quorumAnswer = fc.record({
    LeaderId: int32,
    LeaderEpoch: int32,
    HighWatermark: int64,
    CurrentVoters: fc.array(replica, { maxLength: 6 }),
    Observers: fc.array(replica, { maxLength: 6 }),
    Nodes: fc.array(
      fc.record({
        NodeId: int32,
        Listeners: fc
          .array(listener, { maxLength: 3 })
          .map((all) => all.map((l) => ({ Name: l.name, Host: l.host, Port: l.port }))),
      }),
      { maxLength: 4 },
    ),
  });

  const toSchema = (answer: {
    LeaderId: number;
    LeaderEpoch: number;
    HighWatermark: bigint;
    CurrentVoters: MessageValue[];
    Observers: MessageValue[];
    Nodes: MessageValue[];
  }): MessageValue => ({
    ErrorCode: 0,
    ErrorMessage: null,
    Topics: [
      {
        TopicName: '__cluster_metadata',
        Partitions: [
          {
            PartitionIndex: 0,
            ErrorCode: 0,
            ErrorMessage: null,
            LeaderId: answer.LeaderId,
            LeaderEpoch: answer.LeaderEpoch,
            HighWatermark: answer.HighWatermark,
            CurrentVoters: answer.CurrentVoters,
            Observers: answer.Observers,
          },
        ],
      },
    ],
    Nodes: answer.Nodes,
  });

  /** What the schema fields mean at `version`: absent ones take their defaults. */
  const expectedReplica = (entry: MessageValue, version: number): QuorumReplica => {
    const directoryId =
      version >= 2
        ? bytesToUuid(Buffer.from(entry.ReplicaDirectoryId as string, 'base64url'))
        : undefined;
    return {
      replicaId: entry.ReplicaId as number,
      ...(directoryId !== undefined && { directoryId }),
      logEndOffset: entry.LogEndOffset as bigint,
      lastFetchTimestamp: version >= 1 ? (entry.LastFetchTimestamp as bigint) : -1n,
      lastCaughtUpTimestamp: version >= 1 ? (entry.LastCaughtUpTimestamp as bigint) : -1n,
    };
  };

  /** Our result back into schema terms, to re-encode and compare bytes. */
  const fromResult = (result: DescribeQuorumResult): MessageValue => {
    const replica = (entry: QuorumReplica): MessageValue => ({
      ReplicaId: entry.replicaId,
      ReplicaDirectoryId: entry.directoryId ?? 'AAAAAAAAAAAAAAAAAAAAAA',
      LogEndOffset: entry.logEndOffset,
      LastFetchTimestamp: entry.lastFetchTimestamp,
      LastCaughtUpTimestamp: entry.lastCaughtUpTimestamp,
    });
    return toSchema({
      LeaderId: result.partition.leaderId,
      LeaderEpoch: result.partition.leaderEpoch,
      HighWatermark: result.partition.highWatermark,
      CurrentVoters: result.partition.voters.map(replica),
      Observers: result.partition.observers.map(replica),
      Nodes: result.nodes.map((node) => ({
        NodeId: node.nodeId,
        Listeners: node.listeners.map((l) => ({ Name: l.name, Host: l.host, Port: l.port })),
      })),
    });
  };

  for (const version of [0, 1, 2]) {
    test(`responses v${version}: bytes -> ours -> bytes, every field kept`, () => {
      fc.assert(
        fc.property(quorumAnswer, (answer) => {
          const bytes = encodeMessage('DescribeQuorumResponse', version, toSchema(answer));
          const result = decodeDescribeQuorumResponse(version, bytes);
          assert.equal(result.version, version);
          assert.equal(result.partition.leaderId, answer.LeaderId);
          assert.equal(result.partition.leaderEpoch, answer.LeaderEpoch);
          assert.equal(result.partition.highWatermark, answer.HighWatermark);
          assert.deepEqual(
            result.partition.voters,
            answer.CurrentVoters.map((entry) => expectedReplica(entry, version)),
          );
          assert.deepEqual(
            result.partition.observers,
            answer.Observers.map((entry) => expectedReplica(entry, version)),
          );
          assert.equal(result.nodes.length, version >= 2 ? answer.Nodes.length : 0);
          assert.deepEqual(
            encodeMessage('DescribeQuorumResponse', version, fromResult(result)),
            bytes,
          );
        }),
        RUNS,
      );
    });
  }

  test('a follower answers NOT_LEADER_OR_FOLLOWER at the partition level', () => {
    for (const version of [0, 1, 2]) {
      const bytes = encodeMessage('DescribeQuorumResponse', version, {
        ErrorCode: 0,
        Topics: [
          {
            TopicName: '__cluster_metadata',
            Partitions: [{ PartitionIndex: 0, ErrorCode: 6, ErrorMessage: 'not leader' }],
          },
        ],
      });
      const result = decodeDescribeQuorumResponse(version, bytes);
      assert.equal(result.errorCode, 0);
      assert.equal(result.partition.errorCode, 6);
      assert.equal(result.partition.errorMessage, version >= 2 ? 'not leader' : null);
    }
  });

  test('a request-level error carries no topics; any other topic or partition is refused', () => {
    const denied = decodeDescribeQuorumResponse(
      2,
      encodeMessage('DescribeQuorumResponse', 2, { ErrorCode: 31, ErrorMessage: 'denied' }),
    );
    assert.equal(denied.errorCode, 31);
    assert.equal(denied.errorMessage, 'denied');
    const wrong = encodeMessage('DescribeQuorumResponse', 2, {
      Topics: [{ TopicName: 'orders', Partitions: [{ PartitionIndex: 3 }] }],
    });
    assert.throws(() => decodeDescribeQuorumResponse(2, wrong), {
      name: 'KraftWireError',
      message: /expected exactly __cluster_metadata partition 0, got orders\[3\]/,
    });
  });
});

describe('DescribeCluster v0-v1', () => {
  test('requests ask for controllers in v1 (KIP-919)', () => {
    assert.deepEqual(
      encodeDescribeClusterRequest(1, EndpointType.controllers),
      encodeMessage('DescribeClusterRequest', 1, {
        IncludeClusterAuthorizedOperations: false,
        EndpointType: 2,
      }),
    );
    assert.deepEqual(
      encodeDescribeClusterRequest(0, EndpointType.controllers),
      encodeMessage('DescribeClusterRequest', 0, { IncludeClusterAuthorizedOperations: false }),
    );
  });

  test('responses: cluster ID, the leader as ControllerId, the controllers', () => {
    for (const version of [0, 1]) {
      const bytes = encodeMessage('DescribeClusterResponse', version, {
        ErrorCode: 0,
        EndpointType: 2,
        ClusterId: 'fMCL8kv1SWm87L_Md-I2hg',
        ControllerId: 3002,
        Brokers: [{ BrokerId: 3000, Host: 'c0', Port: 9093, Rack: null }],
      });
      assert.deepEqual(decodeDescribeClusterResponse(version, bytes), {
        errorCode: 0,
        errorMessage: null,
        clusterId: 'fMCL8kv1SWm87L_Md-I2hg',
        controllerId: 3002,
        nodes: [{ nodeId: 3000, host: 'c0', port: 9093 }],
      });
    }
  });
});

const addRequest = fc.record({
  clusterId: fc.option(text, { nil: null }),
  timeoutMs: int32,
  voterId: int32,
  voterDirectoryId: uuid,
  listeners: fc.array(listener, { maxLength: 4 }),
  ackWhenCommitted: fc.boolean(),
});
const removeRequest = fc.record({
  clusterId: fc.option(text, { nil: null }),
  voterId: int32,
  voterDirectoryId: uuid,
});
const voterResponse = fc.record({
  throttleTimeMs: int32,
  errorCode: fc.integer({ min: -(2 ** 15), max: 2 ** 15 - 1 }),
  errorMessage: fc.option(text, { nil: null }),
});

const addSchemaValue = (request: AddRaftVoterRequest): MessageValue => ({
  ClusterId: request.clusterId,
  TimeoutMs: request.timeoutMs,
  VoterId: request.voterId,
  VoterDirectoryId: request.voterDirectoryId,
  Listeners: request.listeners.map((l) => ({ Name: l.name, Host: l.host, Port: l.port })),
  AckWhenCommitted: request.ackWhenCommitted,
});
const removeSchemaValue = (request: RemoveRaftVoterRequest): MessageValue => ({
  ClusterId: request.clusterId,
  VoterId: request.voterId,
  VoterDirectoryId: request.voterDirectoryId,
});
const responseSchemaValue = (response: RaftVoterResponse): MessageValue => ({
  ThrottleTimeMs: response.throttleTimeMs,
  ErrorCode: response.errorCode,
  ErrorMessage: response.errorMessage,
});

describe('AddRaftVoter v0-v1 (our codec)', () => {
  test('the schema says v0-1, which is what we speak', () => {
    assert.deepEqual(versionRange(loadSchema('AddRaftVoterRequest').validVersions), {
      min: 0,
      max: 1,
    });
  });

  for (const version of [0, 1]) {
    test(`v${version} requests: ours == schema encoding, and decode(encode(x)) == x`, () => {
      fc.assert(
        fc.property(addRequest, (generated) => {
          // v0 cannot carry AckWhenCommitted=false (its default is true).
          const request = { ...generated, ...(version === 0 && { ackWhenCommitted: true }) };
          const bytes = encodeAddRaftVoterRequest(request, version);
          assert.deepEqual(
            bytes,
            encodeMessage('AddRaftVoterRequest', version, addSchemaValue(request)),
          );
          assert.deepEqual(decodeAddRaftVoterRequest(bytes, version), request);
          const schemaView = decodeMessage('AddRaftVoterRequest', version, bytes);
          const { AckWhenCommitted, ...v0Fields } = addSchemaValue(request);
          assert.deepEqual(
            schemaView,
            version === 0 ? v0Fields : { ...v0Fields, AckWhenCommitted },
          );
        }),
        RUNS,
      );
    });

    test(`v${version} responses round-trip and match the schema encoding`, () => {
      fc.assert(
        fc.property(voterResponse, (generated) => {
          const response = { ...generated };
          const bytes = encodeRaftVoterResponse(80, response, version);
          assert.deepEqual(
            bytes,
            encodeMessage('AddRaftVoterResponse', version, responseSchemaValue(response)),
          );
          assert.deepEqual(decodeRaftVoterResponse(80, bytes, version), response);
        }),
        RUNS,
      );
    });
  }

  test('v1 bytes derived by hand from the franz-go DSL (80_add_raft_voter)', () => {
    const request: AddRaftVoterRequest = {
      clusterId: 'abc',
      timeoutMs: 30_000,
      voterId: 3003,
      voterDirectoryId: Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex').toString(
        'base64url',
      ),
      listeners: [{ name: 'CONTROLLER', host: 'localhost', port: 9096 }],
      ackWhenCommitted: false,
    };
    const expected = [
      '04616263', // ClusterID: nullable-string, compact: len 3 + 1, "abc"
      '00007530', // TimeoutMillis: int32 30000
      '00000bbb', // VoterID: int32 3003
      '000102030405060708090a0b0c0d0e0f', // VoterDirectoryID: uuid, 16 raw bytes
      '02', // Listeners: compact array, 1 element + 1
      '0b434f4e54524f4c4c4552', // Name "CONTROLLER"
      '0a6c6f63616c686f7374', // Host "localhost"
      '2388', // Port: uint16 9096
      '00', // listener TAG_BUFFER
      '00', // AckWhenCommitted: bool false (v1+)
      '00', // TAG_BUFFER
    ].join('');
    assert.equal(encodeAddRaftVoterRequest(request, 1).toString('hex'), expected);
    // v0 is the same without the AckWhenCommitted byte.
    const v0 = encodeAddRaftVoterRequest({ ...request, ackWhenCommitted: true }, 0);
    assert.equal(v0.toString('hex'), expected.slice(0, -4) + '00');
  });

  test('v0 refuses AckWhenCommitted=false; unknown versions and ports are refused', () => {
    const request: AddRaftVoterRequest = {
      clusterId: null,
      timeoutMs: 1000,
      voterId: 1,
      voterDirectoryId: 'ILZ5MPTeRWakmJu99uBJCA',
      listeners: [],
      ackWhenCommitted: false,
    };
    assert.throws(() => encodeAddRaftVoterRequest(request, 0), /AckWhenCommitted=false needs v1/);
    assert.throws(() => encodeAddRaftVoterRequest(request, 2), /v2 is not supported/);
    assert.throws(
      () =>
        encodeAddRaftVoterRequest(
          { ...request, listeners: [{ name: 'C', host: 'h', port: 70000 }] },
          1,
        ),
      /port 70000/,
    );
    assert.throws(
      () => encodeAddRaftVoterRequest({ ...request, voterDirectoryId: 'nope' }, 1),
      /not a Kafka UUID/,
    );
  });
});

describe('RemoveRaftVoter v0 (our codec)', () => {
  test('requests: ours == schema encoding, and decode(encode(x)) == x', () => {
    assert.deepEqual(versionRange(loadSchema('RemoveRaftVoterRequest').validVersions), {
      min: 0,
      max: 0,
    });
    fc.assert(
      fc.property(removeRequest, (generated) => {
        const request = { ...generated };
        const bytes = encodeRemoveRaftVoterRequest(request, 0);
        assert.deepEqual(
          bytes,
          encodeMessage('RemoveRaftVoterRequest', 0, removeSchemaValue(request)),
        );
        assert.deepEqual(decodeRemoveRaftVoterRequest(bytes, 0), request);
      }),
      RUNS,
    );
  });

  test('responses round-trip and match the schema encoding', () => {
    fc.assert(
      fc.property(voterResponse, (generated) => {
        const response = { ...generated };
        const bytes = encodeRaftVoterResponse(81, response, 0);
        assert.deepEqual(
          bytes,
          encodeMessage('RemoveRaftVoterResponse', 0, responseSchemaValue(response)),
        );
        assert.deepEqual(decodeRaftVoterResponse(81, bytes, 0), response);
      }),
      RUNS,
    );
  });

  test('bytes derived by hand from the franz-go DSL (81_remove_raft_voter)', () => {
    const bytes = encodeRemoveRaftVoterRequest(
      {
        clusterId: null,
        voterId: 3001,
        voterDirectoryId: Buffer.alloc(16, 0xab).toString('base64url'),
      },
      0,
    );
    assert.equal(
      bytes.toString('hex'),
      '00' + // ClusterID: null compact nullable string
        '00000bb9' + // VoterID 3001
        'ab'.repeat(16) + // VoterDirectoryID
        '00', // TAG_BUFFER
    );
  });

  test('an unknown tag in the request is skipped, a truncated one is refused', () => {
    const plain = encodeRemoveRaftVoterRequest(
      { clusterId: 'x', voterId: 1, voterDirectoryId: 'ILZ5MPTeRWakmJu99uBJCA' },
      0,
    );
    // Replace the empty TAG_BUFFER with one unknown tag 5 of two bytes.
    const tagged = Buffer.concat([plain.subarray(0, -1), Buffer.from('010502beef', 'hex')]);
    assert.equal(decodeRemoveRaftVoterRequest(tagged, 0).voterId, 1);
    assert.throws(() => decodeRemoveRaftVoterRequest(tagged.subarray(0, -1), 0), KraftWireError);
  });
});
