/**
 * Drift check: the committed dashboards/, docs/metrics.md and docs/alerts.md are exactly what the
 * generators produce from the catalog and alerts.ts (UPDATE_GENERATED=1 rewrites them), and
 * every generated file is already in Prettier's format, so `make lint` and this test agree.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { ALERT_RULES, ALERT_RUNBOOK_STEPS } from '../../core/metrics/alerts.js';
import { METRIC_CATALOG } from '../../core/metrics/catalog.js';
import { generateGrafanaDashboards, serializeDashboard } from '../../core/metrics/grafana.js';
import {
  ALERT_RULES_FILE_NAME,
  renderPrometheusRules,
} from '../../core/metrics/prometheus-rules.js';
import { renderAlertsDoc, renderMetricsDoc } from '../../core/metrics/reference-docs.js';
import { REPO_ROOT } from '../support/cli.js';

const GRAFANA_DIR = join(REPO_ROOT, 'dashboards', 'grafana');
const PROMETHEUS_DIR = join(REPO_ROOT, 'dashboards', 'prometheus');

/** Repository path -> generated text. */
function generatedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const file of generateGrafanaDashboards(METRIC_CATALOG)) {
    files.set(join('dashboards', 'grafana', file.fileName), serializeDashboard(file.dashboard));
  }
  files.set(
    join('dashboards', 'prometheus', ALERT_RULES_FILE_NAME),
    renderPrometheusRules(ALERT_RULES),
  );
  files.set(join('docs', 'metrics.md'), renderMetricsDoc(METRIC_CATALOG));
  files.set(
    join('docs', 'alerts.md'),
    renderAlertsDoc(ALERT_RULES, ALERT_RUNBOOK_STEPS, METRIC_CATALOG),
  );
  return files;
}

describe('generated monitoring files', () => {
  const files = generatedFiles();

  for (const [path, text] of files) {
    it(`${path} is up to date with the catalog and alerts.ts`, () => {
      const absolute = join(REPO_ROOT, path);
      if (process.env.UPDATE_GENERATED === '1') {
        mkdirSync(dirname(absolute), { recursive: true });
        writeFileSync(absolute, text);
        return;
      }
      assert.ok(existsSync(absolute), `${path} is missing: run the tests with UPDATE_GENERATED=1`);
      assert.equal(
        readFileSync(absolute, 'utf8'),
        text,
        `${path} differs from what the generator writes: regenerate it with UPDATE_GENERATED=1 (or quorumctl dashboards export), never edit it by hand`,
      );
    });
  }

  it('leaves no generated file behind that the catalog no longer produces', () => {
    const expected = new Set(files.keys());
    const committed = [
      ...readdirSync(GRAFANA_DIR).map((name) => join('dashboards', 'grafana', name)),
      ...readdirSync(PROMETHEUS_DIR)
        .filter((name) => name.endsWith('.yaml'))
        .map((name) => join('dashboards', 'prometheus', name)),
    ];
    assert.deepEqual(
      committed.filter((path) => !expected.has(path)),
      [],
      'delete generated files the catalog no longer produces',
    );
  });

  it('are already formatted as Prettier formats them (make lint runs prettier --check)', async () => {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(join(REPO_ROOT, 'package.json'))) ?? {};
    const testsDir = join(PROMETHEUS_DIR, 'tests');
    const promtoolTests = readdirSync(testsDir).map((name) => [
      join('dashboards', 'prometheus', 'tests', name),
      readFileSync(join(testsDir, name), 'utf8'),
    ]);
    for (const [path, text] of [...files, ...promtoolTests] as [string, string][]) {
      const formatted = await prettier.format(text, { ...options, filepath: path });
      assert.equal(text, formatted, `${path} is not in Prettier's format`);
    }
  });
});
