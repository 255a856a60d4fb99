/**
 * A minimal ZooKeeper session for administrative requests node-zookeeper-client cannot send
 * (reconfig, opcode 16): connect handshake, digest auth, one request at a time, close.
 */
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsSocket } from 'node:tls';
import type { AuthOptions, TlsOptions } from '../../core/ports.js';
import { socketErrorReason } from '../transport/socket-errors.js';
import { ZooKeeperClientError } from './client-error.js';
import { displayEndpoint, serverAddress } from './four-letter-words.js';
import {
  decodeConnectResponse,
  decodeDataResponse,
  decodeReplyHeader,
  encodeConnectRequest,
  encodeDigestAuth,
  encodeGetData,
  encodeReconfig,
  encodeRequest,
  JuteReader,
  KeeperCode,
  keeperCodeName,
  OpCode,
  splitFrames,
  Xid,
  type DataResponse,
  type ReconfigRecord,
} from './jute-frames.js';
import { serverNameOption } from '../transport/tls-server-name.js';

export interface AdminSessionOptions {
  tls?: TlsOptions;
  /** `username`/`password` become the digest identity `username:password`. */
  auth?: AuthOptions;
  /** Budget for connecting and for each request. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** A server's refusal of one request, with ZooKeeper's code (e.g. -13 NEWCONFIGNOQUORUM). */
export class KeeperError extends ZooKeeperClientError {
  constructor(
    readonly keeperCode: number,
    readonly endpoint: string,
    what: string,
  ) {
    super(keeperCodeName(keeperCode), `${what} on ${endpoint}: ${keeperCodeName(keeperCode)}`);
  }
}

/** Asked of the server, not our own timeout: long enough that a slow reconfig never expires it. */
const SESSION_TIMEOUT_MS = 10_000;

export class AdminSession {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly frames: Buffer[] = [];
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;
  private xid = 1;

  private constructor(
    private readonly socket: Socket,
    /** `tcp://host:port` of the server that holds the session. */
    readonly endpoint: string,
    private readonly options: AdminSessionOptions,
  ) {
    socket.on('data', (chunk: Buffer) => {
      try {
        const { frames, rest } = splitFrames(Buffer.concat([this.buffered, chunk]));
        this.buffered = rest;
        this.frames.push(...frames);
      } catch (error) {
        this.fail(error as Error);
      }
      this.wake();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'CONNECTION_LOSS';
      this.fail(
        new ZooKeeperClientError(code, `${endpoint}: ${socketErrorReason(code) ?? error.message}`),
      );
    });
    socket.on('close', () => {
      this.fail(new ZooKeeperClientError('CONNECTION_LOSS', `${endpoint} closed the connection`));
    });
  }

  /**
   * A session with the first of `endpoints` that grants one (a server without quorum closes
   * the connection instead), authenticated when credentials are given.
   */
  static async open(
    endpoints: readonly string[],
    options: AdminSessionOptions,
  ): Promise<AdminSession> {
    const failures: string[] = [];
    for (const endpoint of endpoints) {
      let session: AdminSession | undefined;
      try {
        session = await AdminSession.connect(endpoint, options);
        await session.handshake();
        await session.authenticate();
        return session;
      } catch (error) {
        session?.destroy();
        if (error instanceof ZooKeeperClientError && error.code === 'AUTH_FAILED') throw error;
        if (error instanceof ZooKeeperClientError && error.code === 'ABORTED') throw error;
        failures.push((error as Error).message);
      }
    }
    throw new ZooKeeperClientError(
      'CONNECTION_LOSS',
      `no ZooKeeper server granted a session: ${failures.join('; ')}`,
    );
  }

  /** The data and Stat of one znode, as the session's server has it. */
  async getData(path: string): Promise<DataResponse> {
    const reader = await this.call(encodeGetData(this.nextXid(), path), `getData ${path}`);
    return decodeDataResponse(reader);
  }

  /** Sends one reconfig; the answer is the new configuration (data) and its Stat. */
  async reconfig(record: ReconfigRecord, timeoutMs: number): Promise<DataResponse> {
    const reader = await this.call(encodeReconfig(this.nextXid(), record), 'reconfig', timeoutMs);
    return decodeDataResponse(reader);
  }

  /** Ends the session on the server (so it does not linger until its timeout), then the socket. */
  async close(): Promise<void> {
    if (this.failure === undefined) {
      await this.call(
        encodeRequest(this.nextXid(), OpCode.closeSession),
        'closeSession',
        Math.min(this.options.timeoutMs, 1000),
      ).catch(() => undefined);
    }
    this.destroy();
  }

