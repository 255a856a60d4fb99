/**
 * The few ZooKeeper wire records an admin session needs (connect, digest auth, getData,
 * reconfig, close), encoded and decoded in jute's big-endian form (pure, no I/O).
 */

/** ZooDefs.OpCode values quorumctl sends. */
export const OpCode = {
  getData: 4,
  reconfig: 16,
  auth: 100,
  closeSession: -11,
} as const;

/** Reserved xids: the server answers auth with -4 and sends watch events as -1, pings as -2. */
export const Xid = { notification: -1, ping: -2, auth: -4 } as const;

/** KeeperException.Code values an admin session can meet, by name. */
export const KeeperCode = {
  OK: 0,
  SYSTEMERROR: -1,
  CONNECTIONLOSS: -4,
  MARSHALLINGERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATIONTIMEOUT: -7,
  BADARGUMENTS: -8,
  UNKNOWNSESSION: -12,
  NEWCONFIGNOQUORUM: -13,
  RECONFIGINPROGRESS: -14,
  NONODE: -101,
  NOAUTH: -102,
  BADVERSION: -103,
  SESSIONEXPIRED: -112,
  AUTHFAILED: -115,
  SESSIONMOVED: -118,
  REQUESTTIMEOUT: -122,
  RECONFIGDISABLED: -123,
} as const;

export function keeperCodeName(code: number): string {
  return (
    Object.entries(KeeperCode).find(([, value]) => value === code)?.[0] ?? `KEEPER_ERROR_${code}`
  );
}

/** Appends jute primitives; `frame()` prefixes the 4-byte length the transport needs. */
export class JuteWriter {
  private readonly parts: Buffer[] = [];

  int(value: number): this {
    const buffer = Buffer.alloc(4);
    buffer.writeInt32BE(value);
    this.parts.push(buffer);
    return this;
  }

  long(value: bigint): this {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64BE(value);
    this.parts.push(buffer);
    return this;
  }

  boolean(value: boolean): this {
    this.parts.push(Buffer.from([value ? 1 : 0]));
    return this;
  }

  /** A length-prefixed byte string; null is length -1. */
  buffer(value: Buffer | null): this {
    if (value === null) return this.int(-1);
    this.int(value.length);
    this.parts.push(value);
    return this;
  }

  ustring(value: string | null): this {
    return this.buffer(value === null ? null : Buffer.from(value, 'utf8'));
  }

  frame(): Buffer {
    const body = Buffer.concat(this.parts);
    const length = Buffer.alloc(4);
    length.writeInt32BE(body.length);
    return Buffer.concat([length, body]);
  }
}

/** Reads jute primitives from one frame's body; throws a RangeError past its end. */
export class JuteReader {
  private offset = 0;

  constructor(private readonly body: Buffer) {}

  get remaining(): number {
    return this.body.length - this.offset;
  }

  int(): number {
    this.need(4);
    const value = this.body.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  long(): bigint {
    this.need(8);
    const value = this.body.readBigInt64BE(this.offset);
    this.offset += 8;
    return value;
  }

  boolean(): boolean {
    this.need(1);
    const value = this.body[this.offset] !== 0;
    this.offset += 1;
    return value;
  }

  buffer(): Buffer | null {
    const length = this.int();
    if (length < 0) return null;
    this.need(length);
    const value = this.body.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  ustring(): string | null {
    return this.buffer()?.toString('utf8') ?? null;
  }

  private need(bytes: number): void {
    if (this.offset + bytes > this.body.length) {
      throw new RangeError(
        `ZooKeeper frame ends after ${this.body.length} bytes; ${bytes} more expected at ${this.offset}`,
      );
    }
  }
}

/** Splits a byte stream into frames: returns the complete bodies and what is left over. */
export function splitFrames(buffered: Buffer): { frames: Buffer[]; rest: Buffer } {
  const frames: Buffer[] = [];
  let offset = 0;
  while (buffered.length - offset >= 4) {
    const length = buffered.readInt32BE(offset);
    if (length < 0) throw new RangeError(`negative ZooKeeper frame length ${length}`);
    if (buffered.length - offset - 4 < length) break;
    frames.push(buffered.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return { frames, rest: buffered.subarray(offset) };
}

/** ConnectRequest for a new session (protocol 0, no previous zxid or session). */
export function encodeConnectRequest(sessionTimeoutMs: number): Buffer {
  return new JuteWriter()
    .int(0)
    .long(0n)
    .int(sessionTimeoutMs)
    .long(0n)
    .buffer(Buffer.alloc(16))
    .boolean(false)
    .frame();
}

export interface ConnectResponse {
  /** 0 or less: the server refused or expired the session. */
  sessionTimeoutMs: number;
  sessionId: bigint;
}

export function decodeConnectResponse(body: Buffer): ConnectResponse {
  const reader = new JuteReader(body);
  reader.int(); // protocolVersion
  const sessionTimeoutMs = reader.int();
  const sessionId = reader.long();
  reader.buffer(); // passwd; readOnly may follow, we never ask for read-only sessions
  return { sessionTimeoutMs, sessionId };
}

/** A request: header (xid, opcode) and the op's record. */
export function encodeRequest(xid: number, op: number, record?: (w: JuteWriter) => void): Buffer {
  const writer = new JuteWriter().int(xid).int(op);
  record?.(writer);
  return writer.frame();
}

/** `addauth digest user:password` (AuthPacket with type 0). */
export function encodeDigestAuth(username: string, password: string): Buffer {
  return encodeRequest(Xid.auth, OpCode.auth, (w) =>
    w
      .int(0)
      .ustring('digest')
      .buffer(Buffer.from(`${username}:${password}`, 'utf8')),
  );
}

export function encodeGetData(xid: number, path: string): Buffer {
  return encodeRequest(xid, OpCode.getData, (w) => w.ustring(path).boolean(false));
}

/**
 * ReconfigRequest: incremental when joining or leaving is set (comma-separated `server.N=...`
 * specs and server IDs); `curConfigId` -1 skips the version check.
 */
export interface ReconfigRecord {
  joiningServers: string | null;
  leavingServers: string | null;
  newMembers: string | null;
  curConfigId: bigint;
}

export function encodeReconfig(xid: number, record: ReconfigRecord): Buffer {
  return encodeRequest(xid, OpCode.reconfig, (w) =>
    w
      .ustring(record.joiningServers)
      .ustring(record.leavingServers)
      .ustring(record.newMembers)
      .long(record.curConfigId),
  );
}

export interface ReplyHeader {
  xid: number;
  zxid: bigint;
  err: number;
}

export function decodeReplyHeader(reader: JuteReader): ReplyHeader {
  return { xid: reader.int(), zxid: reader.long(), err: reader.int() };
}

/** GetDataResponse (also reconfig's answer): the data and the fields of Stat we use. */
export interface DataResponse {
  data: Buffer;
  /** Stat.mzxid: for /zookeeper/config, the configuration's version. */
  modifiedZxid: bigint;
  version: number;
}

export function decodeDataResponse(reader: JuteReader): DataResponse {
  const data = reader.buffer() ?? Buffer.alloc(0);
  reader.long(); // czxid
  const modifiedZxid = reader.long();
  reader.long(); // ctime
  reader.long(); // mtime
  const version = reader.int();
  reader.int(); // cversion
  reader.int(); // aversion
  reader.long(); // ephemeralOwner
  reader.int(); // dataLength
  reader.int(); // numChildren
  reader.long(); // pzxid
  return { data, modifiedZxid, version };
}
