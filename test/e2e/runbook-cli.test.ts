// Runbooks through the real CLI against a 3-member etcd sandbox and a small-quota etcd: every
// built-in runbook planned and run, a failing gate resumed, and a SIGKILLed replacement resumed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ClusterStatus } from '../../core/model.js';
import type { RunRecord } from '../../core/runbook/journal.js';
import { restartMembers, stopMember, type SandboxRecord } from '../../sandbox/index.js';
import { createCliHome, REPO_ROOT, type CliHome } from '../support/cli.js';
import { startEtcdWriter } from '../support/etcd-writer.js';
import { startStandaloneEtcd, type StandaloneEtcd } from '../support/standalone-etcd.js';

const SANDBOX = 'runbooks';

interface Envelope<T> {
  kind: string;
  status: number;
  result: T;
  error?: { code: string; message: string };
}

interface RunResult {
  record: RunRecord;
  stop?: { stepId: string; code: string; message: string; exitCode: number };
}

function parse<T>(stdout: string): Envelope<T> {
  return JSON.parse(stdout) as Envelope<T>;
}

async function journals(home: CliHome): Promise<RunRecord[]> {
  const dir = join(home.stateDir, 'runbooks', 'runs');
  const names = await readdir(dir).catch(() => []);
  return Promise.all(
    names
      .filter((name) => name.endsWith('.json'))
      .map(async (name) => JSON.parse(await readFile(join(dir, name), 'utf8')) as RunRecord),
  );
}

