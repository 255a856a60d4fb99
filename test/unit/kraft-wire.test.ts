// Kafka wire vectors (test/fixtures/kraft/test-vectors) through our framing and platformatic's codecs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { kafka } from '../../systems/kraft/kafka-library.js';
import {
  decodeApiVersionsResponse,
  decodeDescribeQuorumResponse,
  encodeApiVersionsRequest,
  encodeDescribeQuorumRequest,
} from '../../systems/kraft/messages.js';
import {
  bytesToUuid,
  decodeResponseFrame,
  encodeRequestFrame,
  KraftWireError,
  requestHeaderVersion,
  responseHeaderVersion,
  StrictReader,
  uuidToBytes,
} from '../../systems/kraft/wire.js';
import { REPO_ROOT } from '../support/cli.js';
import { decodeMessage, encodeMessage } from '../support/kraft-fake-controller.js';

const VECTORS = join(REPO_ROOT, 'test', 'fixtures', 'kraft', 'test-vectors');
function readVectors(name: string): unknown {
  return JSON.parse(readFileSync(join(VECTORS, name), 'utf8'));
}
const hex = (text: string) => Buffer.from(text, 'hex');

/** "Integer.MAX_VALUE", "-64", "17179869183L" -> bigint. */
function javaNumber(text: string): bigint {
  const named: Record<string, bigint> = {
    'Integer.MAX_VALUE': 2n ** 31n - 1n,
    'Integer.MIN_VALUE': -(2n ** 31n),
    'Long.MAX_VALUE': 2n ** 63n - 1n,
    'Long.MIN_VALUE': -(2n ** 63n),
  };
  return named[text] ?? BigInt(text.replace(/L$/, ''));
}

/** Size prefix checked and removed. */
function unframe(framed: Buffer): Buffer {
  assert.equal(framed.readInt32BE(0), framed.length - 4, 'size prefix');
  return framed.subarray(4);
}

describe("Kafka's ByteUtilsTest varints", () => {
  const { vectors } = readVectors('kafka_ByteUtilsTest_varints.json') as {
    vectors: Record<'UnsignedVarint' | 'Varint' | 'Varlong', { value: string; hex: string }[]>;
  };

  test('unsigned varints: platformatic writes them, our strict reader reads them back', () => {
    assert.equal(vectors.UnsignedVarint.length, 14);
    for (const { value, hex: expected } of vectors.UnsignedVarint) {
      const int32 = Number(javaNumber(value));
      assert.equal(
        kafka.Writer.create().appendUnsignedVarInt(int32).buffer.toString('hex'),
        expected,
        value,
      );
      const reader = StrictReader.of(hex(expected));
      // Kafka reads the 32 bits as unsigned: -1 is 4294967295 on the wire.
      assert.equal(reader.readUnsignedVarInt(), int32 >>> 0, value);
      assert.equal(reader.remaining, 0);
    }
  });

  test('zig-zag varints (records only, which quorumctl never reads): where platformatic differs', () => {
    // Found by these vectors in @platformatic/dynamic-buffer 0.3 (under @platformatic/kafka
    // 2.12.1): readVarInt wraps the two 5-byte extremes, appendVarInt64 writes values of 2^34
    // and beyond wrongly. Controller APIs use unsigned varints only (above); this pins the
    // difference so an upgrade that fixes it is noticed.
    assert.equal(vectors.Varint.length, 21);
    assert.equal(vectors.Varlong.length, 43);
    const differences: string[] = [];
    for (const { value, hex: expected } of vectors.Varint) {
      const int32 = Number(javaNumber(value));
      if (kafka.Writer.create().appendVarInt(int32).buffer.toString('hex') !== expected)
        differences.push(`varint write ${value}`);
      if (kafka.Reader.from(hex(expected)).readVarInt() !== int32)
        differences.push(`varint read ${value}`);
    }
    for (const { value, hex: expected } of vectors.Varlong) {
      const int64 = javaNumber(value);
      if (kafka.Writer.create().appendVarInt64(int64).buffer.toString('hex') !== expected)
        differences.push(`varlong write ${value}`);
      if (kafka.Reader.from(hex(expected)).readVarInt64() !== int64)
        differences.push(`varlong read ${value}`);
    }
    const farVarlongs = vectors.Varlong.slice(21).map(({ value }) => `varlong write ${value}`);
    assert.deepEqual(differences, [
      'varint read Integer.MAX_VALUE',
      'varint read Integer.MIN_VALUE',
      ...farVarlongs,
    ]);
  });

  test('a varint longer than 32 bits is malformed, not wrapped around', () => {
    for (const bad of ['ffffffff1f', 'ffffffffff01', '8080808080']) {
      assert.throws(() => StrictReader.of(hex(bad)).readUnsignedVarInt(), KraftWireError, bad);
    }
    assert.throws(() => StrictReader.of(hex('ff')).readUnsignedVarInt(), /truncated/);
  });
});

