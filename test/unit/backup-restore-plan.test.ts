// The etcd restore plan as a golden file (3.4: no revision bump, and why that matters; 3.5:
// etcdutl with --bump-revision), and the guard that refuses to replace a live cluster.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BackupManifest } from '../../core/backup/manifest.js';
import type { RestoreRequest } from '../../core/backup/producer.js';
import { guardRestore } from '../../core/backup/restore-guard.js';
import { canBumpRevision, planEtcdRestore, shellQuote } from '../../systems/etcd/restore-plan.js';
import { renderRestorePlan } from '../../cli/render/backup.js';
import { expectGolden } from '../support/golden.js';

const MANIFEST: BackupManifest = {
  apiVersion: 'quorumctl/v1',
  kind: 'BackupManifest',
  name: 'prod-20261129T053800Z',
  cluster: 'prod',
  systemKind: 'etcd',
  format: 'etcd-snapshot',
  member: 'm2',
  position: { revision: 10_042 },
  dataFile: 'prod-20261129T053800Z.db',
  sizeBytes: 1_048_608,
  sha256: '640eaee537768825822e801b0631ba206aa7f3ed64177f2d578725731b85a424',
  startedAt: '2026-11-29T05:38:00.000Z',
  finishedAt: '2026-11-29T05:38:02.000Z',
  toolVersion: '0.1.0',
  serverVersion: '3.4.23',
  fingerprint: { revision: 10_042, keyCount: 10_000, hashKv: 3_190_886_850, compactRevision: -1 },
};

const REQUEST: RestoreRequest = {
  manifest: MANIFEST,
  dataPath: '/var/backups/etcd/prod-20261129T053800Z.db',
  targetCluster: 'prod',
  clusterToken: 'quorumctl-restore-0123456789ab',
  members: ['m1', 'm2', 'm3'].map((name, index) => ({
    name,
    clientUrl: `https://10.0.0.${index + 1}:2379`,
    peerUrl: `https://10.0.0.${index + 1}:2380`,
    dataDir: `/var/lib/etcd/${name}.restored`,
  })),
};

describe('planEtcdRestore', () => {
  test('etcd 3.4: etcdctl, the same snapshot and token for every member, no bump (golden)', () => {
    const plan = planEtcdRestore(REQUEST);
    expectGolden('backup-restore-plan-etcd-3.4.txt', renderRestorePlan(plan));
    expectGolden('backup-restore-plan-etcd-3.4.json', `${JSON.stringify(plan, null, 2)}\n`);
    const restores = plan.steps.filter((step) => step.id.startsWith('restore-data:'));
    assert.equal(restores.length, 3);
    for (const step of restores) {
      assert.match(
        step.command ?? '',
        /^etcdctl snapshot restore \/var\/backups\/etcd\/prod-20261129T053800Z\.db /,
      );
      assert.match(step.command ?? '', /--initial-cluster-token quorumctl-restore-0123456789ab/);
      assert.doesNotMatch(step.command ?? '', /bump-revision/);
    }
    // Every member is stopped before any is restored, and started only after all are.
    const order = plan.steps.map((step) => step.id.split(':')[0]);
    assert.ok(order.lastIndexOf('stop') < order.indexOf('restore-data'));
    assert.ok(order.lastIndexOf('restore-data') < order.indexOf('start'));
    assert.match(plan.warnings.join('\n'), /cannot bump revisions .* watchers/);
  });

  test('etcd 3.5+: etcdutl with --bump-revision and --mark-compacted (golden)', () => {
    const plan = planEtcdRestore({ ...REQUEST, serverVersion: '3.5.17' });
    expectGolden('backup-restore-plan-etcd-3.5.txt', renderRestorePlan(plan));
    const restore = plan.steps.find((step) => step.id === 'restore-data:m1');
    assert.match(
      restore?.command ?? '',
      /^etcdutl snapshot restore .* --bump-revision 1000000000 --mark-compacted$/,
    );
    const declined = planEtcdRestore({ ...REQUEST, serverVersion: '3.5.17', bumpRevision: false });
    assert.doesNotMatch(JSON.stringify(declined.steps), /bump-revision/);
  });

  test('versions and quoting', () => {
    assert.equal(canBumpRevision('3.4.23'), false);
    assert.equal(canBumpRevision('3.5.0'), true);
    assert.equal(canBumpRevision('v3.6.1'), true);
    assert.equal(canBumpRevision(undefined), false);
    assert.equal(shellQuote('/var/lib/etcd/m1'), '/var/lib/etcd/m1');
    assert.equal(shellQuote("it's here"), `'it'\\''s here'`);
  });
});

describe('guardRestore', () => {
  const live = { cluster: 'prod', hasLeader: true, dataItems: 10 };
  const consent = { force: false, yes: false, interactive: false };

  test('an empty or leaderless cluster may be replaced', () => {
    assert.deepEqual(guardRestore({ cluster: 'prod', hasLeader: false }, consent), {
      allowed: true,
      reason: 'the cluster has no leader',
    });
    assert.equal(guardRestore({ ...live, dataItems: 0 }, consent).allowed, true);
  });

  test('a live cluster with data is refused (exit 4) without --force', () => {
    assert.throws(
      () => guardRestore(live, consent),
      (error: { code?: string; exitCode?: number }) =>
        error.code === 'RESTORE_TARGET_LIVE' && error.exitCode === 4,
    );
    assert.throws(
      () => guardRestore({ ...live, dataItems: undefined }, { ...consent, yes: true }),
      {
        code: 'RESTORE_TARGET_LIVE',
      },
    );
  });

  test('--force needs the typed name, or --yes only without a terminal', () => {
    assert.equal(guardRestore(live, { ...consent, force: true, typedName: 'prod' }).allowed, true);
    assert.throws(() => guardRestore(live, { ...consent, force: true, typedName: 'prd' }), {
      code: 'RESTORE_NOT_CONFIRMED',
    });
    assert.equal(guardRestore(live, { ...consent, force: true, yes: true }).allowed, true);
    assert.deepEqual(guardRestore(live, { force: true, yes: true, interactive: true }), {
      allowed: false,
      needsPrompt: true,
    });
    assert.throws(() => guardRestore(live, { ...consent, force: true }), {
      code: 'RESTORE_NOT_CONFIRMED',
    });
  });
});
