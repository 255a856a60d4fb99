// Findings renderers: the table, SARIF 2.1.0 (validated against the OASIS schema), JUnit XML,
// and docs/preflight.md's rule list, which must match the catalog.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { PreflightReport } from '../../core/preflight/report.js';
import { PREFLIGHT_RULES } from '../../core/preflight/rules/index.js';
import { runPreflight } from '../../ops/preflight.js';
import {
  RULES_BEGIN,
  RULES_END,
  renderRuleCatalogMarkdown,
  replaceGeneratedBlock,
} from '../../cli/render/findings-docs.js';
import { escapeXml, renderJunit } from '../../cli/render/findings-junit.js';
import { artifactUri, renderSarif } from '../../cli/render/findings-sarif.js';
import { preflightFindingsView, renderFindingsTable } from '../../cli/render/findings.js';
import { REPO_ROOT } from '../support/cli.js';
import { sarifSchemaErrors } from '../support/sarif-schema.js';

// Findings keep the paths as given; relative ones are relative to the repository.
before(() => {
  process.chdir(REPO_ROOT);
});

async function report(...paths: string[]): Promise<PreflightReport> {
  return runPreflight({
    files: paths.map((path) => join('test/fixtures/preflight', path)),
    failOn: 'critical',
  });
}

describe('findings table', () => {
  test('a verdict, findings grouped by severity with file:line and fix, skipped rules', async () => {
    const text = renderFindingsTable(preflightFindingsView(await report('zoo.cfg/bad.cfg')));
    const lines = text.split('\n');
    assert.equal(lines[0], 'FAIL: preflight of zookeeper: test/fixtures/preflight/zoo.cfg/bad.cfg');
    assert.match(
      lines[1] ?? '',
      /17 rules: 8 failed, 1 passed, 8 skipped; findings: 1 critical, 7 warn, 0 info \(fails on critical\)/,
    );
    assert.ok(text.indexOf('\nCRITICAL\n') < text.indexOf('\nWARN\n'));
    assert.ok(text.includes('  ZK-SYNC-1  test/fixtures/preflight/zoo.cfg/bad.cfg:8:1\n'));
    assert.ok(text.includes('      fix: Remove forceSync=no'));
    assert.match(text, /Skipped \(needs host facts \(--host\)\): HOST-FSYNC-1/);
    assert.match(text, /docs\/preflight\.md \(e\.g\. docs\/preflight\.md#zk-sync-1\)/);
  });

  test('a clean configuration reads PASS', async () => {
    const text = renderFindingsTable(preflightFindingsView(await report('nats-conf/good.conf')));
    assert.match(
      text,
      /^PASS: preflight of nats: test\/fixtures\/preflight\/nats-conf\/good\.conf \(n1\)\n/,
    );
    assert.doesNotMatch(text, /CRITICAL|WARN/);
  });
});

describe('SARIF', () => {
  test('the vendored schema rejects what SARIF 2.1.0 forbids', () => {
    assert.deepEqual(sarifSchemaErrors({ version: '2.1.0', runs: [] }), []);
    assert.notDeepEqual(sarifSchemaErrors({ version: '2.0.0', runs: [] }), []);
    assert.notDeepEqual(
      sarifSchemaErrors({
        version: '2.1.0',
        runs: [
          {
            tool: { driver: { name: 'x' } },
            results: [{ message: { text: 'm' }, level: 'fatal' }],
          },
        ],
      }),
      [],
    );
  });

  for (const path of [
    'etcd-flags/bad.sh',
    'kubernetes/bad.yaml',
    'zoo.cfg/bad.cfg',
    'nats-conf/good.conf',
  ]) {
    test(`${path}: valid SARIF 2.1.0 with a result per finding at its line`, async () => {
      const preflight = await report(path);
      const log = JSON.parse(
        renderSarif(preflightFindingsView(preflight), { name: 'quorumctl', version: '0.1.0' }),
      ) as {
        runs: {
          tool: { driver: { rules: { id: string }[] } };
          results: {
            ruleId: string;
            ruleIndex: number;
            level: string;
            locations: {
              physicalLocation: {
                artifactLocation: { uri: string };
                region: { startLine: number; startColumn: number };
              };
            }[];
          }[];
        }[];
      };
      assert.deepEqual(sarifSchemaErrors(log), []);
      const [run] = log.runs;
      assert.ok(run);
      assert.equal(run.results.length, preflight.findings.length);
      run.results.forEach((result, index) => {
        const finding = preflight.findings[index]!;
        assert.equal(result.ruleId, finding.ruleId);
        assert.equal(run.tool.driver.rules[result.ruleIndex]?.id, finding.ruleId);
        assert.equal(
          result.level,
          { critical: 'error', warn: 'warning', info: 'note' }[finding.severity],
        );
        const [location] = result.locations;
        assert.equal(
          location?.physicalLocation.artifactLocation.uri,
          `test/fixtures/preflight/${path}`,
        );
        assert.equal(location?.physicalLocation.region.startLine, finding.location?.line);
        assert.equal(location?.physicalLocation.region.startColumn, finding.location?.column);
      });
    });
  }

  test('artifact URIs: relative paths stay relative, absolute ones become file URIs', () => {
    assert.equal(artifactUri('conf/zoo cfg#1'), 'conf/zoo%20cfg%231');
    assert.equal(artifactUri('/etc/etcd/etcd.conf'), 'file:///etc/etcd/etcd.conf');
    assert.equal(artifactUri('C:\\etcd\\flags.txt'), 'file:///C:/etcd/flags.txt');
  });
});

describe('JUnit', () => {
  test('one testcase per rule, a failure per finding, skipped rules, escaped text', async () => {
    const preflight = await report('etcd-flags/bad.sh');
    const xml = renderJunit(preflightFindingsView(preflight), 'quorumctl.preflight.etcd');
    assert.ok(
      xml.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="quorumctl preflight" tests="22" failures="10" errors="0" skipped="9">',
      ),
    );
    assert.equal(xml.match(/<testcase /g)?.length, 22);
    assert.equal(xml.match(/<failure /g)?.length, preflight.findings.length);
    assert.equal(xml.match(/<skipped /g)?.length, 9);
    assert.match(
      xml,
      /<testcase classname="quorumctl.preflight.etcd" name="ETCD-TLS-6 No self-signed peer certificates \(--peer-auto-tls\)">\n {6}<failure type="critical" message="--peer-auto-tls is on: peer certificates are self-signed">test\/fixtures\/preflight\/etcd-flags\/bad.sh:9:3 infra0: /,
    );
    assert.match(xml, /message="--initial-cluster lists 4 members/);
    // Every element that opens also closes: a cheap well-formedness check.
    const opened = (xml.match(/<(testsuites|testsuite|testcase|failure)[ >]/g) ?? []).length;
    const selfClosed = (xml.match(/<testcase [^>]*\/>/g) ?? []).length;
    const closed = (xml.match(/<\/(testsuites|testsuite|testcase|failure)>/g) ?? []).length;
    assert.equal(opened, closed + selfClosed);
  });

  test('XML escaping covers markup, quotes and characters XML cannot carry', () => {
    assert.equal(escapeXml(`a<b>&"c"'\u0001\u0008d\ud800`), 'a&lt;b&gt;&amp;&quot;c&quot;&apos;d');
    assert.equal(escapeXml('tab\tnew\nline 😀'), 'tab\tnew\nline 😀');
  });
});

describe('docs/preflight.md', () => {
  test('its rule list is generated from the catalog (UPDATE_DOCS=1 rewrites it)', () => {
    const path = join(REPO_ROOT, 'docs/preflight.md');
    const document = readFileSync(path, 'utf8');
    const expected = replaceGeneratedBlock(
      document,
      renderRuleCatalogMarkdown(PREFLIGHT_RULES.map((rule) => rule.info)),
    );
    if (process.env.UPDATE_DOCS === '1') writeFileSync(path, expected);
    else assert.equal(document, expected, 'docs/preflight.md is stale: rerun with UPDATE_DOCS=1');
    assert.ok(document.includes(RULES_BEGIN) && document.includes(RULES_END));
  });
});
