/**
 * Collects leader-flapping evidence over a window: the leader every half second, a check over
 * the same window (disk latency, lag, unreachable members) and round trips to every member.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { ClusterAdapter } from '../../core/ports.js';
import {
  triageLeaderFlapping,
  type FlappingTriage,
  type LeaderSample,
} from '../../core/triage/leader-flapping.js';
import { runCheck } from '../check.js';
import { measurePeerRtts } from '../host/peer-rtt.js';

export interface FlappingTriageRequest {
  windowMs: number;
  /** Default 500 ms. */
  pollMs?: number;
  /** Default 100 ms (etcd's default heartbeat interval). */
  heartbeatMs?: number;
  signal?: AbortSignal;
}

export async function collectLeaderFlapping(
  adapter: ClusterAdapter,
  request: FlappingTriageRequest,
): Promise<FlappingTriage> {
  const pollMs = request.pollMs ?? 500;
  const started = performance.now();
  const samples: LeaderSample[] = [];
  const check = runCheck(adapter, {
    windowMs: request.windowMs,
    failOn: 'critical',
    ...(request.signal !== undefined && { signal: request.signal }),
  });
  while (performance.now() - started < request.windowMs) {
    const atMs = Math.round(performance.now() - started);
    try {
      const status = await adapter.status();
      const leader = status.members.find((member) => member.id === status.leaderId);
      samples.push({
        atMs,
        ...(leader !== undefined && { leader: leader.name }),
        ...(status.term !== undefined && { term: status.term }),
      });
    } catch {
      // Nobody answered: a sample without a leader is exactly what the timeline should show.
      samples.push({ atMs });
    }
    await delay(pollMs, undefined, request.signal === undefined ? {} : { signal: request.signal });
  }
  const status = await adapter.status();
  const [report, rtts] = await Promise.all([
    check,
    measurePeerRtts(
      status.members.map((member) => member.endpoint),
      request.signal === undefined ? {} : { signal: request.signal },
    ),
  ]);
  return triageLeaderFlapping({
    windowMs: request.windowMs,
    samples,
    findings: report.findings,
    rtts,
    heartbeatMs: request.heartbeatMs ?? 100,
  });
}
