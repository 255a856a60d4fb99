/**
 * A fake KRaft controller quorum on loopback TCP. It encodes and decodes by interpreting
 * Kafka's published message schemas (test/fixtures/kraft/schemas), so it shares no code with
 * systems/kraft or @platformatic/kafka: an independent implementation to test them against.
 */
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';

// ---------------------------------------------------------------------------------------------
// The schema interpreter
// ---------------------------------------------------------------------------------------------

export interface FieldSpec {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  flexibleVersions?: string;
  default?: string | number | boolean;
  tag?: number;
  taggedVersions?: string;
  fields?: FieldSpec[];
}

export interface MessageSpec {
  apiKey?: number;
  type: 'request' | 'response' | 'header';
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: FieldSpec[];
  commonStructs?: { name: string; versions: string; fields: FieldSpec[] }[];
}

/** Field values keyed by schema name; int64 as bigint, uuid as Kafka's base64 form. */
export type MessageValue = Record<string, unknown>;

const SCHEMA_DIR = join(REPO_ROOT, 'test', 'fixtures', 'kraft', 'schemas');
const schemaCache = new Map<string, MessageSpec>();

/** Kafka's schema files are JSON with `//` comment lines. */
export function loadSchema(name: string): MessageSpec {
  let spec = schemaCache.get(name);
  if (spec === undefined) {
    const text = readFileSync(join(SCHEMA_DIR, `${name}.json`), 'utf8')
      .split('\n')
      .filter((line) => !line.trim().startsWith('//'))
      .join('\n');
    spec = JSON.parse(text) as MessageSpec;
    schemaCache.set(name, spec);
  }
  return spec;
}

/** "0+", "1-3", "2", "none". */
export function inVersions(version: number, range: string | undefined): boolean {
  if (range === undefined || range === 'none') return false;
  const plus = /^(\d+)\+$/.exec(range);
  if (plus) return version >= Number(plus[1]);
  const span = /^(\d+)-(\d+)$/.exec(range);
  if (span) return version >= Number(span[1]) && version <= Number(span[2]);
  return version === Number(range);
}

export function versionRange(range: string): { min: number; max: number } {
  const span = /^(\d+)(?:-(\d+))?$/.exec(range);
  if (!span) throw new Error(`bad version range ${range}`);
  return { min: Number(span[1]), max: Number(span[2] ?? span[1]) };
}

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const PRIMITIVES = new Set([
  'bool',
  'int8',
  'int16',
  'uint16',
  'int32',
  'int64',
  'float64',
  'uuid',
  'string',
  'bytes',
]);

function defaultOf(field: FieldSpec): unknown {
  const given = field.default;
  if (field.type.startsWith('[]')) return [];
  if (given === 'null') return null;
  switch (field.type) {
    case 'bool':
      return given === undefined ? false : given === true || given === 'true';
    case 'int64':
      return given === undefined ? 0n : BigInt(given);
    case 'string':
      return given === undefined ? '' : String(given);
    case 'uuid':
      return ZERO_UUID;
    case 'bytes':
      return Buffer.alloc(0);
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'float64':
      return given === undefined ? 0 : Number(given);
    default:
      return null;
  }
}

function isDefault(field: FieldSpec, value: unknown): boolean {
  const fallback = defaultOf(field);
  if (Array.isArray(value)) return value.length === 0 && Array.isArray(fallback);
  return value === fallback;
}

/** Bytes out, with Kafka's own rules for every type (big-endian, unsigned varints). */
class Out {
  private readonly parts: Buffer[] = [];

  private fixed(size: number, write: (buffer: Buffer) => void): void {
    const buffer = Buffer.alloc(size);
    write(buffer);
    this.parts.push(buffer);
  }

