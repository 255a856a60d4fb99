// Renderers of a CheckReport (table, Nagios, Prometheus, JUnit, --explain) and docs/checks.md.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { CheckReport } from '../../core/check/report.js';
import { CHECK_RULES, checkRuleInfo } from '../../core/check/rules/index.js';
import { CHECK_THRESHOLDS } from '../../core/check/thresholds.js';
import { PREFLIGHT_RULES } from '../../core/preflight/rules/index.js';
import {
  checkFindingsView,
  renderCheckTable,
  renderChecksDocBlock,
  renderRuleInfo,
} from '../../cli/render/check-report.js';
import { replaceGeneratedBlock } from '../../cli/render/findings-docs.js';
import { renderJunit } from '../../cli/render/findings-junit.js';
import {
  nagiosExitCode,
  nagiosState,
  renderNagios,
  renderNagiosUnknown,
} from '../../cli/render/findings-nagios.js';
import { renderPrometheus, renderPrometheusFailure } from '../../cli/render/findings-prometheus.js';
import { parseWindow } from '../../cli/commands/check.js';
import { REPO_ROOT } from '../support/cli.js';

function report(overrides: Partial<CheckReport> = {}): CheckReport {
  return {
    cluster: 'prod',
    kind: 'etcd',
    observedAt: '2026-06-01T12:00:05.000Z',
    windowSeconds: 5,
    leaderId: 'id-n1',
    term: 4,
    quorum: {
      voters: 3,
      healthyVoters: 2,
      majority: 2,
      faultTolerance: 1,
      quorumMargin: 0,
      hasQuorum: true,
    },
    health: 'degraded',
    rules: [
      { id: 'CLUSTER-QUORUM-MARGIN', severity: 'warn', title: 'q', outcome: 'fail' },
      { id: 'CLUSTER-MEMBER-UNREACHABLE', severity: 'warn', title: 'u', outcome: 'fail' },
      { id: 'CLUSTER-NO-QUORUM', severity: 'critical', title: 'n', outcome: 'pass' },
      {
        id: 'TLS-CERT-EXPIRY',
        severity: 'warn',
        title: 't',
        outcome: 'skipped',
        skippedBecause: 'no TLS endpoint',
      },
    ],
    findings: [
      {
        ruleId: 'CLUSTER-MEMBER-UNREACHABLE',
        severity: 'warn',
        message: 'n3 (http://n3:2379) unreachable: connection refused | pipe',
        subject: 'n3',
        remedy: 'bring it back',
        docs: 'docs/checks.md#cluster-member-unreachable',
      },
      {
        ruleId: 'CLUSTER-QUORUM-MARGIN',
        severity: 'warn',
        message: 'quorum margin 0',
        observed: 0,
        threshold: 1,
        remedy: 'restore',
        docs: 'docs/checks.md#cluster-quorum-margin',
      },
    ],
    counts: { critical: 0, warn: 2, info: 0 },
    failOn: 'critical',
    verdict: 'pass',
    measurements: [
      {
        memberId: 'id-n1',
        name: 'n1',
        walFsyncP99: { p99Seconds: 0.0042, observations: 400, basis: 'window' },
        backendCommitP99: { p99Seconds: 0.03, observations: 8, basis: 'lifetime' },
        failedProposalsInWindow: 0,
        dbGrowthBytesPerSecond: 12.4,
      },
      { memberId: 'id-n3', name: 'n 3' },
    ],
    elections: { count: 0 },
    certificates: [],
    notes: ['metrics of n3 not read: refused'],
    ...overrides,
  };
}

