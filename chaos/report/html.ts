/**
 * A drill report as one self-contained HTML page (`--html FILE`): inline CSS and an SVG
 * timeline (faults as bands, leader changes as marks, one lane per client with every
 * operation coloured ok / fail / unknown), then the figures, expectations and lost writes.
 * No scripts, fonts or images from elsewhere: it opens from a file, offline.
 */
import type { RecordedHistory, RecordedOperation } from '../checker/history.js';
import type { DrillReport, LeaderObservation } from './drill-report.js';

const WIDTH = 1200;
const LEFT = 120;
const RIGHT = 20;
const LANE = 16;
const HEADER_LANE = 24;
const PALETTE = [
  '#4e79a7',
  '#9c755f',
  '#59a14f',
  '#b07aa1',
  '#76b7b2',
  '#edc948',
  '#ff9da7',
  '#bab0ac',
  '#f28e2b',
];
const OUTCOME_COLOURS = { ok: '#3a9d4f', fail: '#d1372e', unknown: '#f0a020' } as const;

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function describeOperation(operation: RecordedOperation): string {
  const value =
    operation.op === 'read'
      ? operation.outcome === 'ok'
        ? ` -> ${operation.result ?? 'nil'}`
        : ''
      : Array.isArray(operation.value)
        ? ` ${operation.value[0] ?? 'nil'} -> ${operation.value[1]}`
        : ` ${operation.value ?? ''}`;
  const took =
    operation.completeMs === undefined
      ? 'never answered'
      : `${(operation.completeMs - operation.invokeMs).toFixed(1)} ms`;
  return `client ${operation.client} ${operation.op} ${operation.key}${value}: ${operation.outcome} at ${seconds(operation.invokeMs)} (${took})`;
}

/** Segments of the leader lane: who led from when to when. */
function leaderSegments(timeline: readonly LeaderObservation[], endMs: number) {
  return timeline.map((observation, index) => ({
    leader: observation.leader,
    fromMs: observation.atMs,
    toMs: timeline[index + 1]?.atMs ?? endMs,
  }));
}

function niceTickMs(spanMs: number): number {
  const steps = [500, 1000, 2000, 5000, 10_000, 20_000, 30_000, 60_000, 120_000, 300_000];
  return steps.find((step) => spanMs / step <= 14) ?? 600_000;
}

