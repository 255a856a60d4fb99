/**
 * Proves an etcd backup restorable: restore it into a temporary data dir, start one member on
 * free loopback ports, read HashKV and the key count at the snapshot's revision, stop it.
 * The restore time (snapshot restore plus start until /health) is the measured RTO.
 */
import { join } from 'node:path';
import type { RestoreTestInput, RestoreTestResult } from '../../core/backup/producer.js';
import { UsageError } from '../../core/errors.js';
import {
  freeLoopbackPorts,
  randomClusterToken,
  restoreDataDir,
  startRestoredMember,
} from './restore.js';
import { readFingerprint } from './snapshot-fingerprint.js';

const READY_TIMEOUT_MS = 60_000;
const READ_TIMEOUT_MS = 60_000;

export async function restoreTestEtcd(input: RestoreTestInput): Promise<RestoreTestResult> {
  const revision = Number(input.manifest.position.revision);
  if (!Number.isInteger(revision) || revision < 0) {
    throw new UsageError(
      'MANIFEST_INVALID',
      `backup ${input.manifest.name} records no snapshot revision: cannot compare a restore`,
    );
  }
  const name = 'restore-test';
  const [clientPort, peerPort] = await freeLoopbackPorts(2);
  const clientUrl = `http://127.0.0.1:${clientPort ?? 0}`;
  const peerUrl = `http://127.0.0.1:${peerPort ?? 0}`;
  const dataDir = join(input.workDir, 'data');
  const started = performance.now();
  await restoreDataDir({
    snapshotPath: input.dataPath,
    name,
    dataDir,
    initialCluster: `${name}=${peerUrl}`,
    peerUrl,
    clusterToken: randomClusterToken('quorumctl-restore-test'),
    ...(input.signal !== undefined && { signal: input.signal }),
  });
  const member = await startRestoredMember({
    name,
    dataDir,
    clientUrl,
    peerUrl,
    logFile: join(input.workDir, 'etcd.log'),
    readyTimeoutMs: READY_TIMEOUT_MS,
    ...(input.signal !== undefined && { signal: input.signal }),
  });
  try {
    const restoreMs = Math.round(performance.now() - started);
    const call = {
      timeoutMs: READ_TIMEOUT_MS,
      ...(input.signal !== undefined && { signal: input.signal }),
    };
    return { restoreMs, fingerprint: await readFingerprint(clientUrl, revision, call) };
  } finally {
    await member.stop();
  }
}
