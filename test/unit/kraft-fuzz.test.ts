// Truncated, mutated and random frames: every decoder answers with a value or a KraftWireError, fast.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  decodeApiVersionsResponse,
  decodeDescribeClusterResponse,
  decodeDescribeQuorumResponse,
} from '../../systems/kraft/messages.js';
import {
  decodeAddRaftVoterRequest,
  decodeRaftVoterResponse,
  decodeRemoveRaftVoterRequest,
  encodeAddRaftVoterRequest,
  encodeRemoveRaftVoterRequest,
} from '../../systems/kraft/voter-codec.js';
import { decodeResponseFrame, KraftWireError } from '../../systems/kraft/wire.js';
import { directoryIdFor, encodeMessage } from '../support/kraft-fake-controller.js';

const replica = (id: number) => ({
  ReplicaId: id,
  ReplicaDirectoryId: directoryIdFor(id),
  LogEndOffset: 1234n,
  LastFetchTimestamp: 1_700_000_000_000n,
  LastCaughtUpTimestamp: 1_700_000_000_000n,
});

/** One valid body per decoder and version, built by the independent schema encoder. */
const SAMPLES: { name: string; bytes: Buffer; decode: (bytes: Buffer) => unknown }[] = [
  ...[0, 1, 2].map((version) => ({
    name: `DescribeQuorum v${version} response`,
    bytes: encodeMessage('DescribeQuorumResponse', version, {
      ErrorMessage: null,
      Topics: [
        {
          TopicName: '__cluster_metadata',
          Partitions: [
            {
              PartitionIndex: 0,
              ErrorMessage: null,
              LeaderId: 1,
              LeaderEpoch: 5,
              HighWatermark: 1234n,
              CurrentVoters: [replica(1), replica(2), replica(3)],
              Observers: [replica(100)],
            },
          ],
        },
      ],
      Nodes: [{ NodeId: 1, Listeners: [{ Name: 'CONTROLLER', Host: 'c1', Port: 9093 }] }],
    }),
    decode: (bytes: Buffer) => decodeDescribeQuorumResponse(version, bytes),
  })),
  ...[0, 1].map((version) => ({
    name: `DescribeCluster v${version} response`,
    bytes: encodeMessage('DescribeClusterResponse', version, {
      ErrorMessage: null,
      EndpointType: 2,
      ClusterId: 'fMCL8kv1SWm87L_Md-I2hg',
      ControllerId: 1,
      Brokers: [{ BrokerId: 1, Host: 'c1', Port: 9093, Rack: null }],
    }),
    decode: (bytes: Buffer) => decodeDescribeClusterResponse(version, bytes),
  })),
  ...[0, 1, 2, 3, 4].map((version) => ({
    name: `ApiVersions v${version} response`,
    bytes: encodeMessage('ApiVersionsResponse', version, {
      ApiKeys: [
        { ApiKey: 18, MinVersion: 0, MaxVersion: 4 },
        { ApiKey: 55, MinVersion: 0, MaxVersion: 2 },
      ],
      ThrottleTimeMs: 0,
      SupportedFeatures: [{ Name: 'kraft.version', MinVersion: 0, MaxVersion: 1 }],
      FinalizedFeaturesEpoch: 3n,
      FinalizedFeatures: [{ Name: 'kraft.version', MaxVersionLevel: 1, MinVersionLevel: 1 }],
    }),
    decode: (bytes: Buffer) => decodeApiVersionsResponse(version, bytes),
  })),
  ...([80, 81] as const).map((apiKey) => ({
    name: `${apiKey === 80 ? 'AddRaftVoter' : 'RemoveRaftVoter'} v0 response`,
    bytes: encodeMessage(apiKey === 80 ? 'AddRaftVoterResponse' : 'RemoveRaftVoterResponse', 0, {
      ThrottleTimeMs: 0,
      ErrorCode: 126,
      ErrorMessage: 'Voter 3 already exists',
    }),
    decode: (bytes: Buffer) => decodeRaftVoterResponse(apiKey, bytes, 0),
  })),
  ...[0, 1].map((version) => ({
    name: `AddRaftVoter v${version} request`,
    bytes: encodeAddRaftVoterRequest(
      {
        clusterId: 'fMCL8kv1SWm87L_Md-I2hg',
        timeoutMs: 30_000,
        voterId: 4,
        voterDirectoryId: directoryIdFor(4),
        listeners: [{ name: 'CONTROLLER', host: 'c4', port: 9093 }],
        ackWhenCommitted: true,
      },
      version,
    ),
    decode: (bytes: Buffer) => decodeAddRaftVoterRequest(bytes, version),
  })),
  {
    name: 'RemoveRaftVoter v0 request',
    bytes: encodeRemoveRaftVoterRequest(
      { clusterId: null, voterId: 3, voterDirectoryId: directoryIdFor(3) },
      0,
    ),
    decode: (bytes: Buffer) => decodeRemoveRaftVoterRequest(bytes, 0),
  },
];