describe('kafka-python ApiVersions frames', () => {
  const { vectors } = readVectors('kafka-python_api_versions_framed.json') as {
    vectors: { message: string; framed_hex: string }[];
  };
  const requests = vectors.filter((vector) => vector.message.startsWith('ApiVersionsRequest'));
  const responses = vectors.filter((vector) => vector.message.startsWith('ApiVersionsResponse'));

  test('requests v0-v4: our header framing around platformatic bodies, byte for byte', () => {
    assert.equal(requests.length, 5);
    for (const vector of requests) {
      const version = Number(/\[(\d)\]/.exec(vector.message)?.[1]);
      const body = kafka.apiVersions[version as 0 | 1 | 2 | 3 | 4].createRequest(
        'kafka-python',
        '3.0.0',
      ).buffer;
      const frame = encodeRequestFrame(
        { apiKey: 18, apiVersion: version, correlationId: 1, clientId: '_internal_client_kYVL' },
        body,
      );
      assert.equal(frame.toString('hex'), vector.framed_hex, vector.message);
      assert.equal(requestHeaderVersion(18, version), version >= 3 ? 2 : 1);
    }
  });

  test('responses v0-v3 and the v0 error (header v0 always) decode, and re-encode from the schema to the same bytes', () => {
    assert.equal(responses.length, 5);
    for (const vector of responses) {
      const version = Number(/\[(\d)\]/.exec(vector.message)?.[1]);
      assert.equal(responseHeaderVersion(18, version), 0, 'ApiVersions never has header v1');
      const { correlationId, body } = decodeResponseFrame(unframe(hex(vector.framed_hex)), 0);
      assert.equal(correlationId, 1);
      const { errorCode, result } = decodeApiVersionsResponse(version, body);
      if (vector.message.includes('error_code=35')) {
        assert.equal(errorCode, 35);
        assert.deepEqual([...result.apis], [[18, { min: 0, max: 3 }]]);
        continue;
      }
      assert.equal(errorCode, 0);
      assert.equal(result.apis.size, 50);
      assert.deepEqual(result.apis.get(0), { min: 0, max: 8 });
      assert.deepEqual(result.apis.get(18), { min: 0, max: 3 });
      // The independent, schema-driven encoder in the fake controller gives the same bytes.
      const logical = decodeMessage('ApiVersionsResponse', version, body);
      assert.deepEqual(encodeMessage('ApiVersionsResponse', version, logical), body);
    }
  });

  test('an UNSUPPORTED_VERSION answer is read as v0 whatever version was asked', () => {
    const body = unframe(hex('0000001000000001002300000001001200000003')).subarray(4);
    for (const asked of [0, 1, 2, 3, 4]) {
      const { errorCode, result } = decodeApiVersionsResponse(asked, body);
      assert.equal(errorCode, 35, `asked v${asked}`);
      assert.deepEqual(result.apis.get(18), { min: 0, max: 3 });
    }
  });
});

