// Peer addresses accepted by the RTT probe, and file system names from statfs (ops/host).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { filesystemTypeName, isMemoryBacked } from '../../ops/host/filesystem.js';
import { parsePeer } from '../../ops/host/peer-rtt.js';

describe('parsePeer', () => {
  test('host:port, bracketed IPv6 and URLs with a port', () => {
    assert.deepEqual(parsePeer('10.0.0.2:2380'), { host: '10.0.0.2', port: 2380 });
    assert.deepEqual(parsePeer(' etcd-1.internal:2380 '), { host: 'etcd-1.internal', port: 2380 });
    assert.deepEqual(parsePeer('[fd00::2]:2888'), { host: 'fd00::2', port: 2888 });
    assert.deepEqual(parsePeer('https://10.0.0.2:2380'), { host: '10.0.0.2', port: 2380 });
    assert.deepEqual(parsePeer('nats://user@n2:6222/'), { host: 'n2', port: 6222 });
  });

  test('keeps a port equal to the scheme default, which URL would drop', () => {
    assert.deepEqual(parsePeer('http://peer:80'), { host: 'peer', port: 80 });
    assert.deepEqual(parsePeer('https://peer:443'), { host: 'peer', port: 443 });
  });

  test('refuses a missing or impossible port and junk', () => {
    for (const peer of ['10.0.0.2', 'host:', ':2380', 'host:0', 'host:65536', 'fd00::2:2380', ''])
      assert.equal(parsePeer(peer), undefined, peer);
  });
});

describe('filesystemTypeName and isMemoryBacked', () => {
  test('names the types an operator meets, hex otherwise', () => {
    assert.equal(filesystemTypeName(0xef53), 'ext4');
    assert.equal(filesystemTypeName(0x58465342), 'xfs');
    assert.equal(filesystemTypeName(0x01021994), 'tmpfs');
    assert.equal(filesystemTypeName(0x794c7630), 'overlay');
    assert.equal(filesystemTypeName(0x1234), '0x1234');
  });

  test('tmpfs and ramfs are memory, the rest is not', () => {
    assert.equal(isMemoryBacked('tmpfs'), true);
    assert.equal(isMemoryBacked('ramfs'), true);
    assert.equal(isMemoryBacked('ext4'), false);
    assert.equal(isMemoryBacked(undefined), false);
  });
});
