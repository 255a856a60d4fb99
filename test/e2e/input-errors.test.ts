// End to end: bad input gets a clear message and a distinct exit code, never a stack trace.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createCliHome, type CliHome } from '../support/cli.js';

const VALID_INVENTORY = `current-context: prod
clusters:
  - name: prod
    kind: etcd
    endpoints: [http://127.0.0.1:2379]
  - name: staging
    kind: etcd
    endpoints: [http://127.0.0.1:12379]
`;

describe('bad input', { timeout: 60_000 }, () => {
  let home: CliHome;
  before(async () => {
    home = await createCliHome();
  });
  after(async () => {
    await home.cleanup();
  });

  test('a malformed inventory names file, line and column (exit 2)', async () => {
    await writeFile(
      home.configPath,
      VALID_INVENTORY.replace(
        'kind: etcd\n    endpoints: [http://127.0.0.1:12379]',
        'kind: etcdd\n    endpoints: [http://127.0.0.1:12379]',
      ),
    );
    const result = await home.run(['status']);
    assert.equal(result.code, 2);
    assert.ok(
      result.stderr.startsWith(
        `Error (INVENTORY_INVALID): ${home.configPath}:7:11: cluster "staging": "kind" must be one of etcd,`,
      ),
      result.stderr,
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  test('a YAML syntax error is positioned too, and -o json carries it in the envelope', async () => {
    await writeFile(home.configPath, 'clusters:\n  - name: a\n   kind: [etcd\n');
    const result = await home.run(['health', '-o', 'json']);
    assert.equal(result.code, 2);
    const document = JSON.parse(result.stdout) as {
      apiVersion: string;
      status: number;
      error: { code: string; message: string };
    };
    assert.equal(document.apiVersion, 'quorumctl/v1');
    assert.equal(document.status, 2);
    assert.equal(document.error.code, 'INVENTORY_INVALID');
    assert.match(
      document.error.message,
      new RegExp(`^${home.configPath}:\\d+:\\d+: YAML syntax error`),
    );
  });

  test('an unknown --cluster lists the known ones (exit 2)', async () => {
    await writeFile(home.configPath, VALID_INVENTORY);
    const result = await home.run(['status', '--cluster', 'nope']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^Error \(CLUSTER_UNKNOWN\): no cluster named "nope" in /);
    assert.match(result.stderr, /use one of: prod, staging/);
  });

  test('unreachable endpoints only: exit 3 naming the endpoints tried', async () => {
    const port = await closedPort();
    const result = await home.run([
      'status',
      '--endpoints',
      `etcd://127.0.0.1:${port},127.0.0.1:${port + 1}`,
      '--timeout',
      '1s',
    ]);
    assert.equal(result.code, 3);
    assert.match(result.stderr, /^Error \(CLUSTER_UNREACHABLE\)/);
    assert.ok(
      result.stderr.includes(`cluster "etcd://127.0.0.1:${port},127.0.0.1:${port + 1}"`),
      'an ad-hoc target is named as the user wrote it',
    );
    assert.ok(result.stderr.includes(`http://127.0.0.1:${port} (connection refused`));
    assert.ok(result.stderr.includes(`http://127.0.0.1:${port + 1}`));
  });

  test('a bad duration and an unknown flag are usage errors (exit 2)', async () => {
    const duration = await home.run(['status', '--timeout', 'soon']);
    assert.equal(duration.code, 2);
    assert.match(duration.stderr, /Error \(DURATION_INVALID\): --timeout "soon" is not a duration/);
    const monitor = await home.run([
      'status',
      '-e',
      'zookeeper://127.0.0.1:2181',
      '--monitor-urls',
      'ftp://127.0.0.1:8080',
    ]);
    assert.equal(monitor.code, 2);
    assert.match(
      monitor.stderr,
      /Error \(MONITOR_URL_INVALID\): --monitor-urls: "ftp:\/\/127\.0\.0\.1:8080"/,
    );
    const flag = await home.run(['status', '--frobnicate']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /Error \(USAGE\): Nonexistent flag: --frobnicate/);
  });

  test('no inventory and no target points to the sandbox (exit 2)', async () => {
    await writeFile(home.configPath, '');
    const result = await home.run(['status']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /quorumctl sandbox up/);
  });

  test('config add-cluster, use-context and view round-trip through the file', async () => {
    await writeFile(home.configPath, '');
    const add = await home.run([
      'config',
      'add-cluster',
      'lab',
      '--endpoints',
      'etcd://10.9.0.1:2379,10.9.0.2:2379',
      '--user',
      'root',
      '--password-env',
      'LAB_PW',
    ]);
    assert.equal(add.code, 0, add.stderr);
    const second = await home.run([
      'config',
      'add-cluster',
      'lab2',
      '--kind',
      'etcd',
      '--endpoints',
      'https://10.9.1.1:2379',
      '--token-env',
      'LAB2_TOKEN',
      '--monitor-urls',
      'http://10.9.1.1:8080/commands, http://10.9.1.2:8080/commands',
    ]);
    assert.equal(second.code, 0, second.stderr);
    const use = await home.run(['config', 'use-context', 'lab2']);
    assert.equal(use.code, 0, use.stderr);
    const view = await home.run(['config', 'view', '-o', 'json']);
    const document = JSON.parse(view.stdout) as {
      result: {
        currentContext: string;
        clusters: {
          name: string;
          endpoints: string[];
          auth?: { passwordEnv?: string; tokenEnv?: string };
          monitorUrls?: string[];
        }[];
      };
    };
    assert.equal(document.result.currentContext, 'lab2');
    assert.deepEqual(
      document.result.clusters.map((cluster) => cluster.name),
      ['lab', 'lab2'],
    );
    assert.deepEqual(document.result.clusters[0]?.endpoints, [
      'http://10.9.0.1:2379',
      'http://10.9.0.2:2379',
    ]);
    assert.equal(document.result.clusters[0]?.auth?.passwordEnv, 'LAB_PW');
    assert.deepEqual(document.result.clusters[1]?.auth, { tokenEnv: 'LAB2_TOKEN' });
    assert.deepEqual(document.result.clusters[1]?.monitorUrls, [
      'http://10.9.1.1:8080/commands',
      'http://10.9.1.2:8080/commands',
    ]);
    // The token is read from the environment when a command connects, never stored.
    const noToken = await home.run(['status']);
    assert.equal(noToken.code, 2, noToken.stderr);
    assert.match(noToken.stderr, /the token is read from \$LAB2_TOKEN, which is not set/);
    const missing = await home.run(['config', 'use-context', 'ghost']);
    assert.equal(missing.code, 2);
  });
});

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
