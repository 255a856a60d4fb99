/** Findings as JUnit XML for CI dashboards: one testcase per rule, one failure per finding. */
import { formatLocation, type FindingsView } from './findings.js';

/** Escapes text for XML content and attributes, dropping characters XML 1.0 cannot carry. */
export function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

export function renderJunit(view: FindingsView, suiteName: string): string {
  const failures = view.rules.filter((rule) => rule.outcome === 'fail').length;
  const skipped = view.rules.filter((rule) => rule.outcome === 'skipped').length;
  const counts = `tests="${view.rules.length}" failures="${failures}" errors="0" skipped="${skipped}"`;
  const cases = view.rules.map(({ info, outcome, skippedBecause }) => {
    const open = `    <testcase classname="${escapeXml(suiteName)}" name="${escapeXml(`${info.id} ${info.title}`)}"`;
    if (outcome === 'skipped') {
      return `${open}>\n      <skipped message="${escapeXml(skippedBecause ?? 'skipped')}"/>\n    </testcase>`;
    }
    const findings = view.findings.filter((finding) => finding.ruleId === info.id);
    if (outcome === 'pass' || findings.length === 0) return `${open}/>`;
    const elements = findings.map((finding) => {
      const where = [formatLocation(finding.location), finding.subject]
        .filter((part) => part !== undefined)
        .join(' ');
      const body = [
        `${where === '' ? '' : `${where}: `}${finding.message}`,
        `fix: ${finding.remedy}`,
        `docs: ${finding.docs}`,
      ].join('\n');
      return `      <failure type="${finding.severity}" message="${escapeXml(finding.message)}">${escapeXml(body)}</failure>`;
    });
    return `${open}>\n${elements.join('\n')}\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(`quorumctl ${view.command}`)}" ${counts}>`,
    `  <testsuite name="${escapeXml(`${suiteName}: ${view.target}`)}" ${counts}>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