describe('nagios', () => {
  test('state and plugin exit code follow the worst finding', () => {
    assert.equal(nagiosState(report()), 'WARNING');
    assert.equal(nagiosState(report({ counts: { critical: 1, warn: 0, info: 0 } })), 'CRITICAL');
    assert.equal(
      nagiosState(report({ findings: [], counts: { critical: 0, warn: 0, info: 2 } })),
      'OK',
    );
    assert.deepEqual(
      (['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const).map(nagiosExitCode),
      [0, 1, 2, 3],
    );
  });

  test('one status line with perfdata, then one line per finding and note', () => {
    const lines = renderNagios(report(), CHECK_THRESHOLDS.etcd).trimEnd().split('\n');
    assert.equal(
      lines[0],
      "QUORUMCTL WARNING - etcd cluster prod: 0 critical, 2 warning: CLUSTER-MEMBER-UNREACHABLE n3: n3 (http://n3:2379) unreachable: connection refused   pipe | critical=0;;0;0; warning=2;0;;0; info=0;;;0; voters=3;;;0; healthy_voters=2;;;0; quorum_margin=0;1:;0:;; 'n1 wal_fsync_p99'=4.2ms;10;1000;0; 'n1 backend_commit_p99'=30ms;25;;0;",
    );
    assert.deepEqual(lines.slice(1), [
      '[WARNING] CLUSTER-MEMBER-UNREACHABLE n3: n3 (http://n3:2379) unreachable: connection refused / pipe',
      '[WARNING] CLUSTER-QUORUM-MARGIN: quorum margin 0',
      'note: metrics of n3 not read: refused',
    ]);
  });

  test('OK names the checks that passed; UNKNOWN is one line', () => {
    const ok = renderNagios(
      report({
        findings: [],
        counts: { critical: 0, warn: 0, info: 0 },
        notes: [],
        measurements: [],
      }),
      CHECK_THRESHOLDS.etcd,
    );
    assert.match(
      ok,
      /^QUORUMCTL OK - etcd cluster prod: 1 checks passed, quorum margin 0 \| critical=0/,
    );
    assert.equal(
      renderNagiosUnknown('CLUSTER_UNREACHABLE', 'nobody | answered\nat all'),
      'QUORUMCTL UNKNOWN - CLUSTER_UNREACHABLE: nobody   answered at all\n',
    );
  });
});

describe('prometheus', () => {
  test('findings, severities, rules, margin and time as gauges; duplicate label sets are summed', () => {
    const twice = report();
    twice.findings = [...twice.findings, { ...twice.findings[0]!, message: 'again' }];
    const text = renderPrometheus(twice, new Date('2026-06-01T12:00:07.500Z'));
    const base = 'cluster="prod",kind="etcd"';
    for (const line of [
      `quorumctl_check_success{${base}} 1`,
      `quorumctl_check_findings{${base},rule="CLUSTER-MEMBER-UNREACHABLE",severity="warn",member="n3"} 2`,
      `quorumctl_check_findings{${base},rule="CLUSTER-QUORUM-MARGIN",severity="warn",member=""} 1`,
      `quorumctl_check_findings_by_severity{${base},severity="warn"} 3`,
      `quorumctl_check_rules{${base},outcome="skipped"} 1`,
      `quorumctl_check_quorum_margin{${base}} 0`,
      `quorumctl_check_timestamp_seconds{${base}} 1780315207`,
    ]) {
      assert.ok(text.split('\n').includes(line), `missing: ${line}\n${text}`);
    }
    assert.equal((text.match(/^# TYPE /gm) ?? []).length, 6);
  });

  test('label values are escaped; a run that failed is success 0 with the error code', () => {
    const text = renderPrometheus(report({ cluster: 'a"b\\c\nd' }), new Date(0));
    assert.match(text, /cluster="a\\"b\\\\c\\nd"/);
    assert.equal(
      renderPrometheusFailure({ cluster: 'etcd://h:1' }, 'CLUSTER_UNREACHABLE').split('\n')[2],
      'quorumctl_check_success{cluster="etcd://h:1",kind="",error="CLUSTER_UNREACHABLE"} 0',
    );
  });
});

describe('table, JUnit and --explain', () => {
  test('the table has the verdict, findings, skipped rules, notes and the measurements', () => {
    const text = renderCheckTable(report());
    assert.match(
      text,
      /^PASS: check of etcd cluster prod \(leader n1, term 4, quorum margin 0, window 5\.0 s\)\n/,
    );
    assert.match(
      text,
      /4 rules: 2 failed, 1 passed, 1 skipped; findings: 0 critical, 2 warn, 0 info/,
    );
    assert.match(text, /Skipped \(no TLS endpoint\): TLS-CERT-EXPIRY/);
    assert.match(text, /- metrics of n3 not read: refused/);
    assert.match(
      text,
      /MEMBER {2}WAL FSYNC P99 {2}COMMIT P99 {2}FAILED PROPOSALS {2}DB GROWTH\nn1 +4\.2 ms +30\.0 ms\* +0 +12 B\/s\n/,
    );
    assert.match(text, /\* over the member's lifetime/);
  });

  test("JUnit: a testcase per rule with the check catalog's titles", () => {
    const xml = renderJunit(checkFindingsView(report()), 'quorumctl.check.etcd');
    assert.equal((xml.match(/<testcase /g) ?? []).length, 4);
    assert.match(
      xml,
      /name="CLUSTER-QUORUM-MARGIN Quorum survives one more voter failure">\n {6}<failure type="warn"/,
    );
    assert.match(xml, /<skipped message="no TLS endpoint"\/>/);
  });

  test('--explain text', () => {
    const text = renderRuleInfo(checkRuleInfo('ETCD-HASH-MISMATCH')!);
    assert.match(
      text,
      /^ETCD-HASH-MISMATCH: Members hold the same data\n {2}check rule, critical, for etcd\n\nWhy: /,
    );
    assert.match(text, /\nDocs: {7}docs\/checks\.md#etcd-hash-mismatch\n$/);
  });

  test('--window: 0 means one reading, anything else is a duration', () => {
    assert.equal(parseWindow('0'), 0);
    assert.equal(parseWindow('0s'), 0);
    assert.equal(parseWindow('30s'), 30_000);
    assert.throws(() => parseWindow('soon'), /--window "soon"/);
  });
});

describe('docs/checks.md', () => {
  test('check and preflight IDs do not collide', () => {
    const preflight = new Set(PREFLIGHT_RULES.map((rule) => rule.info.id));
    assert.deepEqual(
      CHECK_RULES.map((rule) => rule.info.id).filter((id) => preflight.has(id)),
      [],
    );
  });

  test('its rule list is generated from both catalogs (UPDATE_DOCS=1 rewrites it)', () => {
    const path = join(REPO_ROOT, 'docs', 'checks.md');
    const document = readFileSync(path, 'utf8');
    const expected = replaceGeneratedBlock(
      document,
      renderChecksDocBlock(
        CHECK_RULES.map((rule) => rule.info),
        PREFLIGHT_RULES.map((rule) => rule.info),
      ),
    );
    if (process.env.UPDATE_DOCS === '1') writeFileSync(path, expected);
    else assert.equal(document, expected, 'docs/checks.md is stale: rerun with UPDATE_DOCS=1');
    for (const { info } of [...CHECK_RULES, ...PREFLIGHT_RULES]) {
      assert.ok(expected.includes(`\n### ${info.id}\n`), `${info.id} has an anchor`);
    }
  });
});
