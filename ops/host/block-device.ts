/**
 * Which block device holds a path and whether it spins: device numbers from stat(),
 * /proc/self/mountinfo for file systems without one of their own (btrfs, overlay), and
 * `queue/rotational` of the whole disk in sysfs. Roots are parameters so tests use fake trees.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';

export interface DeviceNumber {
  major: number;
  minor: number;
}

/** Linux's dev_t layout (glibc's gnu_dev_major/minor), as Node reports `stat().dev`. */
export function splitDeviceNumber(dev: bigint): DeviceNumber {
  return {
    major: Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & 0xfffff000n)),
    minor: Number((dev & 0xffn) | ((dev >> 12n) & 0xffffff00n)),
  };
}

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  /** What was mounted: `/dev/sda2`, `overlay`, `tmpfs`... */
  source: string;
  device: DeviceNumber;
}

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_match, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
}

/**
 * Parses /proc/<pid>/mountinfo: `id parent major:minor root mountpoint options [optional
 * fields...] - fstype source superoptions`. Malformed lines are skipped.
 */
export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    const numbers = /^(\d+):(\d+)$/.exec(fields[2] ?? '');
    const mountPoint = fields[4];
    const fsType = fields[separator + 1];
    const source = fields[separator + 2];
    if (separator < 0 || numbers === null || !mountPoint || !fsType || source === undefined)
      continue;
    entries.push({
      mountPoint: unescapeMountField(mountPoint),
      fsType,
      source: unescapeMountField(source),
      device: { major: Number(numbers[1]), minor: Number(numbers[2]) },
    });
  }
  return entries;
}

/** The mount a (resolved, absolute) path lives on: the longest mount point above it, the last mounted. */
export function mountOf(entries: readonly MountEntry[], path: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const entry of entries) {
    const point = entry.mountPoint;
    const above =
      point === '/' || path === point || path.startsWith(point.endsWith(sep) ? point : point + sep);
    if (above && (best === undefined || point.length >= best.mountPoint.length)) best = entry;
  }
  return best;
}

export interface RotationalResult {
  rotational?: boolean;
  /** The whole disk whose queue was read, e.g. `sda`, `nvme0n1`, `dm-0`. */
  disk?: string;
  /** Why `rotational` is unknown. */
  reason?: string;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Reads `<sysRoot>/dev/block/MAJ:MIN` (a link into /sys/devices); a partition has a
 * `partition` file and its disk is the parent directory, which holds `queue/rotational`.
 */
export async function rotationalOf(
  sysRoot: string,
  device: DeviceNumber,
): Promise<RotationalResult> {
  const name = `${device.major}:${device.minor}`;
  if (device.major === 0)
    return {
      reason: `device ${name} is anonymous: the file system has no block device of its own`,
    };
  let deviceDir: string;
  try {
    deviceDir = await realpath(join(sysRoot, 'dev', 'block', name));
  } catch {
    return {
      reason: `no ${join(sysRoot, 'dev', 'block', name)} (sysfs not mounted, or not a block device)`,
    };
  }
  if (await exists(join(deviceDir, 'partition'))) deviceDir = dirname(deviceDir);
  const disk = basename(deviceDir);
  try {
    const flag = (await readFile(join(deviceDir, 'queue', 'rotational'), 'utf8')).trim();
    if (flag === '1') return { rotational: true, disk };
    if (flag === '0') return { rotational: false, disk };
    return { disk, reason: `unexpected queue/rotational value "${flag}" for ${disk}` };
  } catch {
    return { disk, reason: `${disk} has no queue/rotational in sysfs` };
  }
}

export interface BlockDeviceFacts extends RotationalResult {
  /** File system type from mountinfo, e.g. `ext4`, `overlay`. */
  fsType?: string;
  mountPoint?: string;
  source?: string;
}

export interface BlockDeviceRoots {
  sysRoot?: string;
  mountinfoPath?: string;
}

/**
 * The rotational flag of the disk under `path` (which must exist). When the path's own
 * device number is anonymous (btrfs subvolumes, overlay), the mount's source device is
 * tried instead, which works for btrfs and not for overlay or tmpfs.
 */
export async function blockDeviceOf(
  path: string,
  roots: BlockDeviceRoots = {},
): Promise<BlockDeviceFacts> {
  const sysRoot = roots.sysRoot ?? '/sys';
  const resolved = await realpath(path);
  const own = splitDeviceNumber((await stat(resolved, { bigint: true })).dev);
  const mount = await readFile(roots.mountinfoPath ?? '/proc/self/mountinfo', 'utf8').then(
    (text) => mountOf(parseMountinfo(text), resolved),
    () => undefined,
  );
  const described = mount
    ? { fsType: mount.fsType, mountPoint: mount.mountPoint, source: mount.source }
    : {};
  let result = await rotationalOf(sysRoot, own);
  if (result.rotational === undefined && own.major === 0 && mount?.source.startsWith('/dev/')) {
    const sourceDevice = await stat(mount.source, { bigint: true }).then(
      (source) => (source.isBlockDevice() ? splitDeviceNumber(source.rdev) : undefined),
      () => undefined,
    );
    if (sourceDevice) result = await rotationalOf(sysRoot, sourceDevice);
  }
  if (result.rotational === undefined && mount && own.major === 0)
    result = {
      ...result,
      reason: `${mount.fsType} file system (source "${mount.source}") has no block device of its own`,
    };
  return { ...described, ...result };
}
