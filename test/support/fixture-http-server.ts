/**
 * Fixture-served HTTP for adapters of HTTP status APIs: a loopback node:http server for CLI
 * tests (the CLI runs in a child process, out of nock's reach) and nock interceptors for
 * in-process tests, both answering from the same `routes.json` of a fixture directory.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import nock from 'nock';

/** A file answered with 200, or a status with a file or a literal body. */
export type FixtureRoute = string | { status?: number; file?: string; body?: string };

/** Request path (with its query, exactly as the adapter sends it) to what to answer. */
export type FixtureRoutes = Record<string, FixtureRoute>;

export interface FixtureAnswer {
  status: number;
  body: string;
}

export function loadFixtureRoutes(dir: string): FixtureRoutes {
  return JSON.parse(readFileSync(join(dir, 'routes.json'), 'utf8')) as FixtureRoutes;
}

export function fixtureAnswer(dir: string, route: FixtureRoute): FixtureAnswer {
  if (typeof route === 'string')
    return { status: 200, body: readFileSync(join(dir, route), 'utf8') };
  const body =
    route.file !== undefined ? readFileSync(join(dir, route.file), 'utf8') : (route.body ?? '');
  return { status: route.status ?? 200, body };
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export interface FixtureServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Serves `routes` (default: the directory's routes.json) from files in `dir`; any other path
 * is a 404, as an API that lacks the route would answer.
 */
export async function startFixtureServer(
  dir: string,
  routes: FixtureRoutes = loadFixtureRoutes(dir),
): Promise<FixtureServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers });
    const route = routes[path];
    const answer =
      route === undefined
        ? { status: 404, body: '404 page not found\n' }
        : fixtureAnswer(dir, route);
    res.writeHead(answer.status, { 'content-type': contentTypeOf(answer.body) });
    res.end(answer.body);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/**
 * The same routes as nock interceptors on `origin` (persisting, so every call of a status
 * read is answered). Returns the scope; the caller runs nock.cleanAll() afterwards.
 */
export function interceptFixtures(
  origin: string,
  dir: string,
  routes: FixtureRoutes = loadFixtureRoutes(dir),
): nock.Scope {
  const scope = nock(origin).persist();
  for (const [path, route] of Object.entries(routes)) {
    const answer = fixtureAnswer(dir, route);
    scope
      .get(path)
      .reply(answer.status, answer.body, { 'content-type': contentTypeOf(answer.body) });
  }
  return scope;
}

function contentTypeOf(body: string): string {
  const first = body.trimStart()[0];
  return first === '{' || first === '[' || first === '"' ? 'application/json' : 'text/plain';
}
