// End to end: `quorumctl preflight` on the fixtures: exit codes, table, JSON, SARIF, JUnit,
// positioned input errors and the rules that compare members.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createCliHome, REPO_ROOT, type CliHome } from '../support/cli.js';
import { sarifSchemaErrors } from '../support/sarif-schema.js';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/preflight');
const fixture = (path: string) => join(FIXTURES, path);

interface Envelope {
  apiVersion: string;
  kind: string;
  status: number;
  result?: {
    kind: string;
    verdict: string;
    failOn: string;
    findings: { ruleId: string; severity: string; location?: { file: string; line: number } }[];
    rules: { id: string; outcome: string }[];
    files: { file: string; format: string; member?: string }[];
  };
  error?: { code: string; message: string };
}

describe('quorumctl preflight', { timeout: 120_000 }, () => {
  let home: CliHome;
  before(async () => {
    home = await createCliHome();
  });
  after(async () => {
    await home.cleanup();
  });

  test('a good configuration passes (exit 0)', async () => {
    const result = await home.run(['preflight', fixture('kubernetes/good.yaml')]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^PASS: preflight of etcd: .*kubernetes\/good\.yaml \(cp-1\)\n/);
    assert.equal(result.stderr, '');
  });

  test('a bad configuration fails (exit 1) with findings at file:line in the table', async () => {
    const result = await home.run(['preflight', fixture('zoo.cfg/bad.cfg')]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /^FAIL: preflight of zookeeper/);
    assert.ok(
      result.stdout.includes(`  ZK-SYNC-1  ${fixture('zoo.cfg/bad.cfg')}:8:1\n`),
      result.stdout,
    );
  });

  test('-o json: the PreflightReport envelope with every finding', async () => {
    const result = await home.run(['preflight', fixture('etcd-flags/bad.sh'), '-o', 'json']);
    assert.equal(result.code, 1, result.stderr);
    const envelope = JSON.parse(result.stdout) as Envelope;
    assert.equal(envelope.apiVersion, 'quorumctl/v1');
    assert.equal(envelope.kind, 'PreflightReport');
    assert.equal(envelope.status, 1);
    assert.equal(envelope.result?.verdict, 'fail');
    assert.equal(envelope.result?.failOn, 'critical');
    assert.deepEqual(envelope.result?.files, [
      { file: fixture('etcd-flags/bad.sh'), format: 'etcd-flags', member: 'infra0', settings: 12 },
    ]);
    assert.deepEqual(
      envelope.result?.findings.map((finding) => `${finding.ruleId}@${finding.location?.line}`),
      [
        'ETCD-TIME-1@11',
        'ETCD-TLS-1@6',
        'ETCD-TLS-2@1',
        'ETCD-TLS-4@1',
        'ETCD-TLS-5@1',
        'ETCD-TLS-6@9',
        'ETCD-COMPACT-1@14',
        'ETCD-QUOTA-1@12',
        'ETCD-SIZE-1@5',
        'ETCD-SNAP-1@13',
      ],
    );
    assert.equal(
      envelope.result?.rules.find((rule) => rule.id === 'HOST-FSYNC-1')?.outcome,
      'skipped',
    );
  });

  test('-o sarif: a SARIF 2.1.0 log that validates against the OASIS schema', async () => {
    const result = await home.run(['preflight', fixture('kubernetes/bad.yaml'), '-o', 'sarif']);
    assert.equal(result.code, 1, result.stderr);
    const log = JSON.parse(result.stdout) as {
      version: string;
      runs: {
        tool: { driver: { name: string; version: string } };
        results: {
          ruleId: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
          }[];
        }[];
      }[];
    };
    assert.deepEqual(sarifSchemaErrors(log), []);
    assert.equal(log.runs[0]?.tool.driver.name, 'quorumctl');
    assert.deepEqual(
      log.runs[0]?.results.map(
        (entry) => `${entry.ruleId}@${entry.locations[0]?.physicalLocation.region.startLine}`,
      ),
      ['ETCD-TIME-4@36', 'ETCD-TLS-1@31', 'ETCD-TLS-2@21', 'ETCD-QUOTA-1@24'],
    );
    assert.equal(
      log.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri,
      `file://${fixture('kubernetes/bad.yaml')}`,
    );
  });

  test('-o junit: XML with a testcase per rule (exit 1 on failures)', async () => {
    const result = await home.run([
      'preflight',
      fixture('server.properties/bad.properties'),
      '-o',
      'junit',
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stdout,
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="quorumctl preflight" tests="13" failures="5" errors="0" skipped="7">/,
    );
    assert.match(
      result.stdout,
      /<failure type="critical" message="process.roles=broker,controller: a combined node">/,
    );
  });

  test('--fail-on warn turns warnings into a failure', async () => {
    const file = join(home.dir, 'etcd.yaml');
    await writeFile(
      file,
      readFileSync(fixture('etcd-yaml/good.yaml'), 'utf8').replace(
        'snapshot-count: 10000',
        'snapshot-count: 500000',
      ),
    );
    const lenient = await home.run(['preflight', file]);
    assert.equal(lenient.code, 0, lenient.stdout);
    assert.match(lenient.stdout, /^PASS: .*\n.*findings: 0 critical, 1 warn/);
    const strict = await home.run(['preflight', file, '--fail-on', 'warn', '--json']);
    assert.equal(strict.code, 1);
    assert.equal((JSON.parse(strict.stdout) as Envelope).result?.verdict, 'fail');
  });

  test('several members: timers that differ are flagged in every file', async () => {
    const files = await Promise.all(
      ['100', '100', '150'].map(async (heartbeat, index) => {
        const file = join(home.dir, `etcd-${index}.flags`);
        await writeFile(
          file,
          readFileSync(fixture('etcd-flags/good.service'), 'utf8')
            .replace('--name infra0', `--name infra${index}`)
            .replace('--heartbeat-interval=100', `--heartbeat-interval=${heartbeat}`),
        );
        return file;
      }),
    );
    const result = await home.run(['preflight', ...files, '--format', 'etcd-flags', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const envelope = JSON.parse(result.stdout) as Envelope;
    assert.deepEqual(
      envelope.result?.findings.map((finding) => `${finding.ruleId} ${finding.location?.file}`),
      files.map((file) => `ETCD-TIME-3 ${file}`),
    );
  });

  test('bad input: exit 2 naming file:line:col, what is wrong and what to do', async () => {
    const file = join(home.dir, 'broken.conf');
    await writeFile(file, 'port: 4222\njetstream {\n  sync_interval: "always\n}\n');
    const result = await home.run(['preflight', file]);
    assert.equal(result.code, 2);
    assert.ok(
      result.stderr.startsWith(
        `Error (PREFLIGHT_CONFIG_INVALID): ${file}:3:18: this double-quoted string is never closed\nTry this:\n`,
      ),
      result.stderr,
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /);
    const json = await home.run(['preflight', file, '-o', 'json']);
    assert.equal(json.code, 2);
    assert.equal((JSON.parse(json.stdout) as Envelope).error?.code, 'PREFLIGHT_CONFIG_INVALID');
    const unknown = await home.run(['preflight', join(home.dir, 'missing.yaml')]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^Error \(PREFLIGHT_FILE_UNREADABLE\): cannot read /);
  });

  test(
    '--host: facts of this host join the findings (a tmpfs data dir, peers that do not answer)',
    { skip: existsSync('/dev/shm') ? false : 'no /dev/shm tmpfs here' },
    async () => {
      const dataDir = await mkdtemp('/dev/shm/quorumctl-preflight-');
      try {
        const file = join(home.dir, 'host.yaml');
        // The other members on closed local ports: refused at once, never a timeout.
        await writeFile(
          file,
          `name: a\ndata-dir: ${dataDir}\ninitial-cluster: a=https://127.0.0.1:1,b=https://127.0.0.1:2\n`,
        );
        const result = await home.run(['preflight', file, '--host', '-o', 'json']);
        assert.equal(result.code, 1, result.stderr);
        const report = (JSON.parse(result.stdout) as Envelope).result;
        const hostFindings = report?.findings
          .filter((finding) => finding.ruleId.startsWith('HOST-'))
          .map((finding) => finding.ruleId);
        assert.deepEqual(hostFindings, ['HOST-FS-1', 'HOST-RTT-1']);
        assert.equal(report?.rules.find((rule) => rule.id === 'HOST-FSYNC-1')?.outcome, 'pass');
        const table = await home.run(['preflight', file, '--host', '--data-dir', dataDir]);
        assert.match(table.stdout, /on host .*\n/);
        assert.match(table.stdout, /\nNotes:\n {2}- .*tmpfs/);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  );

  test('--help documents formats, examples and exit codes', async () => {
    const result = await home.run(['preflight', '--help']);
    assert.equal(result.code, 0);
    for (const text of [
      'EXIT CODES',
      'nats-conf',
      '--fail-on',
      'sarif',
      'EXAMPLES',
      'docs/preflight.md',
    ]) {
      assert.ok(result.stdout.includes(text), `--help mentions ${text}`);
    }
  });
});