  int8(value: number) {
    this.fixed(1, (b) => b.writeInt8(value));
  }
  int16(value: number) {
    this.fixed(2, (b) => b.writeInt16BE(value));
  }
  uint16(value: number) {
    this.fixed(2, (b) => b.writeUInt16BE(value));
  }
  int32(value: number) {
    this.fixed(4, (b) => b.writeInt32BE(value));
  }
  int64(value: bigint) {
    this.fixed(8, (b) => b.writeBigInt64BE(value));
  }
  float64(value: number) {
    this.fixed(8, (b) => b.writeDoubleBE(value));
  }
  uvarint(value: number) {
    const bytes: number[] = [];
    let rest = value >>> 0;
    while (rest >= 0x80) {
      bytes.push((rest & 0x7f) | 0x80);
      rest >>>= 7;
    }
    bytes.push(rest);
    this.parts.push(Buffer.from(bytes));
  }
  raw(buffer: Buffer) {
    this.parts.push(buffer);
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Bytes in; every read is bounds-checked. */
class In {
  position = 0;
  constructor(private readonly buffer: Buffer) {}

  get remaining(): number {
    return this.buffer.length - this.position;
  }
  private take(size: number): Buffer {
    if (size > this.remaining) {
      throw new RangeError(
        `fake: ${size} bytes needed at ${this.position}, ${this.remaining} left`,
      );
    }
    const slice = this.buffer.subarray(this.position, this.position + size);
    this.position += size;
    return slice;
  }
  int8 = () => this.take(1).readInt8();
  int16 = () => this.take(2).readInt16BE();
  uint16 = () => this.take(2).readUInt16BE();
  int32 = () => this.take(4).readInt32BE();
  int64 = () => this.take(8).readBigInt64BE();
  float64 = () => this.take(8).readDoubleBE();
  raw = (size: number) => this.take(size);
  uvarint(): number {
    let value = 0;
    for (let index = 0; index < 5; index += 1) {
      const byte = this.take(1)[0]!;
      value += (byte & 0x7f) * 2 ** (7 * index);
      if (byte < 0x80) return value;
    }
    throw new RangeError('fake: varint too long');
  }
}

interface Codec {
  version: number;
  structs: Map<string, FieldSpec[]>;
}

function structFields(field: FieldSpec, codec: Codec): FieldSpec[] {
  const element = field.type.replace(/^\[\]/, '');
  const fields = field.fields ?? codec.structs.get(element);
  if (fields === undefined) throw new Error(`fake: no struct ${element}`);
  return fields;
}

function encodeStruct(
  out: Out,
  fields: FieldSpec[],
  value: MessageValue,
  flexible: boolean,
  codec: Codec,
) {
  const tagged: [number, Buffer][] = [];
  for (const field of fields) {
    if (!inVersions(codec.version, field.versions)) continue;
    const fieldValue = field.name in value ? value[field.name] : defaultOf(field);
    if (field.tag !== undefined && inVersions(codec.version, field.taggedVersions)) {
      if (isDefault(field, fieldValue)) continue;
      const sub = new Out();
      encodeField(sub, field, fieldValue, flexible, codec);
      tagged.push([field.tag, sub.bytes()]);
      continue;
    }
    encodeField(out, field, fieldValue, flexible, codec);
  }
  if (flexible) {
    out.uvarint(tagged.length);
    for (const [tag, bytes] of tagged.sort((a, b) => a[0] - b[0])) {
      out.uvarint(tag);
      out.uvarint(bytes.length);
      out.raw(bytes);
    }
  }
}

function encodeField(
  out: Out,
  field: FieldSpec,
  value: unknown,
  messageFlexible: boolean,
  codec: Codec,
) {
  const flexible =
    field.flexibleVersions === undefined
      ? messageFlexible
      : inVersions(codec.version, field.flexibleVersions);
  if (field.type.startsWith('[]')) {
    const element = field.type.slice(2);
    if (value === null) {
      if (flexible) out.uvarint(0);
      else out.int32(-1);
      return;
    }
    const items = value as unknown[];
    if (flexible) out.uvarint(items.length + 1);
    else out.int32(items.length);
    for (const item of items) {
      if (PRIMITIVES.has(element)) encodePrimitive(out, element, item, flexible);
      else
        encodeStruct(out, structFields(field, codec), item as MessageValue, messageFlexible, codec);
    }
    return;
  }
  if (PRIMITIVES.has(field.type)) {
    encodePrimitive(out, field.type, value, flexible);
    return;
  }
  encodeStruct(out, structFields(field, codec), value as MessageValue, messageFlexible, codec);
}

function encodePrimitive(out: Out, type: string, value: unknown, flexible: boolean) {
  switch (type) {
    case 'bool':
      out.int8(value === true ? 1 : 0);
      return;
    case 'int8':
      out.int8(value as number);
      return;
    case 'int16':
      out.int16(value as number);
      return;
    case 'uint16':
      out.uint16(value as number);
      return;
    case 'int32':
      out.int32(value as number);
      return;
    case 'int64':
      out.int64(BigInt(value as bigint | number));
      return;
    case 'float64':
      out.float64(value as number);
      return;
    case 'uuid': {
      const bytes = Buffer.from(value as string, 'base64url');
      if (bytes.length !== 16) throw new Error(`fake: bad uuid ${String(value)}`);
      out.raw(bytes);
      return;
    }
    case 'string':
    case 'bytes': {
      if (value === null) {
        if (flexible) out.uvarint(0);
        else if (type === 'string') out.int16(-1);
        else out.int32(-1);
        return;
      }
      const bytes = type === 'string' ? Buffer.from(value as string, 'utf8') : (value as Buffer);
      if (flexible) out.uvarint(bytes.length + 1);
      else if (type === 'string') out.int16(bytes.length);
      else out.int32(bytes.length);
      out.raw(bytes);
      return;
    }
    default:
      throw new Error(`fake: unknown type ${type}`);
  }
}

function decodeStruct(
  input: In,
  fields: FieldSpec[],
  flexible: boolean,
  codec: Codec,
): MessageValue {
  const value: MessageValue = {};
  const byTag = new Map<number, FieldSpec>();
  for (const field of fields) {
    if (!inVersions(codec.version, field.versions)) continue;
    if (field.tag !== undefined && inVersions(codec.version, field.taggedVersions)) {
      byTag.set(field.tag, field);
      value[field.name] = defaultOf(field);
      continue;
    }
    value[field.name] = decodeField(input, field, flexible, codec);
  }
  if (flexible) {
    const count = input.uvarint();
    for (let index = 0; index < count; index += 1) {
      const tag = input.uvarint();
      const size = input.uvarint();
      const bytes = input.raw(size);
      const field = byTag.get(tag);
      if (field !== undefined)
        value[field.name] = decodeField(new In(bytes), field, flexible, codec);
    }
  }
  return value;
}

function decodeField(input: In, field: FieldSpec, messageFlexible: boolean, codec: Codec): unknown {
  const flexible =
    field.flexibleVersions === undefined
      ? messageFlexible
      : inVersions(codec.version, field.flexibleVersions);
  if (field.type.startsWith('[]')) {
    const element = field.type.slice(2);
    const count = flexible ? input.uvarint() - 1 : input.int32();
    if (count < 0) return null;
    if (count > input.remaining) throw new RangeError(`fake: array of ${count} too long`);
    const items: unknown[] = [];
    for (let index = 0; index < count; index += 1) {
      items.push(
        PRIMITIVES.has(element)
          ? decodePrimitive(input, element, flexible)
          : decodeStruct(input, structFields(field, codec), messageFlexible, codec),
      );
    }
    return items;
  }
  if (PRIMITIVES.has(field.type)) return decodePrimitive(input, field.type, flexible);
  return decodeStruct(input, structFields(field, codec), messageFlexible, codec);
}

function decodePrimitive(input: In, type: string, flexible: boolean): unknown {
  switch (type) {
    case 'bool':
      return input.int8() !== 0;
    case 'int8':
      return input.int8();
    case 'int16':
      return input.int16();
    case 'uint16':
      return input.uint16();
    case 'int32':
      return input.int32();
    case 'int64':
      return input.int64();
    case 'float64':
      return input.float64();
    case 'uuid':
      return input.raw(16).toString('base64url');
    case 'string':
    case 'bytes': {
      const length = flexible
        ? input.uvarint() - 1
        : type === 'string'
          ? input.int16()
          : input.int32();
      if (length < 0) return null;
      const bytes = input.raw(length);
      return type === 'string' ? bytes.toString('utf8') : Buffer.from(bytes);
    }
    default:
      throw new Error(`fake: unknown type ${type}`);
  }
}

function codecFor(spec: MessageSpec, version: number): Codec {
  return {
    version,
    structs: new Map((spec.commonStructs ?? []).map((struct) => [struct.name, struct.fields])),
  };
}

/** Encodes a message body (no header) at `version` by walking the schema. */
export function encodeMessage(schema: string, version: number, value: MessageValue): Buffer {
  const spec = loadSchema(schema);
  const out = new Out();
  encodeStruct(
    out,
    spec.fields,
    value,
    inVersions(version, spec.flexibleVersions),
    codecFor(spec, version),
  );
  return out.bytes();
}

/** Decodes a message body; trailing bytes are an error. */
export function decodeMessage(schema: string, version: number, bytes: Buffer): MessageValue {
  const spec = loadSchema(schema);
  const input = new In(bytes);
  const value = decodeStruct(
    input,
    spec.fields,
    inVersions(version, spec.flexibleVersions),
    codecFor(spec, version),
  );
  if (input.remaining !== 0)
    throw new RangeError(`fake: ${input.remaining} bytes left over in ${schema}`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// The fake quorum
// ---------------------------------------------------------------------------------------------

export const FakeApi = {
  ApiVersions: 18,
  DescribeQuorum: 55,
  DescribeCluster: 60,
  AddRaftVoter: 80,
  RemoveRaftVoter: 81,
} as const;

const SCHEMA_BY_KEY: Record<number, string> = {
  18: 'ApiVersions',
  55: 'DescribeQuorum',
  60: 'DescribeCluster',
  80: 'AddRaftVoter',
  81: 'RemoveRaftVoter',
};

export interface FakeReplica {
  id: number;
  directoryId?: string;
  logEndOffset: number;
  /** Relative to the fake's clock at answer time; absent = -1 (unknown). */
  lastFetchMsAgo?: number;
  lastCaughtUpMsAgo?: number;
}

export interface FakeQuorumState {
  clusterId: string;
  /** -1: no leader (an election is running). */
  leaderId: number;
  leaderEpoch: number;
  highWatermark: number;
  voters: FakeReplica[];
  observers: FakeReplica[];
  /** Finalized kraft.version: 1 = dynamic quorum (KIP-853), 0 = static. */
  kraftVersion: number;
  /** Extra listeners by node ID for voters that are not fake controllers. */
  listeners: Map<number, { name: string; host: string; port: number }[]>;
}

export interface RecordedRequest {
  nodeId: number;
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** Absent when the version was refused before decoding. */
  body?: MessageValue;
}

export interface DecodedRequest {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  rawBody: Buffer;
}

/**
 * What a controller does with a request: a Buffer is written as is (a whole frame, size
 * prefix included), 'silent' never answers, 'close' drops the connection, undefined answers
 * normally.
 */
export type RequestScript = (request: DecodedRequest) => Buffer | 'silent' | 'close' | undefined;

/** Highest version this fake speaks per API (ApiVersions lists 0..max). */
export type FakeVersions = Record<(typeof FakeApi)[keyof typeof FakeApi], number>;

const DEFAULT_VERSIONS: FakeVersions = { 18: 4, 55: 2, 60: 1, 80: 1, 81: 0 };

export class FakeController {
  readonly host = '127.0.0.1';
  port = 0;
  versions: FakeVersions = { ...DEFAULT_VERSIONS };
  /** Top-level DescribeQuorum error to answer with (e.g. 31 CLUSTER_AUTHORIZATION_FAILED). */
  describeQuorumError = 0;
  script: RequestScript | undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly nodeId: number,
    private readonly cluster: FakeKraftCluster,
  ) {}

  /** `host:port` of the controller listener. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** `kraft://host:port` (`kraft+https://` with TLS), as --endpoints takes it. */
  get endpoint(): string {
    return `${this.cluster.tls === undefined ? 'kraft' : 'kraft+https'}://${this.address}`;
  }

  /** The URL form adapters receive (`kraft://h:p` parses to `http://h:p`). */
  get url(): string {
    return `${this.cluster.tls === undefined ? 'http' : 'https'}://${this.address}`;
  }

  async start(): Promise<void> {
    const onSocket = (socket: Socket) => {
      this.serve(socket);
    };
    const tls = this.cluster.tls;
    const server =
      tls === undefined
        ? createServer(onSocket)
        : createTlsServer({ key: tls.key, cert: tls.cert }, onSocket);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        resolve();
      });
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** The process dies: the port refuses connections until start() again. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise((resolve) => server.close(resolve));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4) {
        const size = buffered.readInt32BE(0);
        if (buffered.length < 4 + size) return;
        const frame = buffered.subarray(4, 4 + size);
        buffered = buffered.subarray(4 + size);
        let reply: Buffer | 'silent' | 'close';
        try {
          reply = this.handle(frame);
        } catch {
          reply = 'close';
        }
        if (reply === 'close') {
          socket.destroy();
          return;
        }
        if (reply !== 'silent') socket.write(reply);
      }
    });
  }

  private handle(frame: Buffer): Buffer | 'silent' | 'close' {
    const apiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    const flexibleHeader = apiKey === FakeApi.ApiVersions ? apiVersion >= 3 : true;
    const input = new In(frame);
    const header = decodeStruct(
      input,
      loadSchema('RequestHeader').fields,
      flexibleHeader,
      codecFor(loadSchema('RequestHeader'), flexibleHeader ? 2 : 1),
    );
    const request: DecodedRequest = {
      apiKey,
      apiVersion,
      correlationId: header.CorrelationId as number,
      clientId: header.ClientId as string | null,
      rawBody: frame.subarray(input.position),
    };
    const scripted = this.script?.(request);
    if (scripted !== undefined) return scripted;
    const schema = SCHEMA_BY_KEY[apiKey];
    if (schema === undefined) return 'close'; // Kafka closes the connection on unknown APIs.
    const max = this.versions[apiKey as keyof FakeVersions];
    if (apiVersion > max) {
      const { rawBody: _raw, ...seen } = request;
      this.cluster.requests.push({ nodeId: this.nodeId, ...seen });
    }
    if (apiKey === FakeApi.ApiVersions && apiVersion > max) {
      // KIP-511: a v0 body with UNSUPPORTED_VERSION and our ApiVersions range.
      return responseFrame(
        request,
        encodeMessage('ApiVersionsResponse', 0, {
          ErrorCode: 35,
          ApiKeys: [{ ApiKey: 18, MinVersion: 0, MaxVersion: max }],
        }),
      );
    }
    if (apiVersion > max) return 'close';
    const body = decodeMessage(`${schema}Request`, apiVersion, request.rawBody);
    const { rawBody: _raw, ...seen } = request;
    this.cluster.requests.push({ nodeId: this.nodeId, ...seen, body });
    const response = this.respond(apiKey, apiVersion, body);
    return responseFrame(request, encodeMessage(`${schema}Response`, apiVersion, response));
  }

  private respond(apiKey: number, version: number, body: MessageValue): MessageValue {
    const state = this.cluster.state;
    const isLeader = state.leaderId === this.nodeId;
    switch (apiKey) {
      case FakeApi.ApiVersions:
        return {
          ErrorCode: 0,
          ApiKeys: Object.entries(this.versions).map(([key, max]) => ({
            ApiKey: Number(key),
            MinVersion: 0,
            MaxVersion: max,
          })),
          ThrottleTimeMs: 0,
          SupportedFeatures: [{ Name: 'kraft.version', MinVersion: 0, MaxVersion: 1 }],
          FinalizedFeaturesEpoch: 7n,
          FinalizedFeatures: [
            {
              Name: 'kraft.version',
              MaxVersionLevel: state.kraftVersion,
              MinVersionLevel: state.kraftVersion,
            },
          ],
        };
      case FakeApi.DescribeCluster: {
        const endpointType = version >= 1 ? (body.EndpointType as number) : 1;
        if (endpointType !== 2) {
          return {
            ErrorCode: version >= 1 ? 114 : 42,
            ClusterId: state.clusterId,
            ControllerId: -1,
          };
        }
        return {
          ErrorCode: 0,
          EndpointType: 2,
          ClusterId: state.clusterId,
          ControllerId: state.leaderId,
          Brokers: this.cluster.controllers
            .filter((controller) => controller.port !== 0)
            .map((controller) => ({
              BrokerId: controller.nodeId,
              Host: controller.host,
              Port: controller.port,
              Rack: null,
            })),
        };
      }
      case FakeApi.DescribeQuorum:
        return this.describeQuorum(version, body, isLeader);
      case FakeApi.AddRaftVoter:
        return this.addVoter(body, isLeader);
      case FakeApi.RemoveRaftVoter:
        return this.removeVoter(body, isLeader);
      default:
        throw new Error(`fake: api ${apiKey}`);
    }
  }

  private describeQuorum(version: number, body: MessageValue, isLeader: boolean): MessageValue {
    const state = this.cluster.state;
    if (this.describeQuorumError !== 0) {
      return { ErrorCode: this.describeQuorumError, ErrorMessage: 'scripted error', Topics: [] };
    }
    const topics = body.Topics as { TopicName: string; Partitions: { PartitionIndex: number }[] }[];
    const asked = topics[0];
    const partitionError = (code: number, message: string) => ({
      ErrorCode: 0,
      Topics: [
        {
          TopicName: asked?.TopicName ?? '',
          Partitions: [
            {
              PartitionIndex: asked?.Partitions[0]?.PartitionIndex ?? 0,
              ErrorCode: code,
              ErrorMessage: message,
            },
          ],
        },
      ],
    });
    if (asked?.TopicName !== '__cluster_metadata' || asked.Partitions[0]?.PartitionIndex !== 0) {
      return partitionError(3, 'Unknown topic partition');
    }
    if (!isLeader) return partitionError(6, 'Not the leader');
    const now = this.cluster.now();
    const replica = (entry: FakeReplica) => {
      const leader = entry.id === state.leaderId;
      return {
        ReplicaId: entry.id,
        ReplicaDirectoryId: entry.directoryId ?? ZERO_UUID,
        LogEndOffset: BigInt(entry.logEndOffset),
        LastFetchTimestamp: BigInt(
          leader ? now : entry.lastFetchMsAgo === undefined ? -1 : now - entry.lastFetchMsAgo,
        ),
        LastCaughtUpTimestamp: BigInt(
          leader ? now : entry.lastCaughtUpMsAgo === undefined ? -1 : now - entry.lastCaughtUpMsAgo,
        ),
      };
    };
    return {
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
              LeaderId: state.leaderId,
              LeaderEpoch: state.leaderEpoch,
              HighWatermark: BigInt(state.highWatermark),
              CurrentVoters: state.voters.map(replica),
              Observers: state.observers.map(replica),
            },
          ],
        },
      ],
      // Like RaftUtil: listeners of voters only.
      Nodes: state.voters.map((voter) => ({
        NodeId: voter.id,
        Listeners: this.cluster.listenersOf(voter.id).map((listener) => ({
          Name: listener.name,
          Host: listener.host,
          Port: listener.port,
        })),
      })),
    };
  }

  private addVoter(body: MessageValue, isLeader: boolean): MessageValue {
    const state = this.cluster.state;
    const fail = (code: number, message: string) => ({
      ThrottleTimeMs: 0,
      ErrorCode: code,
      ErrorMessage: message,
    });
    if (!isLeader) return fail(6, 'Not the leader');
    if (body.ClusterId !== null && body.ClusterId !== state.clusterId)
      return fail(104, 'Cluster id mismatch');
    if (state.kraftVersion < 1) return fail(35, 'kraft.version 0 does not support voter changes');
    const voterId = body.VoterId as number;
    if (state.voters.some((voter) => voter.id === voterId))
      return fail(126, `Voter ${voterId} already exists`);
    const listeners = body.Listeners as { Name: string; Host: string; Port: number }[];
    state.voters.push({
      id: voterId,
      directoryId: body.VoterDirectoryId as string,
      logEndOffset: 0,
    });
    state.observers = state.observers.filter((observer) => observer.id !== voterId);
    state.listeners.set(
      voterId,
      listeners.map((listener) => ({
        name: listener.Name,
        host: listener.Host,
        port: listener.Port,
      })),
    );
    return { ThrottleTimeMs: 0, ErrorCode: 0, ErrorMessage: null };
  }

  private removeVoter(body: MessageValue, isLeader: boolean): MessageValue {
    const state = this.cluster.state;
    const fail = (code: number, message: string) => ({
      ThrottleTimeMs: 0,
      ErrorCode: code,
      ErrorMessage: message,
    });
    if (!isLeader) return fail(6, 'Not the leader');
    if (body.ClusterId !== null && body.ClusterId !== state.clusterId)
      return fail(104, 'Cluster id mismatch');
    const index = state.voters.findIndex(
      (voter) =>
        voter.id === body.VoterId && (voter.directoryId ?? ZERO_UUID) === body.VoterDirectoryId,
    );
    if (index < 0) return fail(127, `Voter ${String(body.VoterId)} not found`);
    state.voters.splice(index, 1);
    // The leader resigns when it removes itself (RemoveVoterHandler).
    if (body.VoterId === state.leaderId) state.leaderId = -1;
    return { ThrottleTimeMs: 0, ErrorCode: 0, ErrorMessage: null };
  }
}

