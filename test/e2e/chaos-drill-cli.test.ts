// `quorumctl chaos list|show|drill` as an operator runs them: scenarios as JSON, a bad
// scenario file reported by line, consent required without a terminal, a drill on the current
// context's sandbox with JSON, JUnit, HTML and a history `chaos check` accepts, a partition
// scenario refused on a loopback sandbox, and a drill SIGKILLed during a partition whose fault
// `chaos heal` then removes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { countTaggedRules } from '../../chaos/faults/iptables.js';
import type { SandboxRecord } from '../../sandbox/index.js';
import { createCliHome, REPO_ROOT, type CliHome } from '../support/cli.js';

const IS_ROOT = process.getuid?.() === 0;

interface Envelope {
  kind: string;
  status: number;
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
}

describe('quorumctl chaos list and show', () => {
  let home: CliHome;
  before(async () => {
    home = await createCliHome();
  });
  after(async () => {
    await home.cleanup();
  });

  test('list -o json: every built-in scenario', async () => {
    const listed = await home.run(['chaos', 'list', '-o', 'json']);
    assert.equal(listed.code, 0, listed.stderr);
    const envelope = JSON.parse(listed.stdout) as Envelope;
    assert.equal(envelope.kind, 'DrillList');
    const names = (envelope.result?.scenarios as { name: string }[]).map(
      (scenario) => scenario.name,
    );
    assert.ok(names.includes('kill-leader') && names.includes('bridge-partition'), names.join());
    const nats = await home.run(['chaos', 'list', '--kind', 'nats']);
    assert.match(nats.stdout, /kill-leader/);
    assert.doesNotMatch(nats.stdout, /pause-leader/, 'pause-leader is not written for NATS');
  });

  test('show: a scenario with its defaults, its source, and a bad file by line and column', async () => {
    const shown = await home.run(['chaos', 'show', 'pause-leader', '-o', 'json']);
    assert.equal(shown.code, 0, shown.stderr);
    const scenario = (JSON.parse(shown.stdout) as Envelope).result ?? {};
    assert.equal(scenario.durationMs, 5000);
    assert.deepEqual(scenario.target, { role: 'leader' });
    const source = await home.run(['chaos', 'show', 'isolate-leader', '--source']);
    assert.match(source.stdout, /^# .*\nname: isolate-leader\n/);

    const bad = join(home.dir, 'bad.yaml');
    await writeFile(
      bad,
      'name: mine\ndescription: x\nkinds: [etcd]\ntarget: leader\nfault: melt\nduration: 5s\n',
    );
    const refused = await home.run(['chaos', 'show', '--scenario', bad]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /SCENARIO_INVALID/);
    assert.match(refused.stderr, new RegExp(`${bad}:5:1: fault: must be one of kill, pause`));
  });

  test('drill without --yes and without a terminal is refused before anything happens', async () => {
    const refused = await home.run([
      'chaos',
      'drill',
      'kill-leader',
      '-s',
      'nowhere',
      '-o',
      'json',
    ]);
    assert.equal(refused.code, 2);
    const envelope = JSON.parse(refused.stdout) as Envelope;
    assert.equal(envelope.error?.code, 'CONFIRMATION_REQUIRED');
  });
});

describe(
  'quorumctl chaos drill on sandboxes',
  { skip: !IS_ROOT && 'needs root (netns)', timeout: 120_000 },
  () => {
    let home: CliHome;
    let record: SandboxRecord;
    before(async () => {
      home = await createCliHome();
      await home.sandboxUp('plain');
      // Started last: the netns sandbox is the current context.
      record = await home.sandboxUp('e2e', ['--netns']);
    });
    after(async () => {
      await home.run(['chaos', 'heal', '--all'], { timeoutMs: 60_000 }).catch(() => undefined);
      await home.cleanup();
    });

    test('a drill on the current context: PASS (exit 0) with JSON, JUnit, HTML and a checkable history', async () => {
      const junit = join(home.dir, 'drill.xml');
      const html = join(home.dir, 'drill.html');
      const history = join(home.dir, 'history.json');
      const run = await home.run(
        [
          'chaos',
          'drill',
          'kill-follower',
          '--duration',
          '1s',
          '--yes',
          '-o',
          'json',
          '--junit',
          junit,
          '--html',
          html,
          '--history',
          history,
        ],
        { timeoutMs: 60_000 },
      );
      const envelope = JSON.parse(run.stdout) as Envelope;
      assert.equal(envelope.kind, 'DrillReport');
      const report = envelope.result ?? {};
      assert.equal(
        run.code,
        0,
        `${String(report.verdict)}: ${JSON.stringify(report.reasons)}\n${run.stderr}`,
      );
      assert.equal(envelope.status, 0);
      assert.equal(report.verdict, 'PASS');
      assert.equal((report.cluster as { sandbox: string }).sandbox, 'e2e');
      assert.match(
        await readFile(junit, 'utf8'),
        /<testsuites name="quorumctl chaos drill" tests="\d+" failures="0"/,
      );
      assert.match(await readFile(html, 'utf8'), /<svg [^>]*aria-label="drill timeline"/);
      const checked = await home.run([
        'chaos',
        'check',
        history,
        '--model',
        'register',
        '-o',
        'json',
      ]);
      assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    });

    test('a partition scenario on a loopback sandbox: exit 2, what to run instead', async () => {
      const refused = await home.run(['chaos', 'drill', 'isolate-leader', '-s', 'plain', '--yes']);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /DRILL_NEEDS_NETNS/);
      assert.match(refused.stderr, /--netns/);
    });

    test('a drill SIGKILLed during a partition: chaos heal removes the partition', async () => {
      const child = spawn(
        join(REPO_ROOT, 'bin', 'quorumctl'),
        ['chaos', 'drill', 'isolate-leader', '-s', 'e2e', '--yes'],
        {
          env: {
            ...process.env,
            QUORUMCTL_CONFIG: home.configPath,
            XDG_STATE_HOME: home.stateHome,
            XDG_CONFIG_HOME: join(home.dir, 'config'),
            QUORUMCTL_PROGRESS: 'lines',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      let stderr = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`the drill never held its fault:\n${stderr}`));
        }, 40_000);
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (/hold the fault/.test(stderr)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const rulesDuring = await Promise.all(
        record.members.map((member) => countTaggedRules(member.netns ?? '', 'filter')),
      );
      assert.ok(
        rulesDuring.some((count) => count > 0),
        'the partition is in place',
      );
      child.kill('SIGKILL');
      await exited;

      const healed = await home.run(['chaos', 'heal', '-s', 'e2e', '-o', 'json'], {
        timeoutMs: 60_000,
      });
      assert.equal(healed.code, 0, healed.stderr);
      const report = (JSON.parse(healed.stdout) as Envelope).result as {
        healed: { spec: { kind: string } }[];
      };
      assert.deepEqual(
        report.healed.map((record) => record.spec.kind),
        ['isolate'],
      );
      for (const member of record.members)
        assert.equal(
          await countTaggedRules(member.netns ?? '', 'filter'),
          0,
          `rules left in ${member.name}`,
        );
      const again = await home.run(['chaos', 'heal', '-s', 'e2e', '-o', 'json']);
      assert.deepEqual((JSON.parse(again.stdout) as Envelope).result?.healed, []);
    });
  },
);
