// Block device lookup of ops/host/block-device: dev_t layout, mountinfo, and sysfs walks on a fake /sys.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  blockDeviceOf,
  mountOf,
  parseMountinfo,
  rotationalOf,
  splitDeviceNumber,
} from '../../ops/host/block-device.js';

/** glibc's makedev, written the other way round from the code under test. */
function makedev(major: number, minor: number): bigint {
  const [M, m] = [BigInt(major), BigInt(minor)];
  return ((M & 0xfffn) << 8n) | ((M >> 12n) << 44n) | (m & 0xffn) | ((m >> 8n) << 20n);
}

describe('splitDeviceNumber', () => {
  test('small, large minor and large major numbers', () => {
    assert.deepEqual(splitDeviceNumber(65024n), { major: 254, minor: 0 });
    for (const [major, minor] of [
      [8, 1],
      [259, 300],
      [4100, 70000],
      [0, 45],
    ] as const)
      assert.deepEqual(splitDeviceNumber(makedev(major, minor)), { major, minor });
  });
});

const MOUNTINFO = [
  '27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard',
  '30 27 0:27 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683652k',
  '41 27 8:17 / /var/lib rw,relatime shared:5 master:2 - xfs /dev/sdb1 rw',
  '42 41 0:45 /@etcd /var/lib/etcd\\040data rw,relatime - btrfs /dev/sdc2 rw,subvol=/@etcd',
  '43 27 0:50 / /var rw - overlay overlay rw,lowerdir=/a',
  'not a mountinfo line',
  '',
].join('\n');

describe('parseMountinfo and mountOf', () => {
  const entries = parseMountinfo(MOUNTINFO);

  test('reads mount point, type, source and device, with optional fields and escapes', () => {
    assert.equal(entries.length, 5);
    assert.deepEqual(entries[2], {
      mountPoint: '/var/lib',
      fsType: 'xfs',
      source: '/dev/sdb1',
      device: { major: 8, minor: 17 },
    });
    assert.equal(entries[3]?.mountPoint, '/var/lib/etcd data');
    assert.equal(entries[3]?.fsType, 'btrfs');
  });

  test('the longest mount point above the path wins, and the later of two on one point', () => {
    assert.equal(mountOf(entries, '/var/lib/etcd data/member')?.source, '/dev/sdc2');
    assert.equal(mountOf(entries, '/var/lib/etcd')?.source, '/dev/sdb1');
    assert.equal(mountOf(entries, '/var/lib')?.source, '/dev/sdb1');
    assert.equal(mountOf(entries, '/varnish')?.source, '/dev/vda');
    assert.equal(mountOf(entries, '/var/log')?.fsType, 'overlay');
    assert.equal(mountOf(entries, '/dev/shm/x')?.fsType, 'tmpfs');
    assert.equal(mountOf([], '/'), undefined);
  });
});

