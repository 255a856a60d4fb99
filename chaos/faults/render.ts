/** Plain-text views of faults for the chaos commands: one line per fault, heal reports. */
import type { FaultListing } from './heal.js';
import type { FaultRecord, FaultSpec, HealReport } from './types.js';

/** "isolate n1", "partition n1,n2 | n3", "latency 200 ms on n1", ... */
export function describeFault(spec: FaultSpec): string {
  const members = spec.members.join(',');
  switch (spec.kind) {
    case 'kill':
    case 'pause':
    case 'isolate':
      return `${spec.kind} ${members}`;
    case 'partition':
      return `partition ${(spec.groups ?? []).map((group) => group.join(',')).join(' | ')}`;
    case 'latency':
      return `latency ${spec.latencyMs ?? 0} ms on ${members}`;
    case 'loss':
      return `loss ${spec.lossPercent ?? 0}% on ${members}`;
  }
}

function faultLine(record: FaultRecord): string {
  return `${record.id}  ${record.scope.sandbox}  ${describeFault(record.spec)}  since ${record.appliedAt}`;
}

export function renderFaultListing(listing: FaultListing): string {
  if (listing.faults.length === 0) return `no faults recorded (${listing.journal})\n`;
  const rows = listing.faults.map(
    (fault) =>
      `${faultLine(fault)}  ${fault.ownerAlive ? `owner PID ${fault.ownerPid}` : `owner PID ${fault.ownerPid} gone: quorumctl chaos heal`}`,
  );
  return [`${listing.faults.length} fault(s) recorded in ${listing.journal}:`, ...rows, ''].join(
    '\n',
  );
}

export function renderHealReport(report: HealReport): string {
  if (report.healed.length === 0 && report.failed.length === 0)
    return 'nothing to heal: no faults recorded\n';
  return [
    ...report.healed.map((record) => `healed  ${faultLine(record)}`),
    ...report.failed.map(({ record, error }) => `FAILED  ${faultLine(record)}: ${error}`),
    report.failed.length === 0
      ? `${report.healed.length} fault(s) healed, none left`
      : `${report.failed.length} fault(s) could not be healed and stay recorded: fix the cause and run quorumctl chaos heal again`,
    '',
  ].join('\n');
}
