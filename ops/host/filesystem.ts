/** The data directory's file system: where to probe when it does not exist yet, space, type. */
import { stat, statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** statfs(2) f_type values of linux/magic.h that an operator may meet under a data dir. */
const FILESYSTEM_MAGIC: ReadonlyMap<number, string> = new Map([
  [0xef53, 'ext4'],
  [0x58465342, 'xfs'],
  [0x9123683e, 'btrfs'],
  [0x2fc12fc1, 'zfs'],
  [0xf2f52010, 'f2fs'],
  [0x01021994, 'tmpfs'],
  [0x858458f6, 'ramfs'],
  [0x794c7630, 'overlay'],
  [0x6969, 'nfs'],
  [0xff534d42, 'cifs'],
  [0xfe534d42, 'smb2'],
  [0x65735546, 'fuse'],
  [0x00c36400, 'ceph'],
  [0x73717368, 'squashfs'],
  [0x4d44, 'vfat'],
]);

/** A name for statfs's type number (`ext4` stands for ext2/3/4, which share it), else hex. */
export function filesystemTypeName(magic: number): string {
  return FILESYSTEM_MAGIC.get(magic) ?? `0x${magic.toString(16)}`;
}

/** File systems kept in memory: fsync returns at once and nothing survives a reboot. */
export function isMemoryBacked(filesystemType: string | undefined): boolean {
  return filesystemType === 'tmpfs' || filesystemType === 'ramfs';
}

export interface ProbedDirectory {
  /** The absolute path asked for. */
  requested: string;
  /** It, or its nearest existing parent directory. */
  probed: string;
  /** The requested path exists and is a directory. */
  exists: boolean;
  /** Permission bits of the requested directory when it exists. */
  mode?: number;
}

export async function nearestExistingDirectory(path: string): Promise<ProbedDirectory> {
  const requested = resolve(path);
  let candidate = requested;
  for (;;) {
    const found = await stat(candidate).catch(() => undefined);
    if (found?.isDirectory()) {
      return candidate === requested
        ? { requested, probed: candidate, exists: true, mode: found.mode & 0o777 }
        : { requested, probed: candidate, exists: false };
    }
    const parent = dirname(candidate);
    if (parent === candidate) return { requested, probed: candidate, exists: false };
    candidate = parent;
  }
}

export interface SpaceFacts {
  /** Space an unprivileged process (the consensus server) may still use. */
  freeBytes: number;
  totalBytes: number;
  filesystemType: string;
}

export async function filesystemSpace(path: string): Promise<SpaceFacts> {
  const info = await statfs(path);
  return {
    freeBytes: info.bavail * info.bsize,
    totalBytes: info.blocks * info.bsize,
    filesystemType: filesystemTypeName(info.type),
  };
}
