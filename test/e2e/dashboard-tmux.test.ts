// End to end: `quorumctl dashboard` in a real terminal (tmux) against live etcd and NATS
// sandboxes. The screen is read back with `tmux capture-pane`, as an operator would see it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { stopMember } from '../../sandbox/index.js';
import { createCliHome, REPO_ROOT, type CliHome } from '../support/cli.js';

const run = promisify(execFile);
const INTERVAL_S = 1;
/** The load of parallel test runs stretches elections and polls: generous, and reported. */
const SLACK_MS = 8000;

interface StatusDocument {
  result: { leaderId?: string; members: { id: string; name: string }[] };
}

/** One private tmux server per test run, so nothing touches the developer's sessions. */
class Tmux {
  constructor(
    readonly socket: string,
    private readonly config: string,
  ) {}

  async tmux(...args: string[]): Promise<string> {
    const { stdout } = await run('tmux', ['-L', this.socket, '-f', this.config, ...args]);
    return stdout;
  }

  /** A shell in a fresh session of `columns` x `rows`, with the test home's environment. */
  async start(session: string, columns: number, rows: number, env: Record<string, string>) {
    const variables = Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
    await this.tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      String(columns),
      '-y',
      String(rows),
      ...variables,
      'bash --norc --noprofile',
    );
    await this.tmux('send-keys', '-t', session, `cd ${REPO_ROOT} && PS1='shell$ '`, 'Enter');
  }

  keys(session: string, ...keys: string[]): Promise<string> {
    return this.tmux('send-keys', '-t', session, ...keys);
  }

  capture(session: string): Promise<string> {
    return this.tmux('capture-pane', '-p', '-t', session);
  }

  async alternateScreen(session: string): Promise<boolean> {
    return (
      (await this.tmux('display-message', '-p', '-t', session, '#{alternate_on}')).trim() === '1'
    );
  }

  /** Polls the screen until `predicate` holds; fails with the last screen otherwise. */
  async waitFor(
    session: string,
    what: string,
    predicate: (screen: string) => boolean,
    timeoutMs: number,
  ): Promise<{ screen: string; elapsedMs: number }> {
    const started = Date.now();
    let screen = '';
    while (Date.now() - started < timeoutMs) {
      screen = await this.capture(session);
      if (predicate(screen)) return { screen, elapsedMs: Date.now() - started };
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.fail(`${what}: not on screen within ${timeoutMs} ms. Last screen:\n${screen}`);
  }

  async killServer(): Promise<void> {
    await this.tmux('kill-server').catch(() => undefined);
  }
}

/** The row of `cluster` in the cluster list. */
function clusterRow(screen: string, cluster: string): string {
  return screen.split('\n').find((line) => line.startsWith(`│${cluster} `)) ?? '';
}

