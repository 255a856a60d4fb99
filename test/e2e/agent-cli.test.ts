// `quorumctl agent start` as an operator runs it: serves while the cluster is unreachable,
// reads a live etcd sandbox, protects /events with a token, stops cleanly on SIGTERM and
// SIGINT, and rejects bad flags with exit 2.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findSample, parsePromText } from '../../systems/transport/prometheus-text.js';
import { createCliHome, REPO_ROOT, type CliHome } from '../support/cli.js';

interface RunningAgent {
  child: ChildProcess;
  port: number;
  stderr: () => string;
  exited: Promise<number | null>;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function startAgent(
  home: CliHome,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<RunningAgent> {
  const child = spawn(
    join(REPO_ROOT, 'bin', 'quorumctl'),
    ['agent', 'start', '--listen', '127.0.0.1:0', ...args],
    {
      env: {
        ...process.env,
        QUORUMCTL_CONFIG: home.configPath,
        XDG_STATE_HOME: home.stateHome,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`agent did not start: ${stderr}`));
    }, 20_000);
    const check = () => {
      const match = /on http:\/\/127\.0\.0\.1:(\d+) /.exec(stderr);
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      resolve({ child, port: Number(match[1]), stderr: () => stderr, exited });
    };
    child.stderr?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`agent exited (${code}) before serving: ${stderr}`));
    });
  });
}

async function until<T>(
  what: string,
  read: () => Promise<T | undefined>,
  budgetMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${budgetMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function metricsOf(port: number) {
  return parsePromText(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
}

describe('quorumctl agent start', { timeout: 90_000 }, () => {
  let home: CliHome;
  const running: RunningAgent[] = [];

  before(async () => {
    home = await createCliHome();
  });

  after(async () => {
    for (const agent of running) if (agent.child.exitCode === null) agent.child.kill('SIGKILL');
    await home.cleanup();
  });

  test('an unreachable cluster: serves quorum_up 0 with the error, and stops on SIGTERM with exit 0', async () => {
    const port = await closedPort();
    const agent = await startAgent(home, [
      '--endpoints',
      `etcd://127.0.0.1:${port}`,
      '--interval',
      '200ms',
      '--timeout',
      '200ms',
    ]);
    running.push(agent);
    const samples = await until('a failed poll', async () => {
      const current = await metricsOf(agent.port);
      return (findSample(current, 'quorum_poll_failures_total') ?? 0) >= 2 ? current : undefined;
    });
    assert.equal(findSample(samples, 'quorum_up', { kind: 'etcd' }), 0);
    assert.ok((findSample(samples, 'process_resident_memory_bytes') ?? 0) > 0);
    const health = (await (await fetch(`http://127.0.0.1:${agent.port}/healthz`)).json()) as {
      up: boolean;
      lastError: { code: string; message: string };
    };
    assert.equal(health.up, false);
    assert.equal(health.lastError.code, 'CLUSTER_UNREACHABLE');
    // One log line when polls start failing, not one per poll.
    assert.equal(agent.stderr().match(/poll failed/g)?.length, 1);
    agent.child.kill('SIGTERM');
    assert.equal(await agent.exited, 0);
    assert.match(agent.stderr(), /SIGTERM: stopping/);
  });

  test('a live etcd sandbox: the leader flag and etcd histograms; /events needs the token; SIGINT exits 0', async () => {
    const record = await home.sandboxUp('agent', ['--members', '1']);
    const agent = await startAgent(
      home,
      ['--cluster', 'sandbox-agent', '--interval', '300ms', '--agent-token-env', 'AGENT_TOKEN'],
      { AGENT_TOKEN: 'e2e-secret' },
    );
    running.push(agent);
    const samples = await until('a good poll', async () => {
      const current = await metricsOf(agent.port);
      return findSample(current, 'quorum_up') === 1 ? current : undefined;
    });
    assert.equal(
      findSample(samples, 'quorum_is_leader', { cluster: 'sandbox-agent', member: 'n1' }),
      1,
    );
    assert.ok(
      (findSample(samples, 'quorum_wal_fsync_duration_seconds_count', { member: 'n1' }) ?? 0) > 0,
    );
    assert.equal(record.members.length, 1);
    const refused = await fetch(`http://127.0.0.1:${agent.port}/events`);
    assert.equal(refused.status, 401);
    const controller = new AbortController();
    const events = await fetch(`http://127.0.0.1:${agent.port}/events`, {
      headers: { authorization: 'Bearer e2e-secret' },
      signal: controller.signal,
    });
    assert.equal(events.status, 200);
    assert.match(events.headers.get('content-type') ?? '', /text\/event-stream/);
    controller.abort();
    agent.child.kill('SIGINT');
    assert.equal(await agent.exited, 0);
  });

  test('bad flags are usage errors (exit 2) that say what to do', async () => {
    const badListen = await home.run([
      'agent',
      'start',
      '-e',
      'etcd://127.0.0.1:2379',
      '--listen',
      '9464',
    ]);
    assert.equal(badListen.code, 2);
    assert.match(badListen.stderr, /LISTEN_INVALID/);
    const noToken = await home.run([
      'agent',
      'start',
      '-e',
      'etcd://127.0.0.1:2379',
      '--agent-token-env',
      'QUORUMCTL_E2E_NEVER_SET',
    ]);
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /SECRET_ENV_MISSING/);
    const badInterval = await home.run([
      'agent',
      'start',
      '-e',
      'etcd://127.0.0.1:2379',
      '--interval',
      'soon',
    ]);
    assert.equal(badInterval.code, 2);
    assert.match(badInterval.stderr, /DURATION_INVALID/);
  });
});