describe('runbooks against a 3-member etcd sandbox', { timeout: 300_000 }, () => {
  let home: CliHome;
  let record: SandboxRecord;
  const backups = () => join(home.dir, 'backups');
  const status = async () => {
    const result = await home.run(['status', '-c', `sandbox-${SANDBOX}`, '-o', 'json']);
    return parse<ClusterStatus>(result.stdout).result;
  };

  before(async () => {
    home = await createCliHome();
    record = await home.sandboxUp(SANDBOX, ['--kind', 'etcd', '--members', '3']);
  });
  after(async () => {
    await home?.cleanup();
  });

  test('list and show the library; a malformed runbook is named by file, line and column', async () => {
    const listed = await home.run(['runbook', 'list', '-o', 'json']);
    assert.equal(listed.code, 0, listed.stderr);
    const names = parse<{ name: string }[]>(listed.stdout).result.map((runbook) => runbook.name);
    for (const name of [
      'leader-flapping-triage',
      'nospace-recovery',
      'pre-upgrade',
      'replace-member',
      'restore-drill',
      'rolling-defrag',
      'chaos-gameday',
      'disaster-recovery',
    ]) {
      assert.ok(names.includes(name), `${name} is in the library`);
    }

    const bad = join(home.dir, 'bad.yaml');
    await writeFile(bad, 'name: bad\ndescription: d\nsteps:\n  - id: one\n    run: defragment\n');
    const unknown = await home.run(['runbook', 'show', bad]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /bad\.yaml:5:10: unknown operation "defragment" in step "one"/);

    await writeFile(bad, 'name: bad\nsteps:\n  - id: one\n    run: [unclosed\n');
    const syntax = await home.run(['runbook', 'show', bad]);
    assert.equal(syntax.code, 2);
    assert.match(syntax.stderr, /bad\.yaml:\d+:\d+: YAML syntax error/);
    assert.doesNotMatch(syntax.stderr, /\n\s+at /, 'no stack trace');
  });

  test('every built-in runbook plans against the sandbox, with the quorum effect of changes', async () => {
    const plans: Record<string, string[]> = {
      'pre-upgrade': ['-p', `backupDest=${backups()}`],
      'restore-drill': ['-p', `backupDest=${backups()}`],
      'leader-flapping-triage': [],
      'rolling-defrag': ['-p', `backupDest=${backups()}`],
      'replace-member': ['-p', 'member=n2', '-p', `backupDest=${backups()}`],
      'nospace-recovery': [],
      'chaos-gameday': ['-p', 'duration=2s'],
      'disaster-recovery': ['-p', `backupDest=${backups()}`, '-p', `lostCluster=${SANDBOX}`],
    };
    for (const [name, params] of Object.entries(plans)) {
      const planned = await home.run([
        'runbook',
        'plan',
        name,
        '--sandbox',
        SANDBOX,
        ...params,
        '-o',
        'json',
      ]);
      assert.equal(planned.code, 0, `${name}: ${planned.stderr}`);
      const view = parse<{
        steps: { id: string; mutates: boolean; maintenancePlan?: { steps: unknown[] } }[];
      }>(planned.stdout).result;
      assert.ok(view.steps.length > 0, name);
      for (const step of view.steps.filter(
        (candidate) => candidate.maintenancePlan !== undefined,
      )) {
        assert.ok(step.mutates, `${name}/${step.id} has a plan because it changes the cluster`);
        assert.ok(step.maintenancePlan!.steps.length > 0);
      }
    }
    const defrag = await home.run([
      'runbook',
      'plan',
      'rolling-defrag',
      '--sandbox',
      SANDBOX,
      '-p',
      `backupDest=${backups()}`,
    ]);
    assert.match(defrag.stdout, /\| .*move leadership|\| .*defragment/);
    assert.match(defrag.stdout, /QUORUM BEFORE/);
  });

  test('pre-upgrade, restore-drill, leader-flapping-triage and rolling-defrag run to the end', async () => {
    const runs: [string, string[]][] = [
      ['pre-upgrade', ['-p', `backupDest=${backups()}`]],
      ['restore-drill', ['-p', `backupDest=${backups()}`, '-p', 'maxRestoreSeconds=60']],
      ['leader-flapping-triage', ['-p', 'window=2s']],
      ['rolling-defrag', ['-p', `backupDest=${backups()}`, '-p', 'wait=0s']],
      ['chaos-gameday', ['-p', 'duration=2s']],
    ];
    for (const [name, params] of runs) {
      const junit = join(home.dir, `${name}.xml`);
      const ran = await home.run(
        [
          'runbook',
          'run',
          name,
          '--sandbox',
          SANDBOX,
          ...params,
          '--yes',
          '--junit',
          junit,
          '-o',
          'json',
        ],
        { timeoutMs: 120_000 },
      );
      assert.equal(ran.code, 0, `${name}: ${ran.stderr}`);
      const result = parse<RunResult>(ran.stdout).result;
      assert.equal(result.record.status, 'succeeded', name);
      const xml = await readFile(junit, 'utf8');
      assert.match(xml, new RegExp(`tests="${result.record.stepIds.length}" failures="0"`));
    }
    const history = await home.run(['runbook', 'history', '-o', 'json']);
    assert.equal(parse<RunRecord[]>(history.stdout).result.length, runs.length);
  });

  test('disaster-recovery rebuilds the cluster from its backup in a new sandbox, and refuses one with data', async () => {
    // The "lost" cluster's data and its backup.
    const put = await fetch(`${record.endpoints[0]}/v3/kv/put`, {
      method: 'POST',
      body: JSON.stringify({ key: btoa('precious'), value: btoa('kept') }),
    });
    assert.equal(put.status, 200);
    const backedUp = await home.run([
      'backup',
      'create',
      '-c',
      `sandbox-${SANDBOX}`,
      '-d',
      backups(),
    ]);
    assert.equal(backedUp.code, 0, backedUp.stderr);
    const rebuiltSandbox = await home.sandboxUp(`${SANDBOX}-dr`, [
      '--kind',
      'etcd',
      '--members',
      '3',
    ]);
    const args = [
      'runbook',
      'run',
      'disaster-recovery',
      '--sandbox',
      `${SANDBOX}-dr`,
      '-p',
      `backupDest=${backups()}`,
      '-p',
      `lostCluster=sandbox-${SANDBOX}`,
      '--yes',
      '-o',
      'json',
    ];
    const rebuilt = await home.run(args, { timeoutMs: 120_000 });
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    const restore = parse<RunResult>(rebuilt.stdout).result.record.entries.find(
      (entry) => entry.stepId === 'restore' && entry.state === 'done',
    );
    assert.match(String(restore?.outputs?.restored), /3 members from revision \d+/);
    const range = await fetch(`${rebuiltSandbox.endpoints[1]}/v3/kv/range`, {
      method: 'POST',
      body: JSON.stringify({ key: btoa('precious') }),
    });
    const found = (await range.json()) as { kvs?: { value: string }[] };
    assert.equal(atob(found.kvs?.[0]?.value ?? ''), 'kept', 'the data is in the rebuilt cluster');

    const again = await home.run(args, { timeoutMs: 60_000 });
    assert.equal(again.code, 4, 'the rebuilt cluster now holds data: a second restore is refused');
    assert.equal(parse<RunResult>(again.stdout).result.stop?.code, 'RESTORE_TARGET_LIVE');
  });

  test('a gate that fails stops the run (exit 4); resume continues once the cluster is whole', async () => {
    await stopMember(home.stateDir, SANDBOX, 'n3');
    try {
      const failed = await home.run(
        [
          'runbook',
          'run',
          'rolling-defrag',
          '--sandbox',
          SANDBOX,
          '-p',
          `backupDest=${backups()}`,
          '--yes',
        ],
        { timeoutMs: 60_000 },
      );
      assert.equal(failed.code, 4, failed.stderr + failed.stdout);
      assert.match(
        failed.stdout,
        /gate not met: .*quorumMargin >= 1 \(quorumMargin is 0, needs >= 1\)/,
      );
      assert.match(failed.stdout, /Continue with: quorumctl runbook resume rolling-defrag-/);
    } finally {
      await restartMembers(home.stateDir, SANDBOX);
    }
    const resumed = await home.run(
      ['runbook', 'resume', '--sandbox', SANDBOX, '--yes', '-o', 'json'],
      {
        timeoutMs: 120_000,
      },
    );
    assert.equal(resumed.code, 0, resumed.stderr);
    const result = parse<RunResult>(resumed.stdout).result;
    assert.equal(result.record.status, 'succeeded');
    assert.deepEqual(
      result.record.entries
        .filter((entry) => entry.state === 'failed')
        .map((entry) => entry.stepId),
      ['healthy'],
      'the journal keeps the failed gate of the first attempt',
    );
  });

  test('replace-member under write load: SIGKILL after the learner joined, resume adds no second one', async () => {
    const before = await status();
    const victim = before.members.find((member) => member.id !== before.leaderId)!.name;
    const survivors = record.endpoints.filter((_, index) => record.members[index]?.name !== victim);
    const writer = startEtcdWriter(() => survivors);
    try {
      const runner = spawn(
        join(REPO_ROOT, 'bin', 'quorumctl'),
        [
          'runbook',
          'run',
          'replace-member',
          '--sandbox',
          SANDBOX,
          '-p',
          `member=${victim}`,
          '-p',
          `backupDest=${backups()}`,
          '--yes',
        ],
        {
          env: {
            ...process.env,
            QUORUMCTL_CONFIG: home.configPath,
            XDG_STATE_HOME: home.stateHome,
            XDG_CONFIG_HOME: join(home.dir, 'config'),
          },
          stdio: 'ignore',
        },
      );
      const exited = new Promise((resolve) => runner.on('exit', resolve));
      // Kill it the moment the journal says the new member was added (and started).
      const deadline = Date.now() + 60_000;
      let killedAfterAdd = false;
      while (Date.now() < deadline) {
        const run = (await journals(home)).find((journal) => journal.runbook === 'replace-member');
        if (
          run?.entries.some((entry) => entry.stepId === 'add' && entry.state === 'done') === true
        ) {
          runner.kill('SIGKILL');
          killedAfterAdd = true;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await exited;
      assert.ok(killedAfterAdd, 'the add step finished within 60 s');

      // The new member joined (a learner, or already promoted if the runner got that far).
      const midway = await status();
      assert.equal(midway.members.length, 4, midway.members.map((member) => member.name).join(','));
      assert.ok(midway.members.filter((member) => !member.voter).length <= 1);
      assert.ok(midway.quorum.healthyVoters >= 2);

      const resumed = await home.run(
        ['runbook', 'resume', '--sandbox', SANDBOX, '--yes', '-o', 'json'],
        {
          timeoutMs: 120_000,
        },
      );
      assert.equal(resumed.code, 0, resumed.stderr);
      const result = parse<RunResult>(resumed.stdout).result;
      assert.equal(result.record.status, 'succeeded');
      assert.equal(
        result.record.entries.filter((entry) => entry.stepId === 'add' && entry.state === 'done')
          .length,
        1,
        'the add step ran once',
      );
    } finally {
      const load = await writer.stop();
      assert.deepEqual(load.errors, [], `the writer saw ${load.errors.length} errors`);
    }
    const after = await status();
    assert.equal(after.members.length, 3, after.members.map((member) => member.name).join(','));
    assert.ok(after.members.every((member) => member.voter && member.reachable));
    assert.ok(!after.members.some((member) => member.name === victim), `${victim} was removed`);
  });
});

describe('nospace-recovery runbook on an etcd filled to its quota', { timeout: 120_000 }, () => {
  let home: CliHome;
  let etcd: StandaloneEtcd;

  before(async () => {
    home = await createCliHome();
    etcd = await startStandaloneEtcd({
      extraArgs: ['--quota-backend-bytes', String(8 * 1024 * 1024)],
    });
  });
  after(async () => {
    await etcd?.stop();
    await home?.cleanup();
  });

  test('writes are refused, then accepted after the runbook', async () => {
    const put = async (key: string, value: Buffer | string) => {
      const response = await fetch(`${etcd.clientUrl}/v3/kv/put`, {
        method: 'POST',
        body: JSON.stringify({
          key: Buffer.from(key).toString('base64'),
          value: Buffer.from(value).toString('base64'),
        }),
      });
      return response.text();
    };
    const value = Buffer.alloc(384 * 1024);
    let full = false;
    for (let index = 0; index < 100 && !full; index += 1) {
      value.writeUInt32LE(index, 0);
      full = (await put('history', value)).includes('database space exceeded');
    }
    assert.ok(full, 'the quota fills up');
    const endpoint = `etcd://${etcd.clientUrl.replace('http://', '')}`;
    const ran = await home.run(
      ['runbook', 'run', 'nospace-recovery', '-e', endpoint, '--yes', '-o', 'json'],
      {
        timeoutMs: 90_000,
      },
    );
    assert.equal(ran.code, 0, ran.stderr + ran.stdout);
    assert.equal(parse<RunResult>(ran.stdout).result.record.status, 'succeeded');
    assert.doesNotMatch(await put('after', 'works'), /database space exceeded/);
  });
});