describe(
  'quorumctl dashboard in tmux against etcd and NATS sandboxes',
  { timeout: 240_000 },
  () => {
    let home: CliHome;
    let tmux: Tmux;
    let env: Record<string, string>;

    before(async () => {
      home = await createCliHome();
      const config = join(home.dir, 'tmux.conf');
      // tmux-256color, as most tmux setups declare it (the default is `screen`).
      await writeFile(config, 'set -g default-terminal "tmux-256color"\nset -g status off\n');
      tmux = new Tmux(`quorumctl-e2e-${process.pid}`, config);
      env = {
        QUORUMCTL_CONFIG: home.configPath,
        XDG_STATE_HOME: home.stateHome,
        XDG_CONFIG_HOME: join(home.dir, 'config'),
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        LANG: 'C.UTF-8',
      };
      await home.sandboxUp('dash', ['--kind', 'etcd', '--members', '3']);
      await home.sandboxUp('dashjs', ['--kind', 'nats', '--members', '3']);
    });

    after(async () => {
      await tmux.killServer();
      await home.cleanup();
    });

    test('without a terminal: one line per cluster per refresh, or HealthReport JSON Lines', async () => {
      const lines = await home.run(['dashboard', '--all', '--count', '2']);
      assert.equal(lines.code, 0, lines.stderr);
      const printed = lines.stdout.trim().split('\n');
      assert.equal(printed.length, 4, lines.stdout);
      assert.equal(
        printed.filter((line) =>
          / sandbox-dash \(etcd\): leader n\d at term \d+, quorum margin 1 .*\[ok\]$/.test(line),
        ).length,
        2,
        lines.stdout,
      );
      assert.equal(
        printed.filter((line) =>
          / sandbox-dashjs \(nats\): leader n\d, quorum margin 1 .*\[ok\]$/.test(line),
        ).length,
        2,
        lines.stdout,
      );
      const json = await home.run(['dashboard', '--all', '--count', '1', '-o', 'json']);
      assert.equal(json.code, 0, json.stderr);
      const documents = json.stdout
        .trim()
        .split('\n')
        .map(
          (line) =>
            JSON.parse(line) as { kind: string; result: { cluster: string; verdict: string } },
        );
      assert.deepEqual(
        documents.map((document) => [document.kind, document.result.verdict]),
        [
          ['HealthReport', 'ok'],
          ['HealthReport', 'ok'],
        ],
      );
      assert.deepEqual(documents.map((document) => document.result.cluster).sort(), [
        'sandbox-dash',
        'sandbox-dashjs',
      ]);
    });

    test('80x24: the collapsed layout shows its three panels intact', async () => {
      await tmux.start('small', 80, 24, env);
      await tmux.keys('small', './bin/quorumctl dashboard --all --interval 1s', 'Enter');
      const { screen } = await tmux.waitFor(
        'small',
        'both clusters with a leader',
        (text) => /sandbox-dash +etcd +n\d/.test(text) && /sandbox-dashjs +nats +n\d/.test(text),
        30_000,
      );
      const lines = screen.split('\n');
      assert.equal(lines.length >= 24, true);
      // Each panel's title sits intact on its own top border, in the order of the layout.
      const clusters = lines.findIndex((line) => /^┌─ \[clusters \(2\)\] ─+┐$/.test(line));
      const members = lines.findIndex((line) => /^┌─ members of sandbox-dash ─+┐$/.test(line));
      const log = lines.findIndex((line) => /^┌─ findings and events ─+┐$/.test(line));
      assert.ok(clusters === 0 && members > clusters && log > members, screen);
      for (const header of ['CLUSTER', 'MEMBER ', 'ROLE', 'DB / QUOTA', 'REACH'])
        assert.ok(screen.includes(header), `${header} missing:\n${screen}`);
      // No chart, timeline or group panel at this size; every line is exactly the width.
      for (const absent of ['leader timeline', 'commit p99', 'Raft groups', 'term churn'])
        assert.ok(!screen.includes(absent), `${absent} shown at 80x24:\n${screen}`);
      for (const line of lines.slice(0, 23))
        assert.equal(Array.from(line).length, 80, `line: ${line}`);
      assert.match(lines[23] ?? '', /^ q quit {2}\? help/);
      await tmux.keys('small', 'q');
      await tmux.waitFor('small', 'the shell after q', (text) => /shell\$ *$/m.test(text), 10_000);
      assert.equal(await tmux.alternateScreen('small'), false);
    });

    test('120x40: leader, leader change, a dead cluster, then q restores the terminal', async () => {
      const status = await home.run(['status', '-c', 'sandbox-dash', '-o', 'json']);
      assert.equal(status.code, 0, status.stderr);
      const before = (JSON.parse(status.stdout) as StatusDocument).result;
      const leader = before.members.find((member) => member.id === before.leaderId)?.name;
      assert.ok(leader !== undefined, 'the etcd sandbox has a leader');

      await tmux.start('full', 120, 40, env);
      await tmux.keys(
        'full',
        `./bin/quorumctl dashboard --all --interval ${INTERVAL_S}s; echo "dashboard-exit=$?"`,
        'Enter',
      );
      const first = await tmux.waitFor(
        'full',
        `the cluster list with leader ${leader}`,
        (text) => new RegExp(`sandbox-dash +etcd +${leader} `).test(text),
        30_000,
      );
      assert.match(first.screen, /sandbox-dashjs +nats +n\d/);
      for (const panel of [
        'leader timeline',
        'term churn',
        'Raft groups',
        'commit p99',
        'fsync p99',
        'findings and events',
      ])
        assert.ok(first.screen.includes(panel), `${panel} missing:\n${first.screen}`);
      assert.equal(await tmux.alternateScreen('full'), true);

      await stopMember(home.stateDir, 'dash', leader, 'SIGKILL');
      const changed = await tmux.waitFor(
        'full',
        'a new etcd leader and the leader-change event',
        (text) => {
          const row = clusterRow(text, 'sandbox-dash');
          const newLeader = /sandbox-dash +etcd +(n\d) /.exec(row)?.[1];
          return (
            newLeader !== undefined &&
            newLeader !== leader &&
            text.includes(`leader-change: leader changed from ${leader} to ${newLeader}`)
          );
        },
        3 * INTERVAL_S * 1000 + SLACK_MS,
      );
      process.stdout.write(
        `# new leader and event on screen ${changed.elapsedMs} ms after the kill\n`,
      );
      assert.match(changed.screen, /<- new, was n\d/);

      // Resized: the layout follows the terminal (collapsed at 80x24, full again at 120x40).
      await tmux.tmux('resize-window', '-t', 'full', '-x', '80', '-y', '24');
      await tmux.waitFor(
        'full',
        'the compact layout after resizing to 80x24',
        (text) =>
          !text.includes('leader timeline') &&
          text.includes('findings and events') &&
          text.split('\n').every((line) => Array.from(line).length <= 80),
        10_000,
      );
      await tmux.tmux('resize-window', '-t', 'full', '-x', '120', '-y', '40');
      await tmux.waitFor(
        'full',
        'the full layout after resizing back',
        (text) => text.includes('leader timeline') && text.includes('full 120x40'),
        10_000,
      );

      for (const member of ['n1', 'n2', 'n3'])
        await stopMember(home.stateDir, 'dashjs', member, 'SIGKILL');
      const dead = await tmux.waitFor(
        'full',
        'the NATS cluster shown critical',
        (text) =>
          /sandbox-dashjs +nats +unreachable .*critical/.test(clusterRow(text, 'sandbox-dashjs')),
        20_000,
      );
      // Still alive and refreshing: the key bar's clock moves on.
      const clock = (text: string) => /updated (\d\d:\d\d:\d\d)/.exec(text)?.[1];
      await tmux.waitFor(
        'full',
        'the dashboard still refreshing',
        (text) => clock(text) !== undefined && clock(text) !== clock(dead.screen),
        10_000,
      );

      await tmux.keys('full', 'q');
      const exited = await tmux.waitFor(
        'full',
        'the shell after q',
        (text) => text.includes('dashboard-exit=0'),
        10_000,
      );
      assert.ok(!exited.screen.includes('findings and events'), exited.screen);
      assert.equal(await tmux.alternateScreen('full'), false);
    });
  },
);
