/**
 * Port-forward tunnels: a local server on 127.0.0.1:0, and one portforward websocket to the
 * pod per accepted connection (client-node's PortForward), as `kubectl port-forward` does.
 * The tunnel is probed once on open so a missing "create pods/portforward" permission, a
 * missing pod or an unreachable API server fails here, named, instead of as a reset later.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { type KubeConfig, PortForward } from '@kubernetes/client-node';
import type { QuorumctlError } from '../../core/errors.js';
import type { Tunnel } from '../../core/kubernetes/port.js';

/** The subset of a websocket a tunnel closes. */
interface ClosableSocket {
  close(): void;
  on?(event: 'close', listener: () => void): unknown;
}

export interface TunnelDependencies {
  config: KubeConfig;
  timeoutMs: number;
  /** Maps a failed upgrade (its HTTP status on `statusCode`) or transport error. */
  mapError(error: unknown): QuorumctlError;
}

/** A websocket upgrade refusal ("Unexpected server response: 403") as an error with a status. */
export function upgradeFailure(error: unknown): Error {
  if (error instanceof Error) return error;
  // ws reports a refused upgrade as an ErrorEvent (not an Error) carrying the message.
  const event =
    typeof error === 'object' && error !== null
      ? (error as { message?: unknown; error?: unknown })
      : {};
  const message = typeof event.message === 'string' ? event.message : String(error);
  const status = /Unexpected server response: (\d{3})/.exec(message)?.[1];
  if (status !== undefined)
    return Object.assign(new Error(message), { statusCode: Number(status) });
  return event.error instanceof Error ? event.error : new Error(message);
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' }),
      );
    }, timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(upgradeFailure(error));
      },
    );
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
}

export async function openTunnel(
  deps: TunnelDependencies,
  namespace: string,
  pod: string,
  podPort: number,
): Promise<Tunnel> {
  const forward = new PortForward(deps.config);
  const connect = async (output: NodeJS.WritableStream, input: NodeJS.ReadableStream) =>
    (await forward.portForward(
      namespace,
      pod,
      [podPort],
      output as never,
      null,
      input as never,
    )) as unknown as ClosableSocket;

  // The probe: one upgrade, closed at once.
  try {
    const probe = await withTimeout(connect(new PassThrough(), new PassThrough()), deps.timeoutMs);
    probe.close();
  } catch (error) {
    throw deps.mapError(error);
  }

  const sockets = new Set<Socket>();
  const websockets = new Set<ClosableSocket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
    connect(socket, socket).then(
      (websocket) => {
        websockets.add(websocket);
        websocket.on?.('close', () => {
          websockets.delete(websocket);
          socket.end();
        });
        socket.on('close', () => {
          websocket.close();
        });
      },
      // The caller sees a reset connection; the probe already named permission problems.
      () => socket.destroy(),
    );
  });
  const localPort = await listen(server);
  let closed: Promise<void> | undefined;
  return {
    namespace,
    pod,
    podPort,
    localPort,
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        for (const websocket of websockets) websocket.close();
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      });
      return closed;
    },
  };
}
