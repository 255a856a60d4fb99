/**
 * The promtool unit tests in dashboards/prometheus/tests/: every shipped alert has a case that
 * fires and one that stays silent, and their expected annotations are what Prometheus renders
 * from core/metrics/alerts.ts (UPDATE_GENERATED=1 rewrites them after a wording change).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isMap, isSeq, parse, parseDocument, type YAMLMap } from 'yaml';
import { ALERT_RULES } from '../../core/metrics/alerts.js';
import {
  alertAnnotations,
  expandLabelTemplates,
  promtoolCoverage,
  unsupportedTemplates,
} from '../../core/metrics/prometheus-rules.js';
import { REPO_ROOT } from '../support/cli.js';

const TESTS_DIR = join(REPO_ROOT, 'dashboards', 'prometheus', 'tests');
const testFiles = readdirSync(TESTS_DIR)
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((name) => join(TESTS_DIR, name));

/** Each promtool test file, parsed. */
const readTests = (): unknown[] =>
  testFiles.map((file): unknown => parse(readFileSync(file, 'utf8')));

describe('promtool tests of the alert rules', () => {
  it('exist', () => {
    assert.ok(testFiles.length > 0, `no promtool test files in ${TESTS_DIR}`);
  });

  it('cover every shipped alert with a firing case and a silent case', () => {
    const coverage = promtoolCoverage(readTests());
    const missing = ALERT_RULES.flatMap((alert) => {
      const entry = coverage.get(alert.name);
      if (entry === undefined) return [`${alert.name}: no promtool test at all`];
      return [
        ...(entry.firing === 0 ? [`${alert.name}: no case where it fires`] : []),
        ...(entry.silent === 0 ? [`${alert.name}: no case where it stays silent`] : []),
      ];
    });
    assert.deepEqual(missing, [], `add cases to ${TESTS_DIR}`);
  });

  it('name only alerts that exist (a renamed alert leaves no test behind)', () => {
    const names = new Set(ALERT_RULES.map((alert) => alert.name));
    const coverage = promtoolCoverage(readTests());
    assert.deepEqual(
      [...coverage.keys()].filter((name) => !names.has(name)),
      [],
    );
  });

  it('use only {{ $labels.NAME }} in annotations, which the expected annotations can render', () => {
    for (const alert of ALERT_RULES) {
      for (const [key, text] of Object.entries(alertAnnotations(alert))) {
        assert.deepEqual(unsupportedTemplates(text), [], `${alert.name} ${key}`);
      }
    }
  });

  for (const file of testFiles) {
    it(`${file.slice(TESTS_DIR.length + 1)} expects the annotations alerts.ts renders`, () => {
      const original = readFileSync(file, 'utf8');
      const document = parseDocument(original);
      const problems: string[] = [];
      for (const { alertname, expected } of expectedAlerts(document.contents)) {
        const alert = ALERT_RULES.find((candidate) => candidate.name === alertname);
        if (alert === undefined) continue; // reported by the naming test above
        const labels = { ...plainLabels(expected.get('exp_labels')), alertname };
        const want = Object.fromEntries(
          Object.entries(alertAnnotations(alert)).map(([key, text]) => [
            key,
            expandLabelTemplates(text, labels),
          ]),
        );
        const node: unknown = expected.get('exp_annotations');
        const have = isMap(node) ? (node.toJSON() as unknown) : undefined;
        if (JSON.stringify(have) !== JSON.stringify(want)) {
          problems.push(`${alertname} ${JSON.stringify(labels)}`);
          expected.set('exp_annotations', document.createNode(want));
        }
      }
      if (problems.length > 0 && process.env.UPDATE_GENERATED === '1') {
        writeFileSync(file, document.toString({ lineWidth: 0, singleQuote: true }));
        return;
      }
      assert.deepEqual(
        problems,
        [],
        'expected annotations differ from alerts.ts (UPDATE_GENERATED=1 rewrites them)',
      );
    });
  }
});

/** Every exp_alerts item with the alert name of its test case. */
function expectedAlerts(root: unknown): { alertname: string; expected: YAMLMap }[] {
  const found: { alertname: string; expected: YAMLMap }[] = [];
  const tests = isMap(root) ? root.get('tests') : undefined;
  for (const group of isSeq(tests) ? tests.items : []) {
    const cases = isMap(group) ? group.get('alert_rule_test') : undefined;
    for (const testCase of isSeq(cases) ? cases.items : []) {
      if (!isMap(testCase)) continue;
      const alertname = testCase.get('alertname');
      const alerts = testCase.get('exp_alerts');
      if (typeof alertname !== 'string' || !isSeq(alerts)) continue;
      for (const expected of alerts.items) {
        if (isMap(expected)) found.push({ alertname, expected });
      }
    }
  }
  return found;
}

function plainLabels(node: unknown): Record<string, string> {
  if (!isMap(node)) return {};
  return Object.fromEntries(
    Object.entries(node.toJSON() as Record<string, unknown>).map(([key, value]) => [
      key,
      String(value),
    ]),
  );
}
