/**
 * A fake Kubernetes API server that is a real local HTTP server: it answers the pods/portforward
 * websocket upgrade (v4.channel.k8s.io) and pipes each connection to a real local TCP port, as
 * the kubelet pipes to the pod. Frames: one channel byte, then data; the first frame of the data
 * (0) and error (1) channels carries the port as 2 bytes little-endian, as the API server sends.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export interface PortForwardUpgrade {
  namespace: string;
  pod: string;
  port: number;
  authorization?: string;
}

export interface FakePortForwardServer {
  /** http://127.0.0.1:PORT */
  url: string;
  upgrades: PortForwardUpgrade[];
  close(): Promise<void>;
}

const PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/;

/**
 * `pods` maps "namespace/pod:port" (one pod port), or "namespace/pod" (any of its ports), to the
 * local port that plays it; a pod listed in `denied` gets a 403 on the upgrade, as RBAC
 * answers without "create pods/portforward".
 */
export async function startFakePortForwardServer(options: {
  pods: Record<string, number>;
  denied?: string[];
  /** Plain GET answers by path (discovery's lists), e.g. {'/api/v1/pods': PodList}. */
  json?: Record<string, unknown>;
}): Promise<FakePortForwardServer> {
  const upgrades: PortForwardUpgrade[] = [];
  const sockets = new Set<Socket | Duplex>();
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) =>
      protocols.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false,
  });
  const server: Server = createServer((request, response) => {
    const body = options.json?.[new URL(request.url ?? '/', 'http://fake').pathname];
    if (request.method === 'GET' && body !== undefined) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ kind: 'Status', code: 404, message: 'not served by the fake' }));
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const url = new URL(request.url ?? '/', 'http://fake');
    const match = PATH.exec(url.pathname);
    const port = Number(url.searchParams.get('ports'));
    if (match === null || !Number.isInteger(port)) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [, namespace = '', pod = ''] = match;
    const key = `${namespace}/${pod}`;
    if (options.denied?.includes(key) === true) {
      const body = JSON.stringify({
        kind: 'Status',
        code: 403,
        reason: 'Forbidden',
        message: `pods "${pod}" is forbidden: cannot create resource "pods/portforward" in the namespace "${namespace}"`,
      });
      socket.end(
        `HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    const target = options.pods[`${key}:${port}`] ?? options.pods[key];
    if (target === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    upgrades.push({
      namespace,
      pod,
      port,
      ...(request.headers.authorization !== undefined && {
        authorization: request.headers.authorization,
      }),
    });
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      pipe(ws, target, port, sockets);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  return {
    url,
    upgrades,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      wss.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function pipe(
  ws: WebSocket,
  targetPort: number,
  podPort: number,
  sockets: Set<Socket | Duplex>,
): void {
  const portPrefix = Buffer.alloc(2);
  portPrefix.writeUInt16LE(podPort);
  ws.send(Buffer.concat([Buffer.from([0]), portPrefix]));
  ws.send(Buffer.concat([Buffer.from([1]), portPrefix]));
  const upstream = connect(targetPort, '127.0.0.1');
  sockets.add(upstream);
  const pending: Buffer[] = [];
  let connected = false;
  upstream.on('connect', () => {
    connected = true;
    for (const chunk of pending.splice(0)) upstream.write(chunk);
  });
  upstream.on('data', (chunk: Buffer) => {
    ws.send(Buffer.concat([Buffer.from([0]), chunk]));
  });
  upstream.on('error', (error) => {
    ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(error.message)]));
    ws.close();
  });
  upstream.on('close', () => {
    sockets.delete(upstream);
    ws.close();
  });
  ws.on('message', (data: Buffer) => {
    if (data[0] !== 0) return;
    const chunk = data.subarray(1);
    if (connected) upstream.write(chunk);
    else pending.push(chunk);
  });
  ws.on('close', () => upstream.end());
}
