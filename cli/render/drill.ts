/** Drill scenarios and drill reports as text for people (tables and a short verdict block). */
import type { DrillScenario, TargetSelection } from '../../chaos/drills/scenario.js';
import type { DrillReport } from '../../chaos/report/drill-report.js';
import { formatTable } from './table.js';

export interface DrillList {
  scenarios: DrillScenario[];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 2)} s`;

export function describeTarget(target: TargetSelection): string {
  if (target.role === 'members') return (target.members ?? []).join(',');
  if (target.role === 'minority' || target.role === 'majority')
    return `${target.role} ${target.withLeader === false ? 'without' : 'with'} leader`;
  if (target.role === 'each') return 'each member in turn';
  return target.role === 'follower' ? 'a random follower' : 'the leader';
}

function describeFault(scenario: DrillScenario): string {
  const { fault } = scenario;
  const extra =
    fault.shape === 'bridge'
      ? ' (bridge)'
      : fault.latencyMs !== undefined
        ? ` ${fault.latencyMs} ms`
        : fault.lossPercent !== undefined
          ? ` ${fault.lossPercent}%`
          : '';
  return `${fault.kind}${extra}`;
}

function firstSentence(text: string): string {
  const end = text.indexOf('. ');
  return end < 0 ? text : text.slice(0, end + 1);
}

export function renderDrillList(list: DrillList): string {
  const rows = list.scenarios.map((scenario) => [
    scenario.name,
    scenario.kinds.join(','),
    describeTarget(scenario.target),
    describeFault(scenario),
    seconds(scenario.durationMs),
    scenario.requires.length === 0 ? '-' : scenario.requires.join(','),
    firstSentence(scenario.description),
  ]);
  return formatTable(['NAME', 'KINDS', 'TARGET', 'FAULT', 'FOR', 'NEEDS', 'WHAT'], rows);
}

export function renderScenario(scenario: DrillScenario): string {
  const { workload, expectations } = scenario;
  const lines: [string, string][] = [
    ['Scenario', `${scenario.name} (${scenario.source})`],
    ['Kinds', scenario.kinds.join(', ')],
    ['Members', `at least ${scenario.minMembers}`],
    [
      'Needs',
      scenario.requires.length === 0 ? 'nothing beyond a sandbox' : scenario.requires.join(', '),
    ],
    ['Target', describeTarget(scenario.target)],
    ['Fault', `${describeFault(scenario)} for ${seconds(scenario.durationMs)}`],
    ...(scenario.during === undefined ? [] : [['During', scenario.during] as [string, string]]),
    [
      'Workload',
      `${workload.clients} clients, ${workload.keys} keys, read/write/cas ${workload.mix.read}/${workload.mix.write}/${workload.mix.cas}, ${workload.thinkMs} ms think, ${workload.opTimeoutMs} ms op timeout; ${seconds(scenario.warmupMs)} before the fault, ${seconds(scenario.settleMs)} after recovery`,
    ],
    [
      'Leader',
      expectations.leaderChange === 'required'
        ? `a new leader within ${expectations.maxTimeToNewLeaderMs === undefined ? '3x the election timeout' : seconds(expectations.maxTimeToNewLeaderMs)}`
        : expectations.leaderChange === 'forbidden'
          ? 'must not change'
          : 'may change',
    ],
    [
      'Recovery',
      `writes acknowledged again within ${expectations.maxRecoveryMs === undefined ? '3x the election timeout + 5 s' : seconds(expectations.maxRecoveryMs)} of the heal`,
    ],
    ['Lost writes', `at most ${expectations.maxLostWrites}`],
    ['Linearizable', expectations.linearizable ? 'required' : 'not checked'],
  ];
  const width = Math.max(...lines.map(([label]) => label.length));
  return `${scenario.description}\n\n${lines.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')}\n`;
}

export function renderDrillReport(report: DrillReport): string {
  const ops = report.operations;
  const figures: [string, string][] = [
    [
      'Scenario',
      `${report.scenario.name} on ${report.cluster.kind} sandbox ${report.cluster.sandbox} (${report.cluster.members.join(', ')})`,
    ],
    [
      'Fault',
      `${report.scenario.fault.kind} on ${report.targets.join(', ')} for ${seconds(report.scenario.durationMs)}${report.faults.length > 1 ? ` (${report.faults.length} rounds)` : ''}`,
    ],
    ['Leader', `${report.leaderBefore ?? 'none'} -> ${report.leaderAfter ?? 'none'}`],
    [
      'Time to new leader',
      report.timeToNewLeaderMs === null ? 'none seen' : seconds(report.timeToNewLeaderMs),
    ],
    [
      'Write outage',
      `${seconds(report.writeUnavailability.longestMs)} longest without an acknowledged write`,
    ],
    [
      'Recovery',
      report.recoveryMs === null
        ? 'no write acknowledged after the heal'
        : `${seconds(report.recoveryMs)} after the heal`,
    ],
    ['Operations', `${ops.total}: ${ops.ok} ok, ${ops.fail} fail, ${ops.unknown} unknown`],
    ['Lost writes', `${report.lostWrites.length} of ${report.acknowledgedWrites} acknowledged`],
    [
      'Checker',
      `${report.checker.verdict} in ${report.checker.durationMs.toFixed(0)} ms (${report.checker.keys} keys)`,
    ],
  ];
  const width = Math.max(...figures.map(([label]) => label.length));
  const expectations = formatTable(
    ['EXPECTATION', 'RESULT', 'EXPECTED', 'OBSERVED'],
    report.expectations.map((result) => [
      result.name,
      result.status,
      result.expected,
      result.observed,
    ]),
  );
  const lost =
    report.lostWrites.length === 0
      ? ''
      : `\nLOST WRITES\n${formatTable(
          ['KEY', 'VALUE', 'CLIENT', 'ACKNOWLEDGED AT', 'RECORD'],
          report.lostWrites.map((write) => [
            write.key,
            write.value,
            String(write.client),
            seconds(write.acknowledgedAtMs),
            write.receipt,
          ]),
        )}`;
  const warnings = report.warnings.map((warning) => `warning: ${warning}\n`).join('');
  return [
    `${report.verdict}: ${report.scenario.name}\n`,
    figures.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n'),
    '\n\n',
    expectations,
    lost,
    warnings === '' ? '' : `\n${warnings}`,
  ].join('');
}