describe('sarama ApiVersions bodies (UNSUPPORTED_VERSION ones captured from real brokers)', () => {
  const { vectors } = readVectors('sarama_api_versions_bodies.json') as {
    vectors: Record<string, string>;
  };
  const body = (name: string) => hex(vectors[name]!);

  test('v0, v1-2 and v3 answers', () => {
    const v0 = decodeApiVersionsResponse(0, body('apiVersionResponseV0')).result;
    assert.deepEqual(
      [...v0.apis],
      [
        [0, { min: 0, max: 2 }],
        [1, { min: 0, max: 3 }],
        [2, { min: 0, max: 1 }],
        [3, { min: 0, max: 2 }],
      ],
    );
    for (const version of [1, 2]) {
      const v1 = decodeApiVersionsResponse(version, body('apiVersionResponseV1V2')).result;
      assert.equal(v1.apis.size, 5);
      assert.deepEqual(v1.apis.get(4), { min: 0, max: 2 });
    }
    const v3 = decodeApiVersionsResponse(3, body('apiVersionResponseV3')).result;
    assert.equal(v3.apis.size, 6);
    assert.deepEqual(v3.apis.get(5), { min: 0, max: 2 });
  });

  test('v3 with feature tags 0, 1 and 2: the finalized features are read from tag 2', () => {
    const { errorCode, result } = decodeApiVersionsResponse(
      3,
      body('apiVersionResponseV3Features'),
    );
    assert.equal(errorCode, 0);
    assert.deepEqual([...result.apis], [[18, { min: 0, max: 3 }]]);
    assert.deepEqual([...result.finalizedFeatures], [['share.version', 1]]);
    const logical = decodeMessage('ApiVersionsResponse', 3, body('apiVersionResponseV3Features'));
    assert.equal(logical.FinalizedFeaturesEpoch, 39n);
  });

  test('UNSUPPORTED_VERSION from Kafka 0.10.2.1, 2.3.0 (empty list), 2.4.0 and 4.1.0', () => {
    for (const [name, asked, range] of [
      ['apiVersionsResponseUnsupportedVersionV0', 0, undefined],
      ['apiVersionsResponseUnsupportedVersionV1V2', 2, undefined],
      ['apiVersionsResponseUnsupportedVersionV3', 3, { min: 0, max: 3 }],
      ['apiVersionsResponseUnsupportedVersionV4', 4, { min: 0, max: 4 }],
    ] as const) {
      const { errorCode, result } = decodeApiVersionsResponse(asked, body(name));
      assert.equal(errorCode, 35, name);
      assert.deepEqual(result.apis.get(18), range, name);
    }
  });

  test('request v3 body is byte-identical to sarama', () => {
    assert.equal(
      kafka.apiVersions[3].createRequest('sarama', '0.10.0').buffer.toString('hex'),
      vectors.apiVersionRequestV3,
    );
    assert.equal(
      encodeApiVersionsRequest(3).toString('hex'),
      // ClientSoftwareName "quorumctl", ClientSoftwareVersion "0.1.0", no tags.
      '0a71756f72756d63746c06302e312e3000',
    );
  });
});