export function renderTimelineSvg(report: DrillReport, history: RecordedHistory): string {
  const operations = history.operations;
  const opTimeoutMs = report.scenario.opTimeoutMs;
  const endMs = Math.max(
    1,
    ...operations.map((operation) => operation.completeMs ?? operation.invokeMs + opTimeoutMs),
    ...report.faults.map((fault) => fault.healedAtMs ?? fault.injectedAtMs),
    ...report.leaderTimeline.map((observation) => observation.atMs),
    ...report.phases.map((phase) => phase.endMs),
  );
  const plot = WIDTH - LEFT - RIGHT;
  const x = (ms: number) => LEFT + (Math.min(Math.max(ms, 0), endMs) / endMs) * plot;
  const workers = Math.max(1, report.scenario.clients);
  const faultTop = 20;
  const leaderTop = faultTop + HEADER_LANE;
  const clientsTop = leaderTop + HEADER_LANE + 8;
  const height = clientsTop + workers * LANE + 34;
  const members = report.cluster.members;
  const colourOf = (leader: string | null) =>
    leader === null
      ? '#d0d0d0'
      : (PALETTE[Math.max(0, members.indexOf(leader)) % PALETTE.length] ?? '#888');
  const parts: string[] = [];

  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="drill timeline">`,
    `<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
  );
  // Faults: a band across every lane while the fault was active, labelled in its own lane.
  for (const fault of report.faults) {
    const from = x(fault.requestedAtMs);
    const to = x(fault.healedAtMs ?? endMs);
    const label = `${fault.kind} ${fault.groups === undefined ? fault.members.join(',') : fault.groups.map((group) => group.join(',')).join(' | ')}`;
    parts.push(
      `<rect class="fault-band" x="${from.toFixed(1)}" y="${faultTop}" width="${Math.max(1, to - from).toFixed(1)}" height="${height - faultTop - 30}" fill="#e15759" fill-opacity="0.12" stroke="#e15759" stroke-opacity="0.6"><title>${escapeHtml(`${label}: requested ${seconds(fault.requestedAtMs)}, in place ${seconds(fault.injectedAtMs)}, healed ${fault.healedAtMs === undefined ? 'not healed' : seconds(fault.healedAtMs)}`)}</title></rect>`,
      `<text x="${(from + 4).toFixed(1)}" y="${faultTop + 15}" class="fault-label">${escapeHtml(label)}</text>`,
    );
  }
  // Leader lane.
  for (const segment of leaderSegments(report.leaderTimeline, endMs)) {
    const from = x(segment.fromMs);
    const width = Math.max(1, x(segment.toMs) - from);
    parts.push(
      `<rect x="${from.toFixed(1)}" y="${leaderTop + 3}" width="${width.toFixed(1)}" height="${HEADER_LANE - 6}" fill="${colourOf(segment.leader)}"><title>${escapeHtml(`${segment.leader ?? 'no leader'}: ${seconds(segment.fromMs)} -> ${seconds(segment.toMs)}`)}</title></rect>`,
    );
    if (width > 40)
      parts.push(
        `<text x="${(from + 4).toFixed(1)}" y="${leaderTop + 16}" class="leader-label">${escapeHtml(segment.leader ?? 'none')}</text>`,
      );
  }
  // Leader changes: a mark across the lanes where a different member took over.
  let previous: string | null | undefined;
  for (const observation of report.leaderTimeline) {
    if (previous !== undefined && observation.leader !== null && observation.leader !== previous) {
      const at = x(observation.atMs).toFixed(1);
      parts.push(
        `<line class="leader-change" x1="${at}" y1="${leaderTop}" x2="${at}" y2="${height - 30}" stroke="#1f3a93" stroke-width="1.5" stroke-dasharray="4 3"><title>${escapeHtml(`new leader ${observation.leader} at ${seconds(observation.atMs)}`)}</title></line>`,
        `<path d="M ${at} ${leaderTop} l -5 -7 h 10 z" fill="#1f3a93"/>`,
      );
    }
    if (observation.leader !== null) previous = observation.leader;
  }
  // One lane per client; a client that had an unknown operation went on under a new id.
  for (let worker = 0; worker < workers; worker++) {
    const top = clientsTop + worker * LANE;
    parts.push(
      `<rect x="${LEFT}" y="${top}" width="${plot}" height="${LANE - 2}" fill="${worker % 2 === 0 ? '#f6f6f6' : '#ffffff'}"/>`,
      `<text x="${LEFT - 8}" y="${top + 11}" text-anchor="end" class="lane-label">client ${worker}</text>`,
    );
  }
  for (const operation of operations) {
    const lane = operation.client % workers;
    const from = x(operation.invokeMs);
    const to = x(operation.completeMs ?? operation.invokeMs + opTimeoutMs);
    const top = clientsTop + lane * LANE + (operation.op === 'read' ? 1 : 6);
    parts.push(
      `<rect class="op ${operation.outcome}" x="${from.toFixed(1)}" y="${top}" width="${Math.max(1, to - from).toFixed(1)}" height="${operation.op === 'read' ? 5 : 7}" fill="${OUTCOME_COLOURS[operation.outcome]}"${operation.op === 'read' ? ' fill-opacity="0.55"' : ''}><title>${escapeHtml(describeOperation(operation))}</title></rect>`,
    );
  }
  // Time axis.
  const axisY = clientsTop + workers * LANE + 6;
  parts.push(
    `<line x1="${LEFT}" y1="${axisY}" x2="${WIDTH - RIGHT}" y2="${axisY}" stroke="#555"/>`,
  );
  const tick = niceTickMs(endMs);
  for (let ms = 0; ms <= endMs; ms += tick) {
    const at = x(ms).toFixed(1);
    parts.push(
      `<line x1="${at}" y1="${axisY}" x2="${at}" y2="${axisY + 5}" stroke="#555"/>`,
      `<text x="${at}" y="${axisY + 18}" text-anchor="middle" class="tick">${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s</text>`,
    );
  }
  parts.push(
    `<text x="${LEFT - 8}" y="${faultTop + 15}" text-anchor="end" class="lane-label">faults</text>`,
    `<text x="${LEFT - 8}" y="${leaderTop + 16}" text-anchor="end" class="lane-label">leader</text>`,
    '</svg>',
  );
  return parts.join('\n');
}

