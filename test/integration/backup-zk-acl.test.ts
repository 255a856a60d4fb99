// ZooKeeper dumps and restores where ACLs are enforced (two standalone 3.8 servers; the sandbox runs with skipACL): locked-down znodes back up only with credentials and restore exactly without them.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BACKUP_FORMATS, type BackupManifest } from '../../core/backup/manifest.js';
import type { BackupSink } from '../../core/backup/producer.js';
import type { DumpAcl } from '../../core/backup/zookeeper-dump.js';
import type { ClusterTarget } from '../../core/ports.js';
import { allocatePorts } from '../../sandbox/ports.js';
import { backupSupport } from '../../systems/zookeeper/backup.js';
import { ZooKeeperDataClient } from '../../systems/zookeeper/client.js';
import { sendFourLetterWord } from '../../systems/zookeeper/four-letter-words.js';
import { readTreeDigest } from '../../systems/zookeeper/restore.js';
import {
  digestAclId,
  ZooKeeperRestoreSession,
  type DigestIdentity,
} from '../../systems/zookeeper/restore-session.js';

const JARS = '/usr/share/java';
const CLASSPATH = [
  'zookeeper.jar',
  'zookeeper-jute.jar',
  'slf4j-api.jar',
  'slf4j-log4j12.jar',
  'log4j-1.2.jar',
].map((jar) => join(JARS, jar));
const ALICE: DigestIdentity = { username: 'alice', password: 'alice-secret' };
const ALL: DumpAcl['permissions'] = ['READ', 'WRITE', 'CREATE', 'DELETE', 'ADMIN'];
const OPEN: DumpAcl[] = [{ scheme: 'world', id: 'anyone', permissions: ALL }];
const ALICE_ONLY: DumpAcl[] = [{ scheme: 'digest', id: digestAclId(ALICE), permissions: ALL }];
const EVERYONE_READS: DumpAcl[] = [{ scheme: 'world', id: 'anyone', permissions: ['READ'] }];

interface Standalone {
  clientUrl: string;
  stop(): Promise<void>;
}