describe('DescribeQuorum v2 vector (schema-built, decoded by platformatic 2.12.1)', () => {
  const vector = readVectors('describe_quorum_v2_crosschecked.json') as {
    request_framed_hex: string;
    response_framed_hex: string;
    response_body_hex: string;
    logical_response: {
      topics: {
        partitions: {
          leaderId: number;
          leaderEpoch: number;
          hw: number;
          voters: {
            id: number;
            dir: string;
            leo: number;
            lastFetch: number;
            lastCaughtUp: number;
          }[];
          observers: {
            id: number;
            dir: string;
            leo: number;
            lastFetch: number;
            lastCaughtUp: number;
          }[];
        }[];
      }[];
      nodes: { id: number; listeners: { name: string; host: string; port: number }[] }[];
    };
  };

  test('request frame: header v2, __cluster_metadata partition 0', () => {
    const frame = encodeRequestFrame(
      { apiKey: 55, apiVersion: 2, correlationId: 7, clientId: 'quorum-probe' },
      encodeDescribeQuorumRequest(2),
    );
    assert.equal(frame.toString('hex'), vector.request_framed_hex);
  });

  test('response frame: header v1, every field as the logical answer says', () => {
    const { correlationId, body } = decodeResponseFrame(
      unframe(hex(vector.response_framed_hex)),
      responseHeaderVersion(55, 2),
    );
    assert.equal(correlationId, 7);
    assert.equal(body.toString('hex'), vector.response_body_hex);
    const result = decodeDescribeQuorumResponse(2, body);
    const expected = vector.logical_response.topics[0]!.partitions[0]!;
    const replica = (entry: (typeof expected.voters)[number]) => ({
      replicaId: entry.id,
      directoryId: bytesToUuid(Buffer.from(entry.dir.replaceAll('-', ''), 'hex')),
      logEndOffset: BigInt(entry.leo),
      lastFetchTimestamp: BigInt(entry.lastFetch),
      lastCaughtUpTimestamp: BigInt(entry.lastCaughtUp),
    });
    assert.deepEqual(result, {
      version: 2,
      errorCode: 0,
      errorMessage: null,
      partition: {
        errorCode: 0,
        errorMessage: null,
        leaderId: expected.leaderId,
        leaderEpoch: expected.leaderEpoch,
        highWatermark: BigInt(expected.hw),
        voters: expected.voters.map(replica),
        observers: expected.observers.map(replica),
      },
      nodes: vector.logical_response.nodes.map((node) => ({
        nodeId: node.id,
        listeners: node.listeners,
      })),
    });
    // Kafka prints directory IDs as URL-safe base64 without padding.
    assert.equal(result.partition.voters[0]?.directoryId, 'IE55PPTeRWakmL33uOQJCA');
  });
});

describe('StrictReader refuses what Kafka refuses', () => {
  test('tags out of order or repeated', () => {
    // Two tags, 1 then 0, each with an empty payload.
    assert.throws(() => {
      StrictReader.of(hex('0201000000')).readTaggedFields();
    }, /out-of-order/);
    assert.throws(() => {
      StrictReader.of(hex('0201000100')).readTaggedFields();
    }, /out-of-order/);
    const ok = StrictReader.of(hex('020001aa0100'));
    ok.readTaggedFields();
    assert.equal(ok.remaining, 0);
  });

  test('lengths beyond the bytes that are there', () => {
    // Compact string of 9 bytes with 2 present; compact array of 200 elements in 3 bytes.
    assert.throws(() => StrictReader.of(hex('0a6162')).readNullableString(), /truncated/);
    assert.throws(
      () => StrictReader.of(hex('c901000000')).readArray((r) => r.readInt8()),
      /array of 200 elements/,
    );
    // The length that platformatic's reader turns into -5 and walks backwards on.
    assert.throws(() => StrictReader.of(hex('fcffffff0f')).readNullableString(), /truncated/);
    assert.throws(() => StrictReader.of(hex('fffe')).readNullableString(false), /negative/);
  });

  test('null compact strings and arrays', () => {
    assert.equal(StrictReader.of(hex('00')).readNullableString(), null);
    assert.equal(
      StrictReader.of(hex('00')).readNullableArray((r) => r.readInt8()),
      null,
    );
    assert.equal(StrictReader.of(hex('ffff')).readNullableString(false), null);
  });

  test('a non-zero byte is true, as in Kafka', () => {
    assert.equal(StrictReader.of(hex('02')).readBoolean(), true);
    assert.equal(StrictReader.of(hex('00')).readBoolean(), false);
  });
});

describe('Kafka UUIDs', () => {
  test('base64url without padding, as kafka-metadata-quorum prints them', () => {
    const bytes = uuidToBytes('ILZ5MPTeRWakmJu99uBJCA');
    assert.equal(bytes.length, 16);
    assert.equal(bytesToUuid(bytes), 'ILZ5MPTeRWakmJu99uBJCA');
    assert.deepEqual(uuidToBytes(bytes.toString('hex')), bytes);
    assert.equal(bytesToUuid(Buffer.alloc(16)), undefined, 'the zero UUID means none');
    assert.throws(() => uuidToBytes('not-a-uuid'), /is not a Kafka UUID/);
  });
});