function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '<p class="none">none</p>';
  return `<table><thead><tr>${headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #222; background: #fafafa; }
h1 { margin: 0 0 4px 0; font-size: 22px; }
h2 { font-size: 16px; margin: 28px 0 8px 0; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.verdict { display: inline-block; padding: 4px 14px; border-radius: 4px; color: #fff; font-weight: 700; letter-spacing: 1px; margin-right: 10px; }
.verdict.PASS { background: #2e8b57; } .verdict.FAIL { background: #c62828; } .verdict.INCONCLUSIVE { background: #e69500; }
.subtitle { color: #555; margin: 6px 0 0 0; }
.figures { display: grid; grid-template-columns: repeat(4, minmax(200px, 1fr)); gap: 10px; margin-top: 16px; }
.figure { background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; padding: 10px 12px; }
.figure .label { color: #666; font-size: 12px; text-transform: uppercase; letter-spacing: 0.5px; }
.figure .value { font-size: 20px; font-weight: 600; margin-top: 2px; }
.figure.bad .value { color: #c62828; }
table { border-collapse: collapse; background: #fff; font-size: 13px; }
th, td { border: 1px solid #e2e2e2; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
tr.failed td { background: #fdecea; } tr.inconclusive td { background: #fff4e0; }
.timeline { background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; padding: 8px; overflow-x: auto; }
.legend span { display: inline-block; margin-right: 16px; font-size: 13px; }
.legend i { display: inline-block; width: 14px; height: 10px; margin-right: 5px; vertical-align: middle; }
svg text { font-family: system-ui, sans-serif; font-size: 11px; fill: #333; }
svg .fault-label { fill: #a52a2a; font-weight: 600; }
svg .leader-label { fill: #fff; font-weight: 600; }
.none { color: #666; font-style: italic; }
.warning { color: #8a5a00; }
footer { margin-top: 32px; color: #777; font-size: 12px; }
`;