/** One standalone server with ACLs enforced (no skipACL) and the words status needs. */
async function startStandalone(dir: string): Promise<Standalone> {
  const [clientPort] = await allocatePorts(1);
  await mkdir(join(dir, 'data'), { recursive: true });
  const config = join(dir, 'zoo.cfg');
  await writeFile(
    config,
    [
      'tickTime=500',
      `dataDir=${join(dir, 'data')}`,
      `clientPort=${clientPort}`,
      'clientPortAddress=127.0.0.1',
      '4lw.commands.whitelist=srvr,mntr,conf',
      'admin.enableServer=false',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'log4j.properties'),
    'log4j.rootLogger=INFO, CONSOLE\nlog4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender\nlog4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout\nlog4j.appender.CONSOLE.layout.ConversionPattern=%d %-5p %m%n\n',
  );
  const logFile = join(dir, 'zookeeper.log');
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    'java',
    [
      '-Xms32m',
      '-Xmx128m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
      '-cp',
      CLASSPATH.join(':'),
      'org.apache.zookeeper.server.quorum.QuorumPeerMain',
      config,
    ],
    { stdio: ['ignore', log, log] },
  );
  closeSync(log);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  };
  const clientUrl = `tcp://127.0.0.1:${clientPort}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const srvr = await sendFourLetterWord(clientUrl, 'srvr', { timeoutMs: 500 }).catch(() => '');
    if (srvr.includes('Mode: standalone')) return { clientUrl, stop };
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(
        `standalone ZooKeeper did not serve: ${(await readFile(logFile, 'utf8')).slice(-1500)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function targetOf(server: Standalone, name: string): ClusterTarget {
  return { name, kind: 'zookeeper', endpoints: [server.clientUrl] };
}

function memorySink(): BackupSink & { bytes(): Buffer } {
  const chunks: Buffer[] = [];
  return {
    write(chunk) {
      chunks.push(Buffer.from(chunk));
      return Promise.resolve();
    },
    expectTotalBytes: () => undefined,
    bytes: () => Buffer.concat(chunks),
  };
}

describe('ZooKeeper backup and restore with ACLs enforced', { timeout: 60_000 }, () => {
  let dir: string;
  let source: Standalone | undefined;
  let target: Standalone | undefined;
  let manifest: BackupManifest;
  let dataPath: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quorumctl-it-backup-zk-acl-'));
    dataPath = join(dir, 'backup.jsonl');
    [source, target] = await Promise.all([
      startStandalone(join(dir, 'source')),
      startStandalone(join(dir, 'target')),
    ]);
    const session = await ZooKeeperRestoreSession.connect({
      endpoint: source.clientUrl,
      identities: [ALICE],
      timeoutMs: 10_000,
    });
    try {
      await session.create('/acl', Buffer.from('parent'), [...EVERYONE_READS, ...ALICE_ONLY]);
      await session.create('/acl/open', Buffer.from('open'), OPEN);
      await session.create('/acl/secret', Buffer.from('s3cr3t'), ALICE_ONLY);
      await session.create('/acl/secret/child', Buffer.from('deeper'), ALICE_ONLY);
      await session.create('/acl/local', Buffer.from('ip'), [
        { scheme: 'ip', id: '127.0.0.1', permissions: ALL },
      ]);
      // Children first, then an ACL that lets nobody create or administer: restorable only with help.
      await session.create('/acl/frozen', Buffer.from('frozen'), OPEN);
      await session.create('/acl/frozen/kept', Buffer.from('kept'), OPEN);
      await session.setAcl('/acl/frozen', EVERYONE_READS);
    } finally {
      await session.close();
    }
  });

  after(async () => {
    await source?.stop();
    await target?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('without credentials the dump is refused: it would miss what the ACLs hide', async () => {
    assert.ok(source);
    const producer = backupSupport.openProducer(targetOf(source, 'src'), { timeoutMs: 10_000 });
    await assert.rejects(
      producer.produce({}, memorySink()),
      (error: Error & { code?: string }) => error.code === 'BACKUP_READ_DENIED',
    );
  });

  test("with alice's credentials the whole tree is dumped, from the standalone server", async () => {
    assert.ok(source);
    const sink = memorySink();
    const producer = backupSupport.openProducer(targetOf(source, 'src'), {
      timeoutMs: 10_000,
      auth: ALICE,
    });
    const produced = await producer.produce({}, sink);
    await writeFile(dataPath, sink.bytes());
    assert.equal(produced.fingerprint?.znodes, 8);
    assert.ok(produced.notes?.some((note) => note.includes('leader')));
    manifest = {
      apiVersion: 'quorumctl/v1',
      kind: 'BackupManifest',
      name: 'src-acl',
      cluster: 'src',
      systemKind: 'zookeeper',
      format: BACKUP_FORMATS.zookeeper,
      member: produced.member,
      position: produced.position,
      dataFile: 'backup.jsonl',
      sizeBytes: sink.bytes().length,
      sha256: 'not-checked-here',
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      toolVersion: 'test',
      ...(produced.fingerprint !== undefined && { fingerprint: produced.fingerprint }),
    };
  });

  test('restored without any credentials, the ACLs come back exact and enforced', async () => {
    assert.ok(target);
    const result = await backupSupport.restoreInto?.({
      manifest,
      dataPath,
      target: targetOf(target, 'dst'),
      options: { timeoutMs: 10_000 },
    });
    assert.ok(result);
    assert.equal(result.fingerprint?.treeDigest, manifest.fingerprint?.treeDigest);

    // As alice, without the restore's one-time identity: the temporary grants are gone.
    const alice = await ZooKeeperDataClient.connect([target.clientUrl], {
      timeoutMs: 10_000,
      auth: ALICE,
    });
    try {
      assert.equal((await readTreeDigest(alice, '/')).treeDigest, manifest.fingerprint?.treeDigest);
      assert.deepEqual((await alice.getData('/acl/secret')).acl, [
        { scheme: 'digest', id: digestAclId(ALICE), permissions: ALL },
      ]);
      assert.deepEqual((await alice.getData('/acl/frozen')).acl, [
        { scheme: 'world', id: 'anyone', permissions: ['READ'] },
      ]);
      assert.equal((await alice.getData('/acl/frozen/kept')).data.toString(), 'kept');
    } finally {
      await alice.close();
    }
    const stranger = await ZooKeeperDataClient.connect([target.clientUrl], { timeoutMs: 10_000 });
    try {
      await assert.rejects(stranger.getData('/acl/secret'), { code: 'NO_AUTH' });
      assert.equal((await stranger.getData('/acl/open')).data.toString(), 'open');
    } finally {
      await stranger.close();
    }
  });
});
