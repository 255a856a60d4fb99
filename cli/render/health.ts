/** The people's view of a HealthReport: one verdict line, then one line per reason. */
import type { HealthReport } from '../../core/health.js';

export function renderHealth(report: HealthReport): string {
  const { quorumMargin, healthyVoters, voters } = report.quorum;
  const headline = `${report.verdict.toUpperCase()}: ${report.cluster} (${report.kind}), quorum margin ${quorumMargin}, ${healthyVoters}/${voters} voters reachable${report.term === undefined ? '' : `, term ${report.term}`}`;
  const reasons = report.reasons.map(
    (reason) => `  - [${reason.severity}] ${reason.code}: ${reason.message}`,
  );
  return [headline, ...reasons].join('\n') + '\n';
}
