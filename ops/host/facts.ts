/**
 * Facts of this host for `preflight --host`: the data directory's file system (fsync
 * latency, spinning disk, space, type), its permissions, memory, swap, CPUs and the RTT to
 * peers. A fact that cannot be known is left undefined with a note saying why.
 */
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { describeCause } from '../../core/errors.js';
import type { HostFacts } from '../../core/preflight/facts.js';
import { blockDeviceOf } from './block-device.js';
import { isFioInstalled, runFioProbe } from './fio.js';
import { filesystemSpace, isMemoryBacked, nearestExistingDirectory } from './filesystem.js';
import { runFsyncProbe, type FsyncBudget, type FsyncMeasurement } from './fsync-probe.js';
import { readMemoryFacts } from './meminfo.js';
import { measurePeerRtts, type PeerRttOptions } from './peer-rtt.js';

export type FsyncProbeChoice = 'fio' | 'builtin' | 'auto' | 'off';

export interface GatherHostFactsOptions {
  dataDir: string;
  /** `host:port` or URLs of the other members, for the RTT. */
  peers?: string[];
  /** `auto` (default): fio when installed, otherwise the built-in probe. */
  fsync?: FsyncProbeChoice;
  fsyncBudget?: FsyncBudget;
  rtt?: Omit<PeerRttOptions, 'signal'>;
  signal?: AbortSignal;
  /** Test seams: a fake /sys and /proc, another fio. */
  sysRoot?: string;
  procRoot?: string;
  fioPath?: string;
}

/** HostFacts plus what the probes learnt on the way (proposed for core's HostFacts). */
/** HostFacts, with the fields the probes always know and the full fsync measurement. */
export interface GatheredHostFacts extends HostFacts {
  dataDirExists: boolean;
  notes: string[];
  /** The full fsync measurement behind `fsyncP99Ms`. */
  fsync?: FsyncMeasurement;
}

async function measureFsync(
  choice: FsyncProbeChoice,
  directory: string,
  options: GatherHostFactsOptions,
  notes: string[],
): Promise<FsyncMeasurement | undefined> {
  if (choice === 'off') return undefined;
  const probeOptions = {
    directory,
    ...(options.fsyncBudget === undefined ? {} : { budget: options.fsyncBudget }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  // An abort is the caller's decision, not an unavailable fact.
  const rethrowAbort = (): void => {
    if (options.signal?.aborted) throw options.signal.reason;
  };
  if (choice !== 'builtin') {
    const fioPath = options.fioPath ?? 'fio';
    if (await isFioInstalled(fioPath)) {
      try {
        return await runFioProbe({ ...probeOptions, fioPath });
      } catch (error) {
        rethrowAbort();
        notes.push(
          `fio failed (${describeCause(error)})${choice === 'auto' ? '; measured with the built-in probe' : ''}`,
        );
      }
    } else if (choice === 'fio') {
      notes.push('fio is not installed (apt-get install fio): fsync latency not measured');
    }
    if (choice === 'fio') return undefined;
  }
  try {
    return await runFsyncProbe(probeOptions);
  } catch (error) {
    rethrowAbort();
    notes.push(`the fsync probe could not write in ${directory}: ${describeCause(error)}`);
    return undefined;
  }
}

/**
 * Gathers the facts; never throws for an unavailable fact (see `notes`). Rejects only with
 * the signal's reason when aborted. The fsync probe runs last and alone, so connects and
 * reads do not share the disk or the event loop with it.
 */
export async function gatherHostFacts(options: GatherHostFactsOptions): Promise<GatheredHostFacts> {
  const { signal } = options;
  signal?.throwIfAborted();
  const notes: string[] = [];
  const note =
    (what: string) =>
    (error: unknown): undefined => {
      notes.push(`${what}: ${describeCause(error)}`);
      return undefined;
    };
  const directory = await nearestExistingDirectory(options.dataDir);
  if (!directory.exists)
    notes.push(
      `${directory.requested} does not exist (or is not a directory): probed its nearest existing parent ${directory.probed}`,
    );
  const [space, device, memory, peerRtts] = await Promise.all([
    filesystemSpace(directory.probed).catch(note('free space unknown')),
    blockDeviceOf(directory.probed, {
      ...(options.sysRoot === undefined ? {} : { sysRoot: options.sysRoot }),
      ...(options.procRoot === undefined
        ? {}
        : { mountinfoPath: join(options.procRoot, 'self', 'mountinfo') }),
    }).catch(note('block device unknown')),
    readMemoryFacts(join(options.procRoot ?? '/proc', 'meminfo')),
    options.peers?.length
      ? measurePeerRtts(options.peers, { ...options.rtt, ...(signal ? { signal } : {}) })
      : undefined,
  ]);
  signal?.throwIfAborted();
  const filesystemType = device?.fsType ?? space?.filesystemType;
  if (device?.rotational === undefined && device?.reason !== undefined)
    notes.push(`rotational unknown: ${device.reason}`);
  if (device?.rotational === true && /^(vd|xvd)/.test(device.disk ?? ''))
    notes.push(
      `${device.disk} is a virtual disk: hypervisors often report it as rotational whatever the storage behind it; trust the fsync latency`,
    );
  if (memory.memoryTotalBytes === undefined)
    notes.push('memory and swap unknown: no /proc/meminfo');
  if (filesystemType === 'overlay')
    notes.push(
      'overlay file system (a container layer): give the data directory a volume of its own; fsync goes through overlay to an unknown disk',
    );
  let choice = options.fsync ?? 'auto';
  if (
    choice !== 'off' &&
    (isMemoryBacked(filesystemType) || isMemoryBacked(space?.filesystemType))
  ) {
    notes.push(
      `${filesystemType} keeps files in memory: fsync returns at once and nothing survives a reboot; fsync latency not measured`,
    );
    choice = 'off';
  }
  const fsync = await measureFsync(choice, directory.probed, options, notes);
  return {
    hostname: hostname(),
    dataDir: directory.probed,
    dataDirExists: directory.exists,
    ...(fsync === undefined
      ? {}
      : { fsyncP99Ms: fsync.datasync.p99Ms, fsyncProbe: fsync.probe, fsync }),
    ...(device?.rotational === undefined ? {} : { rotational: device.rotational }),
    ...(device?.disk === undefined ? {} : { disk: device.disk }),
    ...(space === undefined ? {} : { freeBytes: space.freeBytes, totalBytes: space.totalBytes }),
    ...(filesystemType === undefined ? {} : { filesystemType }),
    ...(directory.mode === undefined ? {} : { dataDirMode: directory.mode }),
    ...memory,
    cpuCount: availableParallelism(),
    ...(peerRtts === undefined ? {} : { peerRtts }),
    notes,
  };
}
