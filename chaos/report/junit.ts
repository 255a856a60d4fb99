/** A drill report as JUnit XML (`--junit FILE`): one test case per expectation, for CI dashboards. */
import type { DrillReport, ExpectationResult } from './drill-report.js';

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

function testCase(report: DrillReport, result: ExpectationResult, seconds: string): string {
  const name = escapeXml(result.name);
  const classname = escapeXml(`quorumctl.drill.${report.scenario.name}.${report.cluster.kind}`);
  const message = escapeXml(`expected ${result.expected}, observed ${result.observed}`);
  const head = `    <testcase classname="${classname}" name="${name}" time="${seconds}">`;
  if (result.status === 'passed')
    return `${head}\n      <system-out>${escapeXml(`${result.description}: ${result.observed}`)}</system-out>\n    </testcase>`;
  if (result.status === 'failed')
    return `${head}\n      <failure message="${message}" type="drill-expectation">${escapeXml(result.description)}</failure>\n    </testcase>`;
  return `${head}\n      <skipped message="inconclusive: ${message}"/>\n    </testcase>`;
}

export function renderJunit(report: DrillReport): string {
  const elapsedSeconds =
    (new Date(report.finishedAt).getTime() - new Date(report.startedAt).getTime()) / 1000;
  const seconds = Math.max(0, elapsedSeconds).toFixed(3);
  const failures = report.expectations.filter((result) => result.status === 'failed').length;
  const skipped = report.expectations.filter((result) => result.status === 'inconclusive').length;
  const suite = escapeXml(
    `quorumctl drill ${report.scenario.name} on ${report.cluster.kind} sandbox ${report.cluster.sandbox}`,
  );
  const properties: [string, string][] = [
    ['verdict', report.verdict],
    ['fault', `${report.scenario.fault.kind} on ${report.targets.join(', ')}`],
    ['leaderBefore', report.leaderBefore ?? ''],
    ['leaderAfter', report.leaderAfter ?? ''],
    [
      'timeToNewLeaderMs',
      report.timeToNewLeaderMs === null ? '' : report.timeToNewLeaderMs.toFixed(0),
    ],
    ['writeUnavailabilityMs', report.writeUnavailability.longestMs.toFixed(0)],
    [
      'operations',
      `${report.operations.ok} ok, ${report.operations.fail} fail, ${report.operations.unknown} unknown`,
    ],
    ['lostWrites', String(report.lostWrites.length)],
    ['checker', `${report.checker.verdict} in ${report.checker.durationMs.toFixed(0)} ms`],
    ['run', report.run],
  ];
  const lost = report.lostWrites
    .map(
      (write) =>
        `LOST ${write.key} = ${write.value} (client ${write.client}, record ${write.receipt})`,
    )
    .join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="quorumctl chaos drill" tests="${report.expectations.length}" failures="${failures}" skipped="${skipped}" time="${seconds}">`,
    `  <testsuite name="${suite}" tests="${report.expectations.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds}" timestamp="${escapeXml(report.startedAt)}">`,
    '    <properties>',
    ...properties.map(
      ([name, value]) => `      <property name="${name}" value="${escapeXml(value)}"/>`,
    ),
    '    </properties>',
    ...report.expectations.map((result) => testCase(report, result, seconds)),
    `    <system-out>${escapeXml(`verdict ${report.verdict}${report.reasons.length > 0 ? `: ${report.reasons.join('; ')}` : ''}${lost === '' ? '' : `\n${lost}`}`)}</system-out>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