describe('rotationalOf and blockDeviceOf on a fake sysfs', () => {
  let root: string;
  let sys: string;
  const realDevice = splitDeviceNumber(statSync(tmpdir(), { bigint: true }).dev);

  async function disk(path: string, rotational?: string): Promise<void> {
    await mkdir(join(sys, path, 'queue'), { recursive: true });
    if (rotational !== undefined)
      await writeFile(join(sys, path, 'queue', 'rotational'), `${rotational}\n`);
  }
  async function partition(path: string): Promise<void> {
    await mkdir(join(sys, path), { recursive: true });
    await writeFile(join(sys, path, 'partition'), '1\n');
  }
  async function link(numbers: string, target: string): Promise<void> {
    const from = join(sys, 'dev', 'block', numbers);
    await mkdir(dirname(from), { recursive: true });
    await symlink(relative(dirname(from), join(sys, target)), from);
  }

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'quorumctl-fake-sys-'));
    sys = join(root, 'sys');
    const sda = 'devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda';
    const nvme = 'devices/pci0000:00/0000:00:1d.0/nvme/nvme0/nvme0n1';
    await disk(sda, '1');
    await partition(`${sda}/sda1`);
    await disk(nvme, '0');
    await partition(`${nvme}/nvme0n1p2`);
    await disk('devices/virtual/block/dm-0', '0');
    await disk('devices/virtual/block/loop0');
    await disk('devices/virtual/block/odd0', 'yes');
    await link('8:0', sda);
    await link('8:1', `${sda}/sda1`);
    await link('259:2', `${nvme}/nvme0n1p2`);
    await link('253:0', 'devices/virtual/block/dm-0');
    await link('7:0', 'devices/virtual/block/loop0');
    await link('7:9', 'devices/virtual/block/odd0');
    // The disk this test's temporary directory really lives on, as a partition of a spinning disk.
    await disk('devices/virtual/block/real', '1');
    await partition('devices/virtual/block/real/real1');
    await link(`${realDevice.major}:${realDevice.minor}`, 'devices/virtual/block/real/real1');
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('a whole disk and a partition of it read the disk queue', async () => {
    assert.deepEqual(await rotationalOf(sys, { major: 8, minor: 0 }), {
      rotational: true,
      disk: 'sda',
    });
    assert.deepEqual(await rotationalOf(sys, { major: 8, minor: 1 }), {
      rotational: true,
      disk: 'sda',
    });
  });

  test('an NVMe partition and a device-mapper volume are not rotational', async () => {
    assert.deepEqual(await rotationalOf(sys, { major: 259, minor: 2 }), {
      rotational: false,
      disk: 'nvme0n1',
    });
    assert.deepEqual(await rotationalOf(sys, { major: 253, minor: 0 }), {
      rotational: false,
      disk: 'dm-0',
    });
  });

  test('unknown, with a reason: anonymous devices, missing entries, missing or odd flags', async () => {
    const anonymous = await rotationalOf(sys, { major: 0, minor: 45 });
    assert.equal(anonymous.rotational, undefined);
    assert.match(anonymous.reason ?? '', /anonymous/);
    const missing = await rotationalOf(sys, { major: 8, minor: 99 });
    assert.equal(missing.rotational, undefined);
    assert.match(missing.reason ?? '', /8:99/);
    assert.match((await rotationalOf(sys, { major: 7, minor: 0 })).reason ?? '', /loop0 has no/);
    assert.match((await rotationalOf(sys, { major: 7, minor: 9 })).reason ?? '', /"yes"/);
    assert.match(
      (await rotationalOf(join(root, 'no-sysfs'), { major: 8, minor: 0 })).reason ?? '',
      /sysfs not mounted/,
    );
  });

  test('blockDeviceOf follows a real path to its device and names its mount', async () => {
    const mountinfo = join(root, 'mountinfo');
    await writeFile(
      mountinfo,
      `27 1 ${realDevice.major}:${realDevice.minor} / / rw - xfs /dev/real1 rw\n`,
    );
    assert.deepEqual(await blockDeviceOf(tmpdir(), { sysRoot: sys, mountinfoPath: mountinfo }), {
      fsType: 'xfs',
      mountPoint: '/',
      source: '/dev/real1',
      rotational: true,
      disk: 'real',
    });
  });

  test('an anonymous device falls back to the mount source (btrfs), else says why (tmpfs)', async (context) => {
    const shm = '/dev/shm';
    if (!existsSync(shm) || !existsSync('/dev/loop0')) {
      context.skip('needs /dev/shm and /dev/loop0');
      return;
    }
    const shmDevice = splitDeviceNumber(statSync(shm, { bigint: true }).dev);
    const numbers = `${shmDevice.major}:${shmDevice.minor}`;
    const asBtrfs = join(root, 'mountinfo-btrfs');
    await writeFile(asBtrfs, `30 27 ${numbers} / /dev/shm rw - btrfs /dev/loop0 rw\n`);
    const loop = await blockDeviceOf(shm, { sysRoot: sys, mountinfoPath: asBtrfs });
    assert.equal(loop.fsType, 'btrfs');
    assert.equal(loop.disk, 'loop0');
    const asTmpfs = join(root, 'mountinfo-tmpfs');
    await writeFile(asTmpfs, `30 27 ${numbers} / /dev/shm rw - tmpfs tmpfs rw\n`);
    const memory = await blockDeviceOf(shm, { sysRoot: sys, mountinfoPath: asTmpfs });
    assert.equal(memory.rotational, undefined);
    assert.match(memory.reason ?? '', /tmpfs file system \(source "tmpfs"\) has no block device/);
  });
});