/** Size prefix + response header (v0 for ApiVersions, v1 otherwise) + body. */
export function responseFrame(request: DecodedRequest, body: Buffer): Buffer {
  const header = new Out();
  header.int32(request.correlationId);
  if (request.apiKey !== FakeApi.ApiVersions) header.uvarint(0);
  const headerBytes = header.bytes();
  const size = Buffer.alloc(4);
  size.writeInt32BE(headerBytes.length + body.length);
  return Buffer.concat([size, headerBytes, body]);
}

export interface FakeClusterOptions {
  /** Node IDs of the controllers to start (each a voter unless `voters` says otherwise). */
  nodeIds: number[];
  /** Voter IDs; defaults to nodeIds. A voter without a controller has no listener. */
  voters?: number[];
  leaderId?: number;
  /** Clock in ms for the timestamps in DescribeQuorum answers. */
  now?: () => number;
  /** Serve TLS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
}

export class FakeKraftCluster {
  readonly controllers: FakeController[];
  readonly requests: RecordedRequest[] = [];
  state: FakeQuorumState;
  now: () => number;
  readonly tls: { key: string; cert: string } | undefined;

  private constructor(options: FakeClusterOptions) {
    this.now = options.now ?? Date.now;
    this.tls = options.tls;
    this.controllers = options.nodeIds.map((nodeId) => new FakeController(nodeId, this));
    const voters = options.voters ?? options.nodeIds;
    const leaderId = options.leaderId ?? voters[0] ?? -1;
    this.state = {
      clusterId: 'fMCL8kv1SWm87L_Md-I2hg',
      leaderId,
      leaderEpoch: 2,
      highWatermark: 1000,
      voters: voters.map((id, index) => ({
        id,
        directoryId: directoryIdFor(id),
        logEndOffset: 1000,
        lastFetchMsAgo: id === leaderId ? undefined : 100 + index,
        lastCaughtUpMsAgo: id === leaderId ? undefined : 100 + index,
      })),
      observers: [],
      kraftVersion: 1,
      listeners: new Map(),
    };
  }

  static async start(options: FakeClusterOptions): Promise<FakeKraftCluster> {
    const cluster = new FakeKraftCluster(options);
    try {
      for (const controller of cluster.controllers) await controller.start();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  controller(nodeId: number): FakeController {
    const found = this.controllers.find((controller) => controller.nodeId === nodeId);
    if (found === undefined) throw new Error(`fake: no controller ${nodeId}`);
    return found;
  }

  listenersOf(nodeId: number): { name: string; host: string; port: number }[] {
    const extra = this.state.listeners.get(nodeId);
    if (extra !== undefined) return extra;
    const controller = this.controllers.find((candidate) => candidate.nodeId === nodeId);
    return controller === undefined
      ? []
      : [{ name: 'CONTROLLER', host: controller.host, port: controller.port }];
  }

  async stop(): Promise<void> {
    await Promise.all(this.controllers.map((controller) => controller.stop()));
  }
}

/** A stable, distinct directory ID per node, in Kafka's base64 form. */
export function directoryIdFor(nodeId: number): string {
  const bytes = Buffer.alloc(16, 0x11);
  bytes.writeInt32BE(nodeId, 0);
  return bytes.toString('base64url');
}
