/** The shipped alert rules: catalog metrics only, runbooks that resolve, the etcd mixin's defects fixed. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ALERT_RULES, ALERT_RUNBOOK_STEPS } from '../../core/metrics/alerts.js';
import { METRIC_CATALOG } from '../../core/metrics/catalog.js';
import {
  alertGroupName,
  metricNamesInPromQL,
  renderPrometheusRules,
  runbookUrl,
  unknownMetricsInPromQL,
} from '../../core/metrics/prometheus-rules.js';
import { alertKinds, renderAlertsDoc, slug } from '../../core/metrics/reference-docs.js';

const byName = (name: string) => {
  const alert = ALERT_RULES.find((candidate) => candidate.name === name);
  assert.ok(alert, `alert ${name} is not shipped`);
  return alert;
};

interface RuleFile {
  groups: {
    name: string;
    rules: {
      alert: string;
      expr: string;
      for: string;
      labels: Record<string, string>;
      annotations: Record<string, string>;
    }[];
  }[];
}

describe('alert rules', () => {
  it('use catalog metrics only', () => {
    for (const alert of ALERT_RULES) {
      assert.ok(metricNamesInPromQL(alert.expr).length > 0, alert.name);
      assert.deepEqual(unknownMetricsInPromQL(alert.expr, METRIC_CATALOG), [], alert.name);
    }
  });

  it('have unique PascalCase names, a duration, a summary, a description and a rationale', () => {
    assert.equal(new Set(ALERT_RULES.map((alert) => alert.name)).size, ALERT_RULES.length);
    for (const alert of ALERT_RULES) {
      assert.match(alert.name, /^Quorum[A-Z][A-Za-z]+$/);
      assert.match(alert.for, /^\d+[smh]$/, alert.name);
      for (const text of [alert.summary, alert.description, alert.rationale]) {
        assert.ok(text.trim().length > 20, `${alert.name}: too short: ${text}`);
      }
      assert.ok((ALERT_RUNBOOK_STEPS.get(alert.name) ?? []).length > 0, `${alert.name}: no steps`);
    }
  });

  it('link a runbook anchor that docs/alerts.md has', () => {
    const doc = renderAlertsDoc(ALERT_RULES, ALERT_RUNBOOK_STEPS, METRIC_CATALOG);
    const anchors = new Set(
      [...doc.matchAll(/^#{1,6} (.+)$/gm)].map((match) => slug(match[1] ?? '')),
    );
    for (const alert of ALERT_RULES) {
      const [path, anchor] = alert.runbook.split('#');
      assert.equal(path, 'docs/alerts.md', alert.name);
      assert.ok(anchors.has(anchor ?? ''), `${alert.name}: #${anchor} is not a heading`);
    }
  });

  it('fix the etcd mixin: fsync warning at the 10 ms guidance, not 500 ms', () => {
    const fsync = byName('QuorumWalFsyncSlow');
    assert.match(
      fsync.expr,
      /histogram_quantile\(0\.99, .*quorum_wal_fsync_duration_seconds_bucket/,
    );
    assert.match(fsync.expr, /> 0\.01$/);
    assert.equal(fsync.severity, 'warning');
    assert.match(byName('QuorumNodeFsyncSlow').expr, /> 0\.01$/);
  });

  it('fix the etcd mixin: failed proposals counted over 30 minutes, as the description says', () => {
    const proposals = byName('QuorumProposalsFailing');
    assert.match(proposals.expr, /increase\(quorum_proposals_failed_total\[30m\]\)\) > 5$/);
    assert.doesNotMatch(proposals.expr, /\brate\(/);
    assert.match(proposals.description, /more than 5 failed .* 30 minutes/);
  });

  it('cover the derived signals: quota ETA under 4 h, margin 0, 4 leader changes in 15 m, backup age', () => {
    assert.match(
      byName('QuorumQuotaExhaustionSoon').expr,
      /quorum_quota_exhaustion_eta_seconds\) < 4 \* 3600/,
    );
    assert.match(byName('QuorumMarginZero').expr, /\(quorum_margin\) == 0/);
    assert.match(
      byName('QuorumHighLeaderChanges').expr,
      /increase\(quorum_leader_changes_total\[15m\]\)\) >= 4/,
    );
    assert.match(byName('QuorumBackupTooOld').expr, /quorum_backup_age_seconds/);
  });

  it('reach ZooKeeper, KRaft and NATS, not only etcd', () => {
    const kinds = new Set(ALERT_RULES.flatMap((alert) => alertKinds(alert, METRIC_CATALOG)));
    for (const kind of ['etcd', 'zookeeper', 'kraft', 'nats'] as const)
      assert.ok(kinds.has(kind), kind);
    assert.deepEqual(alertKinds(byName('QuorumFollowerLagging'), METRIC_CATALOG), ['etcd']);
    assert.deepEqual(alertKinds(byName('QuorumCommitLatencyHigh'), METRIC_CATALOG), [
      'zookeeper',
      'kraft',
    ]);
    assert.ok(alertKinds(byName('QuorumRaftGroupsLeaderless'), METRIC_CATALOG).includes('nats'));
  });

  it('aggregate away instance and job, so that several agents raise one alert', () => {
    for (const alert of ALERT_RULES) {
      assert.match(alert.expr, /^(max|min|histogram_quantile)\b/, alert.name);
      assert.match(alert.expr, /by \(cluster, kind/, alert.name);
    }
  });
});

describe('renderPrometheusRules', () => {
  const file = parse(renderPrometheusRules(ALERT_RULES)) as RuleFile;

  it('writes every alert once, grouped by kind with the common group first', () => {
    const rules = file.groups.flatMap((group) => group.rules);
    assert.deepEqual(
      rules.map((rule) => rule.alert).sort(),
      ALERT_RULES.map((alert) => alert.name).sort(),
    );
    assert.equal(file.groups[0]?.name, 'quorumctl-common');
    const etcd = file.groups.find((group) => group.name === 'quorumctl-etcd');
    assert.deepEqual(
      etcd?.rules.map((rule) => rule.alert),
      ['QuorumFollowerLagging'],
    );
    assert.equal(alertGroupName(byName('QuorumNoLeader')), 'quorumctl-common');
  });

  it('carries severity, the expression, summary, description and runbook_url', () => {
    const rule = file.groups
      .flatMap((group) => group.rules)
      .find((r) => r.alert === 'QuorumNoLeader');
    const alert = byName('QuorumNoLeader');
    assert.deepEqual(rule, {
      alert: alert.name,
      expr: alert.expr,
      for: alert.for,
      labels: { severity: 'critical' },
      annotations: {
        summary: alert.summary,
        description: alert.description,
        runbook_url: 'docs/alerts.md#quorumnoleader',
      },
    });
  });

  it('makes runbook links absolute with a base URL (one slash between)', () => {
    const alert = byName('QuorumLost');
    for (const base of [
      'https://git.example.com/ops/q/blob/main',
      'https://git.example.com/ops/q/blob/main/',
    ]) {
      assert.equal(
        runbookUrl(alert, { runbookBaseUrl: base }),
        'https://git.example.com/ops/q/blob/main/docs/alerts.md#quorumlost',
      );
    }
    const text = renderPrometheusRules(ALERT_RULES, { runbookBaseUrl: 'https://x.example/' });
    assert.ok(text.includes('runbook_url: https://x.example/docs/alerts.md#quorumlost'));
  });

  it('puts each rationale in a comment above its rule', () => {
    const text = renderPrometheusRules(ALERT_RULES);
    assert.match(
      text,
      /# Fixes the etcd mixin's etcdHighFsyncDurations[^\n]*\n(\s+#[^\n]*\n)*\s+- alert: QuorumWalFsyncSlow/,
    );
  });

  it('refuses two alerts with the same name', () => {
    const alert = byName('QuorumLost');
    assert.throws(() => renderPrometheusRules([alert, alert]), /QuorumLost is defined twice/);
  });
});