  private static connect(endpoint: string, options: AdminSessionOptions): Promise<AdminSession> {
    let address;
    try {
      address = serverAddress(endpoint);
    } catch (cause) {
      return Promise.reject(
        new ZooKeeperClientError('BAD_ENDPOINT', `"${endpoint}" is not HOST:PORT`, undefined, {
          cause,
        }),
      );
    }
    const shown = displayEndpoint(address);
    const socket = address.tls
      ? tlsConnect(address.host, address.port, options.tls)
      : tcpConnect({ host: address.host, port: address.port });
    const session = new AdminSession(socket, shown, options);
    return session
      .settle(
        new Promise<void>((resolve) => {
          socket.once(address.tls ? 'secureConnect' : 'connect', () => {
            resolve();
          });
        }),
        `connect to ${shown}`,
        options.timeoutMs,
      )
      .then(() => session);
  }

  private async handshake(): Promise<void> {
    this.socket.write(encodeConnectRequest(SESSION_TIMEOUT_MS));
    const body = await this.nextFrame('session handshake', this.options.timeoutMs);
    const answer = decodeConnectResponse(body);
    if (answer.sessionTimeoutMs <= 0) {
      throw new ZooKeeperClientError('SESSION_EXPIRED', `${this.endpoint} refused a new session`);
    }
  }

  private async authenticate(): Promise<void> {
    const { username, password } = this.options.auth ?? {};
    if (username === undefined || password === undefined) return;
    this.socket.write(encodeDigestAuth(username, password));
    for (;;) {
      const reader = new JuteReader(await this.nextFrame('auth', this.options.timeoutMs));
      const header = decodeReplyHeader(reader);
      if (header.xid !== Xid.auth) continue;
      if (header.err === KeeperCode.OK) return;
      throw new ZooKeeperClientError(
        'AUTH_FAILED',
        `${this.endpoint} rejected the digest credentials of "${username}"`,
      );
    }
  }

  private async call(request: Buffer, what: string, timeoutMs?: number): Promise<JuteReader> {
    const xid = request.readInt32BE(4);
    this.socket.write(request);
    for (;;) {
      const reader = new JuteReader(
        await this.nextFrame(what, timeoutMs ?? this.options.timeoutMs),
      );
      const header = decodeReplyHeader(reader);
      // Watch events and pings are not ours: we set no watches and send no pings.
      if (header.xid === Xid.notification || header.xid === Xid.ping) continue;
      if (header.xid !== xid) {
        throw new ZooKeeperClientError(
          'MARSHALLINGERROR',
          `${this.endpoint} answered xid ${header.xid} to ${what} (xid ${xid})`,
        );
      }
      if (header.err !== KeeperCode.OK) throw new KeeperError(header.err, this.endpoint, what);
      return reader;
    }
  }

  private nextFrame(what: string, timeoutMs: number): Promise<Buffer> {
    return this.settle(
      (async () => {
        for (;;) {
          const frame = this.frames.shift();
          if (frame !== undefined) return frame;
          if (this.failure !== undefined) throw this.failure;
          await new Promise<void>((resolve) => {
            this.waiter = resolve;
          });
        }
      })(),
      what,
      timeoutMs,
    );
  }

  /** Races `work` against the budget, the signal and a broken connection. */
  private settle<T>(work: Promise<T>, what: string, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        this.options.signal?.removeEventListener('abort', onAbort);
      };
      const timer = setTimeout(() => {
        finish();
        this.destroy();
        reject(
          new ZooKeeperClientError(
            'TIMEOUT',
            `${what} on ${this.endpoint}: no answer within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      const onAbort = () => {
        finish();
        this.destroy();
        reject(new ZooKeeperClientError('ABORTED', `${what} on ${this.endpoint}: aborted`));
      };
      if (this.options.signal?.aborted === true) {
        onAbort();
        return;
      }
      this.options.signal?.addEventListener('abort', onAbort, { once: true });
      work.then(
        (value) => {
          finish();
          resolve(value);
        },
        (error: unknown) => {
          finish();
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  private nextXid(): number {
    const xid = this.xid;
    this.xid += 1;
    return xid;
  }

  private destroy(): void {
    this.failure ??= new ZooKeeperClientError('CONNECTION_LOSS', `${this.endpoint}: closed`);
    this.socket.destroy();
    this.wake();
  }
}

function tlsConnect(host: string, port: number, tls: TlsOptions | undefined): Socket {
  return tlsSocket({
    host,
    port,
    ...(isIP(host) === 0 && { servername: host }),
    ...serverNameOption(tls, host, port),
    ca: tls?.ca,
    cert: tls?.cert,
    key: tls?.key,
    rejectUnauthorized: tls?.insecureSkipVerify !== true,
  });
}
