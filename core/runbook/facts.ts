/** The facts gates compare against, read off a status (and a check report when a gate needs one). */
import type { CheckReport } from '../check/report.js';
import { assessHealth } from '../health.js';
import type { ClusterStatus } from '../model.js';
import type { GateFacts } from './gates.js';

export function factsFromStatus(status: ClusterStatus): Record<string, string | number | boolean> {
  const lags = status.members
    .map((member) => member.lagEntries)
    .filter((lag): lag is number => lag !== undefined);
  return {
    health: assessHealth(status).verdict,
    hasLeader: status.leaderId !== undefined || status.leadership === 'per-group',
    quorumMargin: status.quorum.quorumMargin,
    voters: status.quorum.voters,
    healthyVoters: status.quorum.healthyVoters,
    learners: status.members.filter((member) => !member.voter).length,
    maxLagEntries: lags.length === 0 ? 0 : Math.max(...lags),
    alarms: status.alarms.length,
  };
}

export function withCheckFacts(facts: GateFacts, report: CheckReport): GateFacts {
  return {
    ...facts,
    criticalFindings: report.findings.filter((finding) => finding.severity === 'critical').length,
  };
}
