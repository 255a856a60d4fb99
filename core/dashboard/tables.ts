/** Panel data for the two tables: the cluster list and the selected cluster's members (pure). */
import type { Severity } from '../findings.js';
import type { HealthVerdict } from '../health.js';
import type { MemberStatus } from '../model.js';
import { compactBytes, gauge } from './format.js';
import type { ClusterTrack, DashboardStore } from './store.js';

/** `waiting`: no poll has answered yet. */
export type RowHealth = HealthVerdict | 'waiting';

export interface TableData<Row> {
  headers: string[];
  rows: Row[];
}

export interface ClusterRow {
  name: string;
  health: RowHealth;
  /** Cells in `CLUSTER_HEADERS` order. */
  cells: string[];
}

export const CLUSTER_HEADERS = ['CLUSTER', 'KIND', 'LEADER', 'TERM', 'MARGIN', 'HEALTH', 'WORST'];

export function clusterListRows(store: DashboardStore): TableData<ClusterRow> {
  return {
    headers: CLUSTER_HEADERS,
    rows: store.clusters().map((track) => {
      const health: RowHealth = track.health?.verdict ?? 'waiting';
      const status = track.lastOutcome?.ok === true ? track.lastStatus : undefined;
      const leader = status?.members.find((member) => member.id === status.leaderId);
      const leaderCell =
        track.lastOutcome === undefined
          ? '...'
          : status === undefined
            ? 'unreachable'
            : status.leadership === 'per-group'
              ? 'per group'
              : (leader?.name ?? 'NONE');
      const margin = status === undefined ? '-' : marginText(status.quorum);
      return {
        name: track.name,
        health,
        cells: [
          track.name,
          track.kind,
          leaderCell,
          status?.term === undefined ? '-' : String(status.term),
          margin,
          health,
          worstFinding(track) ?? '-',
        ],
      };
    }),
  };
}

/** `1 (3/3)`: how many more voters may fail, with healthy/total voters. */
function marginText(quorum: { quorumMargin: number; healthyVoters: number; voters: number }) {
  const margin = quorum.quorumMargin < 0 ? 'LOST' : String(quorum.quorumMargin);
  return `${margin} (${quorum.healthyVoters}/${quorum.voters})`;
}

const SEVERITY_RANK: Record<Severity | HealthVerdict, number> = {
  ok: 0,
  info: 1,
  warn: 2,
  degraded: 2,
  critical: 3,
};

/** The most severe health reason or quick-check finding, as one phrase. */
export function worstFinding(track: ClusterTrack): string | undefined {
  const candidates = [
    ...(track.health?.reasons ?? []).map((reason) => ({
      rank: SEVERITY_RANK[reason.severity],
      text: reason.message,
    })),
    ...(track.check?.findings ?? []).map((finding) => ({
      rank: SEVERITY_RANK[finding.severity],
      text: `${finding.ruleId}: ${finding.message}`,
    })),
  ];
  const worst = candidates.reduce<(typeof candidates)[number] | undefined>(
    (best, candidate) => (best === undefined || candidate.rank > best.rank ? candidate : best),
    undefined,
  );
  return worst?.text;
}

export interface MemberRow {
  id: string;
  reachable: boolean;
  isLeader: boolean;
  /** Cells in `MEMBER_HEADERS` order. */
  cells: string[];
}

export const MEMBER_HEADERS = ['MEMBER', 'ROLE', 'TERM', 'INDEX', 'LAG', 'DB / QUOTA', 'REACH'];

/** The members of the last status; while the cluster is unreachable, as last seen, all down. */
export function memberTableRows(track: ClusterTrack | undefined): TableData<MemberRow> {
  const status = track?.lastStatus;
  if (track === undefined || status === undefined) return { headers: MEMBER_HEADERS, rows: [] };
  const clusterDown = track.lastOutcome?.ok === false;
  return {
    headers: MEMBER_HEADERS,
    rows: status.members.map((member) => {
      const reachable = member.reachable && !clusterDown;
      return {
        id: member.id,
        reachable,
        isLeader: reachable && member.id === status.leaderId,
        cells: [
          member.name === '' ? member.id : member.name,
          reachable ? roleText(member) : 'down',
          optional(member.term),
          indexText(member),
          optional(member.lagEntries),
          quotaText(member),
          reachable ? 'ok' : clusterDown ? 'no answer' : (member.error?.code ?? 'down'),
        ],
      };
    }),
  };
}

function roleText(member: MemberStatus): string {
  return member.voter || member.role === 'learner' || member.role === 'observer'
    ? member.role
    : `${member.role} (non-voter)`;
}

function indexText(member: MemberStatus): string {
  if (member.commitIndex === undefined) return '-';
  return member.appliedIndex === undefined || member.appliedIndex === member.commitIndex
    ? String(member.commitIndex)
    : `${member.commitIndex}/${member.appliedIndex}`;
}

/** `24M/2.0G [#-------] 1%` with a quota, `24M` without. */
export function quotaText(member: Pick<MemberStatus, 'dbSizeBytes' | 'quotaBytes'>): string {
  if (member.dbSizeBytes === undefined) return '-';
  const size = compactBytes(member.dbSizeBytes);
  if (member.quotaBytes === undefined || member.quotaBytes <= 0) return size;
  const ratio = member.dbSizeBytes / member.quotaBytes;
  return `${size}/${compactBytes(member.quotaBytes)} ${gauge(ratio, 8)} ${Math.round(ratio * 100)}%`;
}

function optional(value: number | undefined): string {
  return value === undefined ? '-' : String(value);
}
