// The NATS adapter against a live 3-server JetStream sandbox: meta group, 20 R3 streams, the meta leader killed.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AckPolicy, jetstreamManager } from '@nats-io/jetstream';
import { connect as connectNats } from '@nats-io/transport-node';
import { assessHealth } from '../../core/health.js';
import type { ClusterStatus } from '../../core/model.js';
import { sandboxDown, sandboxUp, stopMember, type SandboxRecord } from '../../sandbox/index.js';
import { connect } from '../../systems/nats/adapter.js';
import { assertValidClusterStatus } from '../support/cluster-status-schema.js';

const STREAMS = 20;
const CONSUMERS = 3;
/** Meta and stream elections in nats-server 2.9 take 2-6 s; this bounds every wait. */
const ELECTION_BOUND_MS = 20_000;

/** Polls status until `done` holds or the bound passes; returns the last status either way. */
async function statusUntil(
  read: () => Promise<ClusterStatus>,
  done: (status: ClusterStatus) => boolean,
  boundMs = ELECTION_BOUND_MS,
): Promise<{ status: ClusterStatus; elapsedMs: number }> {
  const started = Date.now();
  for (;;) {
    const status = await read();
    if (done(status) || Date.now() - started > boundMs)
      return { status, elapsedMs: Date.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * A JetStream API request that timed out may still have been applied; adding the same
 * stream or consumer again is accepted, so a timeout is simply retried.
 */
async function idempotent<T>(request: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await request();
    } catch (error) {
      if (attempt >= attempts || !(error instanceof Error) || !/timeout/i.test(error.message))
        throw error;
    }
  }
}

function metaLeaderName(status: ClusterStatus): string | undefined {
  return status.members.find((member) => member.id === status.leaderId)?.name;
}

describe('NATS adapter against a live 3-server JetStream sandbox', { timeout: 120_000 }, () => {
  let stateDir: string;
  let record: SandboxRecord;
  const readStatus = () =>
    connect(
      { name: 'js', kind: 'nats', endpoints: record.monitorUrls ?? [] },
      { timeoutMs: 2000 },
    ).status();

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-it-nats-'));
    record = await sandboxUp({ stateDir, name: 'js', kind: 'nats', members: 3 });
  });

  after(async () => {
    await sandboxDown(stateDir, 'js', { graceMs: 1000 }).catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  });

  test('the meta group: one leader that every member follows, three voters, version', async () => {
    const status = await readStatus();
    assertValidClusterStatus(JSON.parse(JSON.stringify(status)));
    assert.deepEqual(
      status.members.map((member) => member.name),
      ['n1', 'n2', 'n3'],
    );
    const leaders = status.members.filter((member) => member.role === 'leader');
    assert.equal(leaders.length, 1);
    assert.equal(status.leaderId, leaders[0]!.id);
    for (const member of status.members) {
      assert.equal(member.reachable, true, member.name);
      assert.equal(member.voter, true);
      assert.equal(member.version, record.version);
      assert.equal(member.leaderId, status.leaderId);
      assert.equal(member.lagEntries, 0);
      assert.equal(member.attributes?.current, true);
      assert.equal(member.attributes?.routes, 2);
      // 2.9 exposes no meta-group term: none is reported rather than one invented.
      assert.equal(member.term, undefined);
    }
    assert.equal(status.clusterId, 'js');
    assert.deepEqual(status.attributes, { metaClusterSize: 3 });
    assert.equal(status.quorum.quorumMargin, 1);
    assert.deepEqual(status.groups?.total, 0);
  });

  test(`${STREAMS} R3 streams and ${CONSUMERS} R3 consumers: each one group with a leader`, async () => {
    const nc = await connectNats({ servers: record.endpoints, timeout: 5000 });
    try {
      // Generous: on a loaded 2-core machine a fresh meta leader can take seconds per request.
      const jsm = await jetstreamManager(nc, { timeout: 20_000 });
      for (let first = 0; first < STREAMS; first += 5)
        await Promise.all(
          Array.from({ length: 5 }, (_, offset) =>
            idempotent(() =>
              jsm.streams.add({
                name: `S${first + offset}`,
                subjects: [`s${first + offset}.>`],
                num_replicas: 3,
              }),
            ),
          ),
        );
      for (let index = 0; index < CONSUMERS; index += 1)
        await idempotent(() =>
          jsm.consumers.add(`S${index}`, {
            durable_name: `C${index}`,
            ack_policy: AckPolicy.Explicit,
          }),
        );
    } finally {
      await nc.close();
    }
    const { status } = await statusUntil(
      readStatus,
      (candidate) =>
        candidate.groups?.total === STREAMS + CONSUMERS &&
        candidate.groups.leaderless === 0 &&
        candidate.groups.underReplicated === 0,
    );
    assertValidClusterStatus(JSON.parse(JSON.stringify(status)));
    assert.deepEqual(status.groups, {
      total: STREAMS + CONSUMERS,
      leaderless: 0,
      underReplicated: 0,
      byType: [
        { type: 'consumer', total: CONSUMERS, leaderless: 0, underReplicated: 0 },
        { type: 'stream', total: STREAMS, leaderless: 0, underReplicated: 0 },
      ],
      worst: [],
    });
    const hosted = status.members.map((member) => member.attributes?.streams);
    assert.deepEqual(hosted, [STREAMS, STREAMS, STREAMS], 'every server hosts every R3 stream');
  });

  test('the meta leader killed: a new one is reported, the old one unreachable with the reason', async () => {
    const before = await readStatus();
    const victim = metaLeaderName(before);
    assert.ok(victim !== undefined, 'a meta leader before the kill');
    await stopMember(stateDir, 'js', victim, 'SIGKILL');

    const { status, elapsedMs } = await statusUntil(readStatus, (candidate) => {
      const leader = metaLeaderName(candidate);
      return leader !== undefined && leader !== victim;
    });
    const leader = metaLeaderName(status);
    assert.ok(leader !== undefined && leader !== victim, `new meta leader after ${elapsedMs} ms`);
    const dead = status.members.find((member) => member.name === victim);
    assert.equal(dead?.reachable, false);
    assert.equal(dead?.error?.code, 'ECONNREFUSED');
    assert.match(dead?.error?.message ?? '', /connection refused/);
    assert.equal(status.quorum.healthyVoters, 2);
    assert.equal(status.quorum.quorumMargin, 0);
    const health = assessHealth(status);
    assert.ok(
      health.reasons.some(
        (reason) => reason.code === 'MEMBER_UNREACHABLE' && reason.memberId === dead?.id,
      ),
    );
  });

  test('after the kill: under-replicated groups reported, none leaderless after re-election', async () => {
    const { status, elapsedMs } = await statusUntil(
      readStatus,
      (candidate) => candidate.groups?.leaderless === 0,
    );
    assertValidClusterStatus(JSON.parse(JSON.stringify(status)));
    const groups = status.groups!;
    assert.equal(groups.leaderless, 0, `leaderless groups ${elapsedMs} ms after the kill`);
    // Every group had a replica on the dead server, and the survivors still host all of them.
    assert.equal(groups.total, STREAMS + CONSUMERS);
    assert.equal(groups.underReplicated, STREAMS + CONSUMERS);
    const dead = status.members.find((member) => !member.reachable)!;
    for (const group of groups.worst) {
      assert.ok(group.leader !== undefined && group.leader !== dead.name, group.id);
      assert.equal(group.healthyReplicas, 2);
      assert.ok(group.problems.includes(`replica ${dead.name} down`), group.problems.join('; '));
    }
    const health = assessHealth(status);
    assert.ok(health.reasons.some((reason) => reason.code === 'GROUPS_UNDER_REPLICATED'));
    assert.ok(!health.reasons.some((reason) => reason.code === 'GROUPS_LEADERLESS'));
  });
});
