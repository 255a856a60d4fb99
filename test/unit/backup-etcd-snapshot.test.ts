// The etcd side of backups without a server: the gateway's NDJSON snapshot stream (framing
// split anywhere), the protobuf codec of HashKV, and which member a snapshot is read from.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { ClusterStatus, MemberStatus } from '../../core/model.js';
import { chooseSnapshotMember } from '../../systems/etcd/snapshot.js';
import { createServer as createHttp2Server, type Http2Server } from 'node:http2';
import {
  decodeFields,
  encodeFields,
  grpcSnapshotMessages,
} from '../../systems/etcd/snapshot-grpc.js';
import { decodeLine, snapshotMessages } from '../../systems/etcd/snapshot-stream.js';

const URL_ = 'http://127.0.0.1:2379/v3/maintenance/snapshot';

describe('snapshot stream', () => {
  test('decodes the fast path and remaining_bytes as etcd 3.4.23 writes them', () => {
    const blob = Buffer.from('bbolt page bytes');
    const message = decodeLine(
      Buffer.from(`{"result":{"remaining_bytes":"393216","blob":"${blob.toString('base64')}"}}`),
      URL_,
    );
    assert.deepEqual(message, { blob, remainingBytes: 393216 });
    // The last message has no remaining_bytes (0 is left out).
    assert.equal(decodeLine(Buffer.from('{"result":{"blob":"AAEC"}}'), URL_).remainingBytes, 0);
  });

  test('an error object mid-stream is an error naming etcd', () => {
    assert.throws(
      () =>
        decodeLine(
          Buffer.from(
            '{"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: server stopped"}}',
          ),
          URL_,
        ),
      (error: { code?: string; message: string }) =>
        error.code === 'SNAPSHOT_FAILED' && /server stopped/.test(error.message),
    );
    assert.throws(() => decodeLine(Buffer.from('<html>'), URL_), { code: 'BAD_RESPONSE' });
  });

  describe('against a local server that splits lines anywhere', () => {
    let server: Server;
    let endpoint: string;
    const blobs = [Buffer.alloc(32768, 1), Buffer.alloc(32768, 2), Buffer.alloc(5000, 3)];
    before(async () => {
      const body = blobs
        .map((blob, index) => {
          const remaining = blobs.slice(index + 1).reduce((sum, next) => sum + next.length, 0);
          const field = remaining === 0 ? '' : `"remaining_bytes":"${remaining}",`;
          return `{"result":{${field}"blob":"${blob.toString('base64')}"}}\n`;
        })
        .join('');
      server = createServer((request, response) => {
        assert.equal(request.method, 'POST');
        assert.equal(request.headers.authorization, 'token-1');
        response.writeHead(200, { 'content-type': 'application/json' });
        // 7-byte pieces: every line boundary falls inside some piece.
        let at = 0;
        const next = () => {
          if (at >= body.length) {
            response.end();
            return;
          }
          response.write(body.slice(at, at + 7777));
          at += 7777;
          setImmediate(next);
        };
        next();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      endpoint = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    });
    after(() => {
      server.close();
    });

    test('yields every blob in order with what remains', async () => {
      const seen: { length: number; remainingBytes: number; first: number | undefined }[] = [];
      for await (const message of snapshotMessages(endpoint, {
        token: 'token-1',
        idleTimeoutMs: 2000,
      }))
        seen.push({
          length: message.blob.length,
          remainingBytes: message.remainingBytes,
          first: message.blob[0],
        });
      assert.deepEqual(seen, [
        { length: 32768, remainingBytes: 37768, first: 1 },
        { length: 32768, remainingBytes: 5000, first: 2 },
        { length: 5000, remainingBytes: 0, first: 3 },
      ]);
    });
  });
});

describe('gRPC snapshot stream against a local h2c server', () => {
  let server: Http2Server;
  let endpoint: string;
  let trailerStatus = '0';
  const blobs = [Buffer.alloc(32768, 1), Buffer.alloc(40000, 2), Buffer.alloc(32, 3)];

  /** SnapshotResponse {remaining_bytes = 2, blob = 3} in gRPC framing. */
  function frame(blob: Buffer, remaining: number): Buffer {
    const remainingField = remaining === 0 ? [] : [...encodeFields([[2, remaining]])];
    const length: number[] = [];
    for (let rest = blob.length; ; rest >>= 7) {
      if (rest < 0x80) {
        length.push(rest);
        break;
      }
      length.push((rest & 0x7f) | 0x80);
    }
    const message = Buffer.concat([Buffer.from([...remainingField, 0x1a, ...length]), blob]);
    const header = Buffer.alloc(5);
    header.writeUInt32BE(message.length, 1);
    return Buffer.concat([header, message]);
  }

  before(async () => {
    server = createHttp2Server();
    server.on('stream', (stream, headers) => {
      assert.equal(headers[':path'], '/etcdserverpb.Maintenance/Snapshot');
      assert.equal(headers.token, 'token-1');
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc' },
        { waitForTrailers: true },
      );
      stream.on('wantTrailers', () => {
        stream.sendTrailers({
          'grpc-status': trailerStatus,
          'grpc-message': 'permission%20denied',
        });
      });
      const body = Buffer.concat(
        blobs.map((blob, index) =>
          frame(
            blob,
            blobs.slice(index + 1).reduce((sum, next) => sum + next.length, 0),
          ),
        ),
      );
      // Odd-sized writes: frame headers and messages are split across DATA frames.
      for (let at = 0; at < body.length; at += 9999) stream.write(body.subarray(at, at + 9999));
      stream.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    endpoint = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });
  after(() => {
    server.close();
  });

  test('yields every blob with what remains', async () => {
    trailerStatus = '0';
    const seen: [number, number, number | undefined][] = [];
    for await (const message of grpcSnapshotMessages(endpoint, {
      token: 'token-1',
      idleTimeoutMs: 2000,
    }))
      seen.push([message.blob.length, message.remainingBytes, message.blob[0]]);
    assert.deepEqual(seen, [
      [32768, 40032, 1],
      [40000, 32, 2],
      [32, 0, 3],
    ]);
  });

  test('a gRPC error status in the trailers fails the stream', async () => {
    trailerStatus = '7';
    await assert.rejects(
      (async () => {
        let received = 0;
        for await (const message of grpcSnapshotMessages(endpoint, {
          token: 'token-1',
          idleTimeoutMs: 2000,
        }))
          received += message.blob.length;
        return received;
      })(),
      (error: { code?: string; message: string }) =>
        error.code === 'GRPC_7' && error.message === 'permission denied',
    );
  });
});

describe('HashKV protobuf codec', () => {
  test('request: field 1 varint revision', () => {
    assert.deepEqual([...encodeFields([[1, 300]])], [0x08, 0xac, 0x02]);
  });

  test('response: header (nested), hash uint32, compact_revision -1 as a 10-byte varint', () => {
    const header = [0x18, 0x96, 0x01]; // revision 150
    const bytes = Uint8Array.from([
      0x0a,
      header.length,
      ...header,
      0x10,
      0xff,
      0xff,
      0xff,
      0xff,
      0x0f, // hash 4294967295
      0x18,
      ...[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // -1
    ]);
    const fields = decodeFields(bytes);
    assert.equal(fields.get(2)?.[0], 4294967295n);
    assert.equal(BigInt.asIntN(64, fields.get(3)?.[0] as bigint), -1n);
    assert.equal(decodeFields(fields.get(1)?.[0] as Uint8Array).get(3)?.[0], 150n);
  });

  test('truncated input is an error, not garbage', () => {
    assert.throws(() => decodeFields(Uint8Array.from([0x10, 0xff])), /truncated/);
  });
});

describe('chooseSnapshotMember', () => {
  const member = (name: string, overrides: Partial<MemberStatus> = {}): MemberStatus => ({
    id: `${name}-id`,
    name,
    endpoint: `http://${name}:2379`,
    role: 'follower',
    voter: true,
    reachable: true,
    alarms: [],
    ...overrides,
  });
  const status = (members: MemberStatus[]): ClusterStatus =>
    ({ cluster: 'prod', kind: 'etcd', members }) as unknown as ClusterStatus;

  test('the least-lagging healthy follower, never the leader or a learner', () => {
    const choice = chooseSnapshotMember(
      status([
        member('m1', { role: 'leader' }),
        member('m2', { lagEntries: 40 }),
        member('m3', { lagEntries: 2 }),
        member('m4', { role: 'learner', voter: false }),
      ]),
    );
    assert.equal(choice.member.name, 'm3');
    assert.deepEqual(choice.notes, []);
  });

  test('followers that are down, corrupt or report errors are skipped', () => {
    const choice = chooseSnapshotMember(
      status([
        member('m1', { role: 'leader' }),
        member('m2', { reachable: false }),
        member('m3', { alarms: ['CORRUPT'] }),
      ]),
    );
    assert.equal(choice.member.name, 'm1');
    assert.deepEqual(choice.notes, ['reading from the leader m1: no follower is healthy']);
  });

  test('--member by name, ID or URL; unknown and unreachable are errors', () => {
    const cluster = status([
      member('m1', { role: 'leader' }),
      member('m2'),
      member('m3', { reachable: false }),
    ]);
    assert.equal(chooseSnapshotMember(cluster, 'm1').member.name, 'm1');
    assert.equal(chooseSnapshotMember(cluster, 'm2-id').member.name, 'm2');
    assert.equal(chooseSnapshotMember(cluster, 'http://m2:2379/').member.name, 'm2');
    assert.throws(() => chooseSnapshotMember(cluster, 'm9'), { code: 'MEMBER_UNKNOWN' });
    assert.throws(() => chooseSnapshotMember(cluster, 'm3'), { code: 'MEMBER_UNREACHABLE' });
    assert.throws(() => chooseSnapshotMember(status([member('m1', { reachable: false })])), {
      code: 'NO_HEALTHY_MEMBER',
    });
  });
});