/** A value or a KraftWireError with a message naming the message: anything else fails. */
function decodesOrRefuses(name: string, decode: () => unknown): 'value' | 'refused' {
  try {
    decode();
    return 'value';
  } catch (error) {
    assert.ok(error instanceof KraftWireError, `${name}: ${String(error)}`);
    assert.equal(error.code, 'MALFORMED_RESPONSE');
    assert.match(error.message, /v\d (response|request)/, 'the message names the API and version');
    return 'refused';
  }
}

describe('malformed frames are refused with clear errors', { timeout: 60_000 }, () => {
  test('the samples decode', () => {
    for (const sample of SAMPLES)
      assert.equal(
        decodesOrRefuses(sample.name, () => sample.decode(sample.bytes)),
        'value',
      );
  });

  test('every truncation of every sample is refused as truncated', () => {
    for (const sample of SAMPLES) {
      for (let length = 0; length < sample.bytes.length; length += 1) {
        assert.throws(
          () => sample.decode(sample.bytes.subarray(0, length)),
          (error: unknown) =>
            error instanceof KraftWireError && /truncated|cannot be decoded/.test(error.message),
          `${sample.name} cut to ${length} of ${sample.bytes.length} bytes`,
        );
      }
    }
  });

  test('trailing bytes are refused', () => {
    for (const sample of SAMPLES) {
      assert.throws(
        () => sample.decode(Buffer.concat([sample.bytes, Buffer.from([0])])),
        /1 unexpected bytes after the last field/,
        sample.name,
      );
    }
  });

  test('random byte changes: a value or a KraftWireError, never a crash or a hang', () => {
    const started = Date.now();
    const mutation = fc.record({
      sample: fc.integer({ min: 0, max: SAMPLES.length - 1 }),
      edits: fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), {
        minLength: 1,
        maxLength: 4,
      }),
    });
    fc.assert(
      fc.property(mutation, ({ sample: index, edits }) => {
        const sample = SAMPLES[index]!;
        const bytes = Buffer.from(sample.bytes);
        for (const edit of edits) bytes[edit.at % bytes.length] = edit.byte;
        decodesOrRefuses(sample.name, () => sample.decode(bytes));
      }),
      { numRuns: 2000 },
    );
    assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
  });

  test('lengths that lie (huge, negative, -5 as unsigned) are refused at once', () => {
    // DescribeQuorum v2: ErrorCode 0, ErrorMessage null, then a Topics count of 2^32-2.
    for (const topics of ['feffffff0f', 'fcffffff0f', 'ffffffff07', 'ffffffffff']) {
      const bytes = Buffer.from(`000000${topics}00`, 'hex');
      const started = Date.now();
      assert.throws(() => decodeDescribeQuorumResponse(2, bytes), KraftWireError, topics);
      assert.ok(Date.now() - started < 100);
    }
  });

  test('random garbage: a value or a KraftWireError', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.integer({ min: 0, max: SAMPLES.length - 1 }),
        (garbage, index) => {
          const sample = SAMPLES[index]!;
          decodesOrRefuses(sample.name, () => sample.decode(Buffer.from(garbage)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('response headers: truncated or with bad tags are refused', () => {
    assert.throws(() => decodeResponseFrame(Buffer.from('000001', 'hex'), 0), /truncated/);
    assert.throws(() => decodeResponseFrame(Buffer.from('00000001', 'hex'), 1), /truncated/);
    assert.throws(
      () => decodeResponseFrame(Buffer.from('000000010201000000', 'hex'), 1),
      /out-of-order/,
    );
    assert.deepEqual(decodeResponseFrame(Buffer.from('0000000100ab', 'hex'), 1), {
      correlationId: 1,
      body: Buffer.from('ab', 'hex'),
    });
  });
});
