/**
 * The shipped alert rules against the real promtool (Debian `prometheus`): `check rules`, the
 * unit tests with synthetic series for every alert, proof that those tests catch the etcd
 * mixin's defects, and `quorumctl dashboards export` producing the committed files.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { ALERT_RULES } from '../../core/metrics/alerts.js';
import { ALERT_RULES_FILE_NAME, promtoolCoverage } from '../../core/metrics/prometheus-rules.js';
import { REPO_ROOT } from '../support/cli.js';

const PROMETHEUS_DIR = join(REPO_ROOT, 'dashboards', 'prometheus');
const RULES_FILE = join(PROMETHEUS_DIR, ALERT_RULES_FILE_NAME);
const TESTS_DIR = join(PROMETHEUS_DIR, 'tests');
const BIN = join(REPO_ROOT, 'bin', 'quorumctl');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd = REPO_ROOT): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The quorumctl binary in a working directory of our choosing (the default --out is ./dashboards). */
function quorumctl(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

function findOnPath(name: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, name))
    .find((candidate) => existsSync(candidate));
}

describe('alert rules under promtool', () => {
  let promtool = '';
  let testFiles: string[] = [];
  let work = '';

  before(async () => {
    const found = findOnPath('promtool');
    assert.ok(
      found,
      'promtool is not installed: it comes with the Debian prometheus package (make system, or scripts/setup-system.sh as root)',
    );
    promtool = found;
    testFiles = (await readdir(TESTS_DIR))
      .filter((name) => name.endsWith('.yaml'))
      .sort()
      .map((name) => join(TESTS_DIR, name));
    work = await mkdtemp(join(tmpdir(), 'quorumctl-promtool-'));
  });

  after(async () => {
    if (work !== '') await rm(work, { recursive: true, force: true });
  });

  it('promtool check rules accepts the rule file with every shipped alert', async () => {
    const result = await run(promtool, ['check', 'rules', RULES_FILE]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, new RegExp(`SUCCESS: ${ALERT_RULES.length} rules found`));
  });

  it('every shipped alert has a promtool case that fires and one that stays silent', async () => {
    const documents = await Promise.all(
      testFiles.map(async (file): Promise<unknown> => parse(await readFile(file, 'utf8'))),
    );
    const coverage = promtoolCoverage(documents);
    for (const alert of ALERT_RULES) {
      const entry = coverage.get(alert.name);
      assert.ok(entry !== undefined, `${alert.name} has no promtool test in ${TESTS_DIR}`);
      assert.ok(entry.firing > 0, `${alert.name} has no promtool case where it fires`);
      assert.ok(entry.silent > 0, `${alert.name} has no promtool case where it stays silent`);
    }
  });

  it('promtool test rules passes every unit test with synthetic series', async () => {
    const result = await run(promtool, ['test', 'rules', ...testFiles]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stdout.match(/SUCCESS/g)?.length, testFiles.length, result.stdout);
  });

  it('the unit tests fail on the etcd mixin defects (500 ms fsync warning, proposals as a per-second rate)', async () => {
    const mutated = join(work, 'mutated');
    await cp(PROMETHEUS_DIR, mutated, { recursive: true });
    const rules = await readFile(join(mutated, ALERT_RULES_FILE_NAME), 'utf8');
    const withDefects = rules
      .replace(/(rate\(quorum_wal_fsync_duration_seconds_bucket\[5m\]\)\)\) > )0\.01$/m, '$10.5')
      .replace(
        'max by (cluster, kind, member) (increase(quorum_proposals_failed_total[30m])) > 5',
        'max by (cluster, kind, member) (rate(quorum_proposals_failed_total[15m])) > 5',
      );
    assert.notEqual(withDefects, rules, 'the mutation did not apply: update this test');
    await writeFile(join(mutated, ALERT_RULES_FILE_NAME), withDefects);
    const files = testFiles.map((file) => join(mutated, 'tests', file.slice(TESTS_DIR.length + 1)));
    const result = await run(promtool, ['test', 'rules', ...files]);
    assert.notEqual(result.code, 0, 'promtool accepted rules with the mixin defects');
    assert.match(result.stderr, /alertname: QuorumWalFsyncSlow/);
    assert.match(result.stderr, /alertname: QuorumProposalsFailing/);
  });

  it('quorumctl dashboards export alerts writes the committed rule file into ./dashboards by default', async () => {
    const cwd = await mkdtemp(join(work, 'export-'));
    const first = await quorumctl(['dashboards', 'export', 'alerts', '-o', 'json'], cwd);
    assert.equal(first.code, 0, first.stderr);
    const exported = join(cwd, 'dashboards', 'prometheus', ALERT_RULES_FILE_NAME);
    assert.equal(await readFile(exported, 'utf8'), await readFile(RULES_FILE, 'utf8'));
    const envelope = JSON.parse(first.stdout) as {
      kind: string;
      result: { files: { path: string; status: string }[] };
    };
    assert.equal(envelope.kind, 'DashboardExport');
    assert.deepEqual(
      envelope.result.files.map((file) => file.status),
      ['written'],
    );
    const check = await run(promtool, ['check', 'rules', exported]);
    assert.equal(check.code, 0, check.stdout + check.stderr);

    // Again: nothing to write.
    const second = await quorumctl(['dashboards', 'export', 'alerts', '--json'], cwd);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /"status": "unchanged"/);
  });

  it('--runbook-base-url makes runbook links absolute and the file still checks', async () => {
    const out = await mkdtemp(join(work, 'base-url-'));
    const result = await quorumctl(
      [
        'dashboards',
        'export',
        'alerts',
        '--out',
        out,
        '--runbook-base-url',
        'https://git.example.com/ops/quorumctl/blob/main/',
      ],
      work,
    );
    assert.equal(result.code, 0, result.stderr);
    const file = join(out, 'prometheus', ALERT_RULES_FILE_NAME);
    assert.match(
      await readFile(file, 'utf8'),
      /runbook_url: https:\/\/git\.example\.com\/ops\/quorumctl\/blob\/main\/docs\/alerts\.md#quorumnoleader/,
    );
    const check = await run(promtool, ['check', 'rules', file]);
    assert.equal(check.code, 0, check.stdout + check.stderr);
  });

  it('quorumctl dashboards export grafana writes the committed dashboards, and a file it cannot write is exit 2', async () => {
    const out = await mkdtemp(join(work, 'grafana-'));
    const result = await quorumctl(['dashboards', 'export', 'grafana', '--out', out], work);
    assert.equal(result.code, 0, result.stderr);
    const committed = (await readdir(join(REPO_ROOT, 'dashboards', 'grafana'))).sort();
    assert.deepEqual((await readdir(join(out, 'grafana'))).sort(), committed);
    for (const name of committed) {
      assert.equal(
        await readFile(join(out, 'grafana', name), 'utf8'),
        await readFile(join(REPO_ROOT, 'dashboards', 'grafana', name), 'utf8'),
        name,
      );
    }

    const blocker = join(work, 'not-a-directory');
    await writeFile(blocker, 'x');
    const failed = await quorumctl(['dashboards', 'export', 'grafana', '--out', blocker], work);
    assert.equal(failed.code, 2);
    assert.match(failed.stderr, /Error \(EXPORT_WRITE_FAILED\)/);
  });
});
