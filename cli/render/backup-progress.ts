/**
 * `backup create` as steps for a ProgressSink: snapshot (bytes, rate, ETA), commit (fsync,
 * rename, manifest), verify (the stored data re-read) and prune. createBackup reports bytes
 * only, so the commit boundary is observed by wrapping the storage port it writes through.
 */
import type { BackupManifest } from '../../core/backup/manifest.js';
import type { BackupStorage, BackupWriter } from '../../core/backup/storage.js';
import { InterruptedError, isQuorumctlError } from '../../core/errors.js';
import type { ProgressSink, StepState } from '../../core/progress.js';
import type { BackupProgress } from '../../ops/backup.js';
import { formatBytes } from './table.js';

export type BackupStep = 'snapshot' | 'commit' | 'verify' | 'prune';

export interface BackupStepPlan {
  cluster: string;
  destination: string;
  verify: boolean;
  prune?: string;
}

/** "12 MiB / 96 MiB (12%)  48 MiB/s  ETA 2 s": what the snapshot row shows while it runs. */
export function snapshotDetail(progress: BackupProgress): string {
  const seconds = progress.elapsedMs / 1000;
  const rate = seconds > 0 ? progress.bytesWritten / seconds : 0;
  const total = progress.totalBytes;
  const parts = [
    total === undefined
      ? formatBytes(progress.bytesWritten)
      : `${formatBytes(progress.bytesWritten)} / ${formatBytes(total)} (${Math.min(100, Math.floor((progress.bytesWritten / Math.max(total, 1)) * 100))}%)`,
    `${formatBytes(Math.round(rate))}/s`,
  ];
  if (total !== undefined && rate > 0) {
    const etaSeconds = Math.max(0, (total - progress.bytesWritten) / rate);
    parts.push(`ETA ${etaSeconds < 1 ? '<1' : Math.round(etaSeconds)} s`);
  }
  return parts.join('  ');
}

export interface BackupStepReporter {
  /** Pass to createBackup as onProgress. */
  onProgress: (progress: BackupProgress) => void;
  /** Pass to createBackup instead of the storage: reports the commit boundary. */
  observe: (storage: BackupStorage) => BackupStorage;
  step: (step: BackupStep, state: StepState, detail?: string) => void;
  /** Marks the step in hand failed with a short reason (interrupted, or the error's message). */
  fail: (cause: unknown) => void;
}

export function backupStepReporter(sink: ProgressSink, plan: BackupStepPlan): BackupStepReporter {
  const labels: Record<BackupStep, string> = {
    snapshot: `snapshot of ${plan.cluster}`,
    commit: `commit to ${plan.destination}`,
    verify: 'verify the stored copy',
    prune: `prune with ${plan.prune ?? 'no policy'}`,
  };
  const states = new Map<BackupStep, StepState>();
  let lastProgress: BackupProgress | undefined;
  const step = (name: BackupStep, state: StepState, detail?: string) => {
    states.set(name, state);
    sink.report({
      step: name,
      label: labels[name],
      state,
      ...(detail !== undefined && { detail }),
    });
  };
  step('snapshot', 'running');
  step('commit', 'pending');
  if (plan.verify) step('verify', 'pending');
  if (plan.prune !== undefined) step('prune', 'pending');

  const snapshotDone = () => {
    if (states.get('snapshot') !== 'running') return;
    const bytes = lastProgress?.bytesWritten ?? 0;
    const seconds = (lastProgress?.elapsedMs ?? 0) / 1000;
    step(
      'snapshot',
      'done',
      seconds > 0
        ? `${formatBytes(bytes)} at ${formatBytes(Math.round(bytes / seconds))}/s`
        : formatBytes(bytes),
    );
    step('commit', 'running');
  };

  return {
    onProgress(progress) {
      lastProgress = progress;
      if (states.get('snapshot') === 'running')
        step('snapshot', 'running', snapshotDetail(progress));
    },
    observe(storage) {
      let manifestWritten = false;
      return {
        ...bindAll(storage),
        async begin(name, dataFile) {
          const writer = await storage.begin(name, dataFile);
          return observeWriter(writer, snapshotDone);
        },
        async writeManifest(manifest: BackupManifest) {
          await storage.writeManifest(manifest);
          if (manifestWritten) return;
          manifestWritten = true;
          step('commit', 'done', `${manifest.name}.manifest.json`);
        },
      };
    },
    step,
    fail(cause) {
      const running = [...states].find(([, state]) => state === 'running')?.[0];
      if (running === undefined) return;
      const detail =
        cause instanceof InterruptedError
          ? 'interrupted: nothing kept'
          : isQuorumctlError(cause)
            ? cause.code
            : cause instanceof Error
              ? cause.message
              : String(cause);
      step(running, 'failed', detail);
    },
  };
}

function observeWriter(writer: BackupWriter, beforeCommit: () => void): BackupWriter {
  return {
    write: (chunk) => writer.write(chunk),
    commit: () => {
      beforeCommit();
      return writer.commit();
    },
    abort: () => writer.abort(),
  };
}

/** The storage's own methods, bound, so the wrapper may be spread without losing `this`. */
function bindAll(storage: BackupStorage): BackupStorage {
  return {
    location: storage.location,
    begin: storage.begin.bind(storage),
    writeManifest: storage.writeManifest.bind(storage),
    list: storage.list.bind(storage),
    readData: storage.readData.bind(storage),
    remove: storage.remove.bind(storage),
    ...(storage.localPath !== undefined && { localPath: storage.localPath.bind(storage) }),
    ...(storage.removeIncomplete !== undefined && {
      removeIncomplete: storage.removeIncomplete.bind(storage),
    }),
  };
}
