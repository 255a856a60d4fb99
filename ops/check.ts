/**
 * Use case: judge a live cluster. Reads the status and metric sample, waits `windowMs`, reads
 * them again, asks for a hash check and every TLS endpoint's certificate, then lets core's
 * rules judge. What cannot be read becomes a note, never a failed check.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { buildCheckFacts } from '../core/check/facts.js';
import type { EndpointCertificate, HashCheck, MemberRef } from '../core/check/observations.js';
import { buildCheckReport, type CheckReport, type FailOn } from '../core/check/report.js';
import { describeCause } from '../core/errors.js';
import type { MetricSample } from '../core/metrics/sample.js';
import type { ClusterStatus } from '../core/model.js';
import type { ClusterAdapter } from '../core/ports.js';

export interface CheckRequest {
  /** Time between the two readings; 0 judges one reading (window rules are skipped). */
  windowMs: number;
  failOn: FailOn;
  /** Reads the certificate of a TLS endpoint; without it TLS rules are skipped. */
  readCertificate?: (endpoint: string) => Promise<EndpointCertificate>;
  now?: () => Date;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
}

export async function runCheck(
  adapter: ClusterAdapter,
  request: CheckRequest,
): Promise<CheckReport> {
  const notes: string[] = [];
  const sleep = request.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
  const withWindow = request.windowMs > 0;

  const statusBefore = await adapter.status();
  const certificates = readCertificates(statusBefore, request.readCertificate, notes);
  const sampleBefore = withWindow ? await sampleOf(adapter, statusBefore, notes) : undefined;
  if (withWindow) await sleep(request.windowMs, request.signal);
  const status = withWindow ? await adapter.status() : statusBefore;
  const sampleAfter = await sampleOf(adapter, status, notes);
  const hashes = await hashesOf(adapter, status, notes);

  const facts = buildCheckFacts({
    statusBefore,
    status,
    ...(sampleAfter !== undefined && {
      samples: { ...(sampleBefore !== undefined && { before: sampleBefore }), after: sampleAfter },
    }),
    ...(hashes !== undefined && { hashes }),
    certificates: await certificates,
    now: request.now?.() ?? new Date(),
    notes,
  });
  return buildCheckReport(facts, request.failOn);
}

/** Endpoints that speak TLS: `https://` (most kinds) and `tls://` (ZooKeeper's secure port). */
export function tlsEndpoints(status: ClusterStatus): string[] {
  const endpoints = status.members
    .map((member) => member.endpoint)
    .filter((endpoint) => /^(https|tls):\/\//.test(endpoint));
  return [...new Set(endpoints)];
}

function memberRefs(status: ClusterStatus): MemberRef[] {
  return status.members
    .filter((member) => member.reachable && member.endpoint !== '')
    .map(({ id, name, endpoint }) => ({ id, name, endpoint }));
}

function nameOf(status: ClusterStatus, memberId: string): string {
  return status.members.find((member) => member.id === memberId)?.name ?? memberId;
}

async function sampleOf(
  adapter: ClusterAdapter,
  status: ClusterStatus,
  notes: string[],
): Promise<MetricSample | undefined> {
  if (!adapter.capabilities.has('metrics') || adapter.metricSample === undefined) return undefined;
  try {
    const sample = await adapter.metricSample(status);
    for (const error of sample.errors) {
      const note = `metrics of ${nameOf(status, error.memberId)} not read: ${error.message}`;
      if (!notes.includes(note)) notes.push(note);
    }
    return sample;
  } catch (cause) {
    notes.push(`metric sample not read: ${describeCause(cause)}`);
    return undefined;
  }
}

async function hashesOf(
  adapter: ClusterAdapter,
  status: ClusterStatus,
  notes: string[],
): Promise<HashCheck | undefined> {
  if (!adapter.capabilities.has('hashCheck') || adapter.hashCheck === undefined) return undefined;
  const members = memberRefs(status);
  if (members.length < 2) return undefined;
  try {
    const hashes = await adapter.hashCheck(members);
    for (const member of hashes.members) {
      if ('error' in member) notes.push(`hash of ${member.name} not read: ${member.error.message}`);
    }
    return hashes;
  } catch (cause) {
    notes.push(`hash check failed: ${describeCause(cause)}`);
    return undefined;
  }
}

async function readCertificates(
  status: ClusterStatus,
  read: CheckRequest['readCertificate'],
  notes: string[],
): Promise<EndpointCertificate[]> {
  if (read === undefined) return [];
  const certificates = await Promise.all(tlsEndpoints(status).map((endpoint) => read(endpoint)));
  for (const certificate of certificates) {
    if ('error' in certificate) {
      notes.push(`certificate of ${certificate.endpoint} not read: ${certificate.error.message}`);
    }
  }
  return certificates;
}
