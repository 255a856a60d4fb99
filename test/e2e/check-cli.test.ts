// End to end: quorumctl check through the binary against live sandboxes, in every output
// format, with Nagios's exit codes, --fail-on and --explain.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CheckReport } from '../../core/check/report.js';
import type { RuleInfo } from '../../core/findings.js';
import { stopMember } from '../../sandbox/index.js';
import { createCliHome, type CliHome } from '../support/cli.js';

interface Envelope<T> {
  apiVersion: string;
  kind: string;
  status: number;
  result: T;
}

/** Findings the disk under the sandbox can cause on any machine: not part of the scenario. */
const DISK_RULES = ['ETCD-FSYNC-P99', 'ETCD-COMMIT-P99'];

function nagiosLine(stdout: string): { state: string; summary: string; perfdata: string } {
  const match = /^QUORUMCTL (OK|WARNING|CRITICAL|UNKNOWN) - ([^|\n]*)(?:\| ([^\n]*))?/.exec(stdout);
  assert.ok(match, `not a Nagios status line: ${stdout}`);
  return { state: match[1]!, summary: match[2]!.trim(), perfdata: match[3] ?? '' };
}

describe('quorumctl check against a live etcd sandbox', { timeout: 180_000 }, () => {
  let home: CliHome;

  before(async () => {
    home = await createCliHome();
    await home.sandboxUp('chk');
  });

  after(async () => {
    await home.cleanup();
  });

  test('-o nagios on a healthy cluster: OK (or WARNING for this disk only), perfdata, plugin exit code', async () => {
    const result = await home.run(['check', '--window', '1s', '-o', 'nagios']);
    const { state, summary, perfdata } = nagiosLine(result.stdout);
    assert.equal(result.code, state === 'OK' ? 0 : 1, result.stderr);
    assert.match(summary, /^etcd cluster sandbox-chk: /);
    assert.match(
      perfdata,
      /critical=0;;0;0; warning=\d+;0;;0; info=0;;;0; voters=3;;;0; healthy_voters=3;;;0; quorum_margin=1;1:;0:;;/,
    );
    assert.match(perfdata, /n1 wal_fsync_p99'=[\d.]+ms;10;1000;0;/);
    if (state === 'WARNING') {
      const rules = result.stdout
        .split('\n')
        .slice(1)
        .filter((line) => line.startsWith('['));
      assert.ok(
        rules.every((line) => DISK_RULES.some((rule) => line.includes(rule))),
        result.stdout,
      );
    } else {
      assert.equal(state, 'OK');
    }
  });

  test('-o json: a CheckReport envelope whose status is the exit code', async () => {
    const result = await home.run(['check', '--window', '0', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const document = JSON.parse(result.stdout) as Envelope<CheckReport>;
    assert.equal(document.apiVersion, 'quorumctl/v1');
    assert.equal(document.kind, 'CheckReport');
    assert.equal(document.status, 0);
    assert.equal(document.result.kind, 'etcd');
    assert.equal(document.result.counts.critical, 0);
    assert.equal(document.result.windowSeconds, 0);
    const skipped = document.result.rules.filter((rule) => rule.outcome === 'skipped');
    assert.ok(
      skipped.some(
        (rule) => rule.id === 'CLUSTER-LEADER-CHANGES' && /window/.test(rule.skippedBecause ?? ''),
      ),
    );
  });

  test('-o prometheus: textfile-collector gauges, success 1', async () => {
    const result = await home.run(['check', '--window', '0', '-o', 'prometheus']);
    assert.equal(result.code, 0, result.stderr);
    const labels = 'cluster="sandbox-chk",kind="etcd"';
    assert.match(result.stdout, new RegExp(`^quorumctl_check_success\\{${labels}\\} 1$`, 'm'));
    assert.match(result.stdout, /^# TYPE quorumctl_check_findings gauge$/m);
    assert.match(
      result.stdout,
      new RegExp(
        `^quorumctl_check_findings_by_severity\\{${labels},severity="critical"\\} 0$`,
        'm',
      ),
    );
    for (const line of result.stdout.trim().split('\n')) {
      assert.match(line, /^(# (HELP|TYPE) \w+ .+|\w+\{[^}]*\} -?\d+(\.\d+)?)$/, line);
    }
  });

  test('-o junit: one testcase per rule that applies to etcd', async () => {
    const result = await home.run(['check', '--window', '0', '-o', 'junit']);
    assert.equal(result.code, 0, result.stderr);
    const json = await home.run(['check', '--window', '0', '-o', 'json']);
    const rules = (JSON.parse(json.stdout) as Envelope<CheckReport>).result.rules;
    assert.match(result.stdout, /^<\?xml version="1.0" encoding="UTF-8"\?>/);
    assert.equal((result.stdout.match(/<testcase /g) ?? []).length, rules.length);
    assert.match(result.stdout, new RegExp(`tests="${rules.length}"`));
    assert.match(
      result.stdout,
      /<testcase classname="quorumctl.check.etcd" name="CLUSTER-NO-QUORUM /,
    );
  });

  test('a follower down: WARNING (exit 1) with quorum margin and the member; --fail-on warn fails the table', async () => {
    const json = await home.run(['check', '--window', '0', '-o', 'json']);
    const report = (JSON.parse(json.stdout) as Envelope<CheckReport>).result;
    const victim = report.measurements.find(
      (measured) => measured.memberId !== report.leaderId,
    )!.name;
    await stopMember(home.stateDir, 'chk', victim);

    const nagios = await home.run(['check', '--window', '1s', '-o', 'nagios']);
    const { state, summary, perfdata } = nagiosLine(nagios.stdout);
    assert.equal(state, 'WARNING');
    assert.equal(nagios.code, 1);
    assert.match(summary, /0 critical, \d+ warning: /);
    assert.match(perfdata, /healthy_voters=2;;;0; quorum_margin=0;1:;0:;;/);
    assert.match(nagios.stdout, /^\[WARNING\] CLUSTER-QUORUM-MARGIN: quorum margin 0/m);
    assert.match(
      nagios.stdout,
      new RegExp(`^\\[WARNING\\] CLUSTER-MEMBER-UNREACHABLE ${victim}: `, 'm'),
    );

    const table = await home.run(['check', '--window', '0', '--fail-on', 'warn']);
    assert.equal(table.code, 1, table.stderr);
    assert.match(table.stdout, /^FAIL: check of etcd cluster sandbox-chk/);
    assert.match(table.stdout, /fails on warn/);
    const lenient = await home.run(['check', '--window', '0']);
    assert.equal(lenient.code, 0, 'warnings do not fail the default --fail-on critical');
  });

  test('two of three down: CRITICAL (exit 2); JSON exits 1 with CLUSTER-NO-QUORUM', async () => {
    const json = await home.run(['check', '--window', '0', '-o', 'json']);
    const report = (JSON.parse(json.stdout) as Envelope<CheckReport>).result;
    const reachable = report.measurements.filter((measured) =>
      report.findings.every((finding) => finding.subject !== measured.name),
    );
    const second = reachable.find((measured) => measured.memberId !== report.leaderId)!.name;
    await stopMember(home.stateDir, 'chk', second);

    const nagios = await home.run(['check', '--window', '0', '-o', 'nagios']);
    assert.equal(nagiosLine(nagios.stdout).state, 'CRITICAL');
    assert.equal(nagios.code, 2);
    assert.match(
      nagios.stdout,
      /^\[CRITICAL\] CLUSTER-NO-QUORUM: no quorum: 1 of 3 voters reachable/m,
    );

    const failed = await home.run(['check', '--window', '0', '-o', 'json']);
    assert.equal(failed.code, 1);
    const document = JSON.parse(failed.stdout) as Envelope<CheckReport>;
    assert.equal(document.status, 1);
    assert.equal(document.result.verdict, 'fail');
    assert.ok(document.result.findings.some((finding) => finding.ruleId === 'CLUSTER-NO-QUORUM'));
  });

  test('nobody answers: Nagios UNKNOWN (exit 3), Prometheus success 0 (exit 3)', async () => {
    const endpoints = ['-e', 'etcd://127.0.0.1:1', '--timeout', '300ms'];
    const nagios = await home.run(['check', ...endpoints, '-o', 'nagios']);
    assert.equal(nagios.code, 3);
    assert.match(nagios.stdout, /^QUORUMCTL UNKNOWN - CLUSTER_UNREACHABLE: /);
    const prometheus = await home.run(['check', ...endpoints, '-o', 'prometheus']);
    assert.equal(prometheus.code, 3);
    assert.match(
      prometheus.stdout,
      /^quorumctl_check_success\{cluster="etcd:\/\/127.0.0.1:1",kind="",error="CLUSTER_UNREACHABLE"\} 0$/m,
    );
    const usage = await home.run(['check', '--window', 'soon', '-o', 'nagios']);
    assert.equal(usage.code, 3, 'bad flags are UNKNOWN to Nagios too');
    assert.match(usage.stdout, /^QUORUMCTL UNKNOWN - DURATION_INVALID: --window "soon"/);
  });
});

describe('quorumctl check --explain (no cluster needed)', () => {
  let home: CliHome;

  before(async () => {
    home = await createCliHome();
  });

  after(async () => {
    await home.cleanup();
  });

  test('a check rule: why, threshold, source and fix', async () => {
    const result = await home.run(['check', '--explain', 'etcd-fsync-p99']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^ETCD-FSYNC-P99: WAL fsync p99 under 10 ms\n {2}check rule, warn, for etcd/,
    );
    assert.match(result.stdout, /^Why: {8}Every Raft entry is fsynced/m);
    assert.match(
      result.stdout,
      /^Source: {5}etcd-io\/website content\/en\/docs\/v3.6\/faq.md l.145/m,
    );
    assert.match(result.stdout, /^Docs: {7}docs\/checks.md#etcd-fsync-p99$/m);
  });

  test('a preflight rule, as JSON', async () => {
    const result = await home.run(['check', '--explain', 'ETCD-SIZE-1', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const document = JSON.parse(result.stdout) as Envelope<RuleInfo>;
    assert.equal(document.kind, 'RuleInfo');
    assert.equal(document.result.scope, 'preflight');
    assert.equal(document.result.docs, 'docs/preflight.md#etcd-size-1');
  });

  test('an unknown ID is a usage error (exit 2)', async () => {
    const result = await home.run(['check', '--explain', 'NO-SUCH-RULE']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /RULE_UNKNOWN.*NO-SUCH-RULE/);
  });

  test('--help documents the formats, the Nagios exit codes and examples', async () => {
    const result = await home.run(['check', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /exits 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN/);
    assert.match(result.stdout, /quorumctl_check_findings\{rule,severity,member\}/);
    assert.match(result.stdout, /check --explain ETCD-FSYNC-P99/);
  });
});

describe('quorumctl check against a live NATS sandbox (smoke)', { timeout: 120_000 }, () => {
  let home: CliHome;

  before(async () => {
    home = await createCliHome();
    await home.sandboxUp('js', ['--kind', 'nats']);
  });

  after(async () => {
    await home.cleanup();
  });

  test("no critical finding, the NATS rules ran, etcd's did not apply", async () => {
    const result = await home.run(['check', '--window', '1s', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const report = (JSON.parse(result.stdout) as Envelope<CheckReport>).result;
    assert.equal(report.kind, 'nats');
    assert.equal(report.counts.critical, 0, JSON.stringify(report.findings));
    const ids = report.rules.map((rule) => rule.id);
    assert.ok(ids.includes('CLUSTER-GROUPS-LEADERLESS'));
    assert.ok(!ids.some((id) => id.startsWith('ETCD-')));
    assert.equal(report.rules.find((rule) => rule.id === 'CLUSTER-NO-LEADER')?.outcome, 'pass');
  });
});
