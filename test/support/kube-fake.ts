/**
 * A fake Kubernetes API server for nock: a kubeconfig that points at it (token user, TLS
 * verification off: nock never opens a socket), and the Status bodies the API returns.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, afterEach, before } from 'node:test';
import nock from 'nock';
import { stringify } from 'yaml';

export const FAKE_API_SERVER = 'https://k8s.fake.invalid:6443';
export const FAKE_TOKEN = 'fake-token-for-tests';

/**
 * Call inside a describe whose tests talk to FAKE_API_SERVER through nock: no real network
 * (loopback stays open when the test also runs real servers), each test's interceptors gone
 * after it (a leftover one would answer the next test), the network back after the suite.
 */
export function interceptKubernetesApi(options: { loopback?: boolean } = {}): void {
  before(() => {
    nock.disableNetConnect();
    if (options.loopback === true) nock.enableNetConnect('127.0.0.1');
  });
  afterEach(() => {
    nock.cleanAll();
  });
  after(() => {
    nock.enableNetConnect();
  });
}

export interface FakeContext {
  name: string;
  namespace?: string;
  server?: string;
}

/** Writes a kubeconfig with the given contexts (the first is current) and returns its path. */
export async function writeKubeconfig(
  dir: string,
  contexts: FakeContext[] = [{ name: 'fake', namespace: 'default' }],
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'kubeconfig.yaml');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': contexts[0]?.name,
    clusters: contexts.map((context) => ({
      name: `${context.name}-cluster`,
      cluster: { server: context.server ?? FAKE_API_SERVER, 'insecure-skip-tls-verify': true },
    })),
    users: [{ name: 'tester', user: { token: FAKE_TOKEN } }],
    contexts: contexts.map((context) => ({
      name: context.name,
      context: {
        cluster: `${context.name}-cluster`,
        user: 'tester',
        ...(context.namespace !== undefined && { namespace: context.namespace }),
      },
    })),
  };
  await writeFile(path, stringify(config), { mode: 0o600 });
  return path;
}

/** The body of an API error, as the server sends it. */
export function statusBody(
  code: number,
  reason: string,
  message: string,
  details: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    details,
    code,
  };
}

/** A 403 as RBAC words it. */
export function forbiddenBody(
  verb: string,
  resource: string,
  group: string,
  namespace?: string,
): Record<string, unknown> {
  const where =
    namespace === undefined ? 'at the cluster scope' : `in the namespace "${namespace}"`;
  return statusBody(
    403,
    'Forbidden',
    `${resource} is forbidden: User "system:serviceaccount:ops:quorumctl" cannot ${verb} resource "${resource}" in API group "${group}" ${where}`,
    { kind: resource, ...(group !== '' && { group }) },
  );
}

/** A list response. */
export function listBody(
  kind: string,
  apiVersion: string,
  items: unknown[],
): Record<string, unknown> {
  return { kind, apiVersion, metadata: { resourceVersion: '1' }, items };
}