export function renderDrillHtml(report: DrillReport, history: RecordedHistory): string {
  const figure = (label: string, value: string, bad = false) =>
    `<div class="figure${bad ? ' bad' : ''}"><div class="label">${escapeHtml(label)}</div><div class="value">${escapeHtml(value)}</div></div>`;
  const ops = report.operations;
  const checker = report.checker;
  const expectationRows = report.expectations.map(
    (result) =>
      `<tr class="${result.status}"><td>${escapeHtml(result.name)}</td><td>${escapeHtml(result.status)}</td><td>${escapeHtml(result.expected)}</td><td>${escapeHtml(result.observed)}</td><td>${escapeHtml(result.description)}</td></tr>`,
  );
  const failingPrefix = checker.failingPrefix ?? [];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(`${report.verdict}: drill ${report.scenario.name} on ${report.cluster.sandbox}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1><span class="verdict ${report.verdict}">${report.verdict}</span>${escapeHtml(report.scenario.name)} on ${escapeHtml(report.cluster.kind)} sandbox ${escapeHtml(report.cluster.sandbox)}</h1>
<p class="subtitle">${escapeHtml(report.scenario.description)}</p>
<p class="subtitle">${escapeHtml(`${report.startedAt} -> ${report.finishedAt}; members ${report.cluster.members.join(', ')}; fault ${report.scenario.fault.kind} on ${report.targets.join(', ')} for ${seconds(report.scenario.durationMs)}`)}</p>
</header>
<section class="figures">
${figure('Time to new leader', report.timeToNewLeaderMs === null ? 'none seen' : seconds(report.timeToNewLeaderMs))}
${figure('Leader', `${report.leaderBefore ?? 'none'} -> ${report.leaderAfter ?? 'none'}`)}
${figure('Longest write outage', seconds(report.writeUnavailability.longestMs))}
${figure('Recovery after heal', report.recoveryMs === null ? 'none' : seconds(report.recoveryMs), report.recoveryMs === null)}
${figure('Operations ok / fail / unknown', `${ops.ok} / ${ops.fail} / ${ops.unknown}`)}
${figure('Acknowledged writes', String(report.acknowledgedWrites))}
${figure('Lost writes', String(report.lostWrites.length), report.lostWrites.length > 0)}
${figure('Checker', `${checker.verdict} (${checker.durationMs.toFixed(0)} ms)`, checker.verdict === 'not-linearizable')}
</section>
<h2>Timeline</h2>
<div class="legend"><span><i style="background:#e15759;opacity:.4"></i>fault active</span><span><i style="background:#1f3a93"></i>leader change</span><span><i style="background:${OUTCOME_COLOURS.ok}"></i>ok</span><span><i style="background:${OUTCOME_COLOURS.fail}"></i>fail (had no effect; most are CAS whose comparison did not match)</span><span><i style="background:${OUTCOME_COLOURS.unknown}"></i>unknown (timed out)</span><span>thin bars: reads; thick: writes and CAS</span></div>
<div class="timeline">
${renderTimelineSvg(report, history)}
</div>
<h2>Expectations</h2>
<table><thead><tr><th>expectation</th><th>result</th><th>expected</th><th>observed</th><th>what it means</th></tr></thead><tbody>${expectationRows.join('')}</tbody></table>
${report.reasons.length > 0 ? `<p>${report.reasons.map((reason) => escapeHtml(reason)).join('<br>')}</p>` : ''}
<h2>Lost writes</h2>
${table(
  ['key', 'value', 'client', 'acknowledged at', 'record'],
  report.lostWrites.map((write) => [
    write.key,
    write.value,
    String(write.client),
    seconds(write.acknowledgedAtMs),
    write.receipt,
  ]),
)}
<h2>Linearizability</h2>
<p>${escapeHtml(`${checker.verdict} after ${checker.durationMs.toFixed(1)} ms over ${checker.keys} keys${checker.failingKey === undefined ? '' : `; key ${checker.failingKey} fails`}${checker.reason === undefined ? '' : `; ${checker.reason}`}`)}</p>
${
  failingPrefix.length === 0
    ? ''
    : table(
        ['client', 'op', 'key', 'value', 'result', 'outcome', 'invoked', 'completed'],
        failingPrefix.map((operation) => [
          String(operation.client),
          operation.op,
          operation.key,
          JSON.stringify(operation.value ?? null),
          operation.result === undefined ? '' : String(operation.result),
          operation.outcome,
          seconds(operation.invokeMs),
          operation.completeMs === undefined ? '-' : seconds(operation.completeMs),
        ]),
      )
}
<h2>Faults</h2>
${table(
  ['id', 'kind', 'members', 'groups', 'requested', 'in place', 'healed'],
  report.faults.map((fault) => [
    fault.id,
    fault.kind,
    fault.members.join(', '),
    fault.groups?.map((group) => group.join(',')).join(' | ') ?? '',
    seconds(fault.requestedAtMs),
    seconds(fault.injectedAtMs),
    fault.healedAtMs === undefined
      ? `NOT HEALED ${fault.healError ?? ''}`
      : seconds(fault.healedAtMs),
  ]),
)}
<h2>Leader timeline</h2>
${table(
  ['at', 'leader', 'term'],
  report.leaderTimeline.map((observation) => [
    seconds(observation.atMs),
    observation.leader ?? '(none)',
    observation.term === undefined ? '' : String(observation.term),
  ]),
)}
<h2>Operations</h2>
${table(
  ['operation', 'ok', 'fail', 'unknown'],
  Object.entries(ops.byType).map(([name, counts]) => [
    name,
    String(counts.ok),
    String(counts.fail),
    String(counts.unknown),
  ]),
)}
<p>Longest stretch without an acknowledged write: ${escapeHtml(`${seconds(report.writeUnavailability.longestMs)} (${seconds(report.writeUnavailability.fromMs)} -> ${seconds(report.writeUnavailability.toMs)})`)}</p>
${
  ops.commonErrors.length === 0
    ? ''
    : table(
        ['reason', 'count'],
        ops.commonErrors.map((error) => [error.reason, String(error.count)]),
      )
}
<h2>Phases</h2>
${table(
  ['phase', 'from', 'to'],
  report.phases.map((phase) => [phase.name, seconds(phase.startMs), seconds(phase.endMs)]),
)}
${report.warnings.length === 0 ? '' : `<h2>Warnings</h2>${report.warnings.map((warning) => `<p class="warning">${escapeHtml(warning)}</p>`).join('')}`}
<footer>quorumctl chaos drill; run ${escapeHtml(report.run)}, seed ${report.seed}; election timeout ${escapeHtml(`${report.electionTimeout.ms} ms (${report.electionTimeout.source})`)}; data in ${escapeHtml(report.workloadLocation)}.</footer>
</body>
</html>
`;
}
