// A real standalone ZooKeeper 3.8 with only `ruok` whitelisted, ACLs on and a TLS client port: the whitelist error, the AdminServer fallback, TLS, digest auth.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { UsageError } from '../../core/errors.js';
import type { ClusterStatus } from '../../core/model.js';
import type { ClusterTarget, TlsOptions } from '../../core/ports.js';
import { allocatePorts } from '../../sandbox/ports.js';
import { connect } from '../../systems/zookeeper/adapter.js';
import { ZooKeeperDataClient } from '../../systems/zookeeper/client.js';
import { sendFourLetterWord } from '../../systems/zookeeper/four-letter-words.js';
import { createTlsFiles, type TlsFiles } from '../support/standalone-etcd.js';

const JARS = '/usr/share/java';
const BASE_JARS = ['zookeeper.jar', 'zookeeper-jute.jar', 'servlet-api.jar', 'slf4j-api.jar'];
/** The secure client port needs Netty (Debian's netty-all.jar is only a manifest of these). */
const NETTY_JARS = [
  'netty-buffer.jar',
  'netty-codec.jar',
  'netty-common.jar',
  'netty-handler.jar',
  'netty-resolver.jar',
  'netty-transport.jar',
  'netty-transport-native-unix-common.jar',
  'netty-transport-native-epoll.jar',
];

interface StandaloneZooKeeper {
  clientUrl: string;
  secureUrl: string;
  monitorUrl: string;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * One standalone server: 4lw.commands.whitelist=ruok (ZooKeeper always answers srvr on its
 * own), the AdminServer on, ACLs enforced (no skipACL, unlike the sandbox), and a
 * secureClientPort that requires a client certificate.
 */
async function startStandaloneZooKeeper(tls: TlsFiles): Promise<StandaloneZooKeeper> {
  const dir = await mkdtemp(join(tmpdir(), 'quorumctl-zk-standalone-'));
  const [clientPort, securePort, adminPort] = await allocatePorts(3);
  await mkdir(join(dir, 'data'));
  // ZooKeeper reads a PEM key store with the key and the certificate in one file.
  const keyStore = join(dir, 'server-keystore.pem');
  await writeFile(
    keyStore,
    (await readFile(tls.serverKey, 'utf8')) + (await readFile(tls.serverCert, 'utf8')),
  );
  const config = join(dir, 'zoo.cfg');
  await writeFile(
    config,
    [
      'tickTime=500',
      `dataDir=${join(dir, 'data')}`,
      `clientPort=${clientPort}`,
      'clientPortAddress=127.0.0.1',
      `secureClientPort=${securePort}`,
      '4lw.commands.whitelist=ruok',
      'admin.enableServer=true',
      'admin.serverAddress=127.0.0.1',
      `admin.serverPort=${adminPort}`,
      `ssl.keyStore.location=${keyStore}`,
      'ssl.keyStore.type=PEM',
      `ssl.trustStore.location=${tls.ca}`,
      'ssl.trustStore.type=PEM',
      'ssl.clientAuth=need',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'log4j.properties'),
    'log4j.rootLogger=INFO, CONSOLE\nlog4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender\nlog4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout\nlog4j.appender.CONSOLE.layout.ConversionPattern=%d %-5p %m%n\n',
  );
  const logFile = join(dir, 'zookeeper.log');
  const log = openSync(logFile, 'a');
  const classpath = [...BASE_JARS, 'slf4j-log4j12.jar', 'log4j-1.2.jar', ...NETTY_JARS].map((jar) =>
    join(JARS, jar),
  );
  const child: ChildProcess = spawn(
    'java',
    [
      '-Xms32m',
      '-Xmx128m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
      // Both ports through Netty: the secure port needs it.
      '-Dzookeeper.serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory',
      '-cp',
      classpath.join(':'),
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
    await rm(dir, { recursive: true, force: true });
  };
  const clientUrl = `tcp://127.0.0.1:${clientPort}`;
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const srvr = await sendFourLetterWord(clientUrl, 'srvr', { timeoutMs: 500 }).catch(() => '');
      if (srvr.includes('Mode: standalone')) break;
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(
          `standalone ZooKeeper did not serve within 20 s: ${(await readFile(logFile, 'utf8')).slice(-2000)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    clientUrl,
    secureUrl: `https://127.0.0.1:${securePort}`,
    monitorUrl: `http://127.0.0.1:${adminPort}/commands`,
    logFile,
    stop,
  };
}

function statusOf(target: Partial<ClusterTarget>, tls?: TlsOptions): Promise<ClusterStatus> {
  return connect(
    { name: 'standalone', kind: 'zookeeper', endpoints: [], ...target },
    { timeoutMs: 2000, ...(tls !== undefined && { tls }) },
  ).status();
}

const haveNetty = NETTY_JARS.every((jar) => existsSync(join(JARS, jar)));

describe(
  'a standalone ZooKeeper with four-letter words restricted',
  { timeout: 60_000, skip: haveNetty ? false : 'Netty jars missing (Debian libnetty-java)' },
  () => {
    let tlsFiles: TlsFiles;
    let tls: TlsOptions;
    let server: StandaloneZooKeeper;

    before(async () => {
      tlsFiles = await createTlsFiles();
      tls = {
        ca: await readFile(tlsFiles.ca, 'utf8'),
        cert: await readFile(tlsFiles.clientCert, 'utf8'),
        key: await readFile(tlsFiles.clientKey, 'utf8'),
      };
      server = await startStandaloneZooKeeper(tlsFiles);
    });
    after(async () => {
      await server?.stop();
      if (tlsFiles !== undefined) await rm(tlsFiles.dir, { recursive: true, force: true });
    });

    test('status without the AdminServer: a usage error naming the words to whitelist', async () => {
      // What the server really says, so the adapter is tested against its actual wording.
      assert.equal(
        (await sendFourLetterWord(server.clientUrl, 'mntr', { timeoutMs: 1000 })).trim(),
        'mntr is not executed because it is not in the whitelist.',
      );
      await assert.rejects(statusOf({ endpoints: [server.clientUrl] }), (error) => {
        assert.ok(error instanceof UsageError, String(error));
        assert.equal(error.code, 'FOUR_LETTER_WORDS_DISABLED');
        assert.match(error.message, /refused the four-letter words mntr, conf/);
        assert.ok(
          error.actions.some((action) => action.endsWith('4lw.commands.whitelist=srvr,mntr,conf')),
          error.actions.join('\n'),
        );
        assert.ok(
          error.actions.some((action) =>
            action.includes('-Dzookeeper.4lw.commands.whitelist=srvr,mntr,conf'),
          ),
        );
        return true;
      });
    });

    test('status with the AdminServer as monitor URL: the refused words read from its JSON', async () => {
      const status = await statusOf({
        endpoints: [server.clientUrl],
        monitorUrls: [server.monitorUrl],
      });
      assert.equal(status.members.length, 1);
      const [member] = status.members;
      assert.equal(member?.role, 'leader');
      assert.equal(member.name, 'server.0');
      assert.equal(member.error, undefined);
      assert.equal(member.version, '3.8.0');
      assert.ok((member.dbSizeBytes ?? 0) > 0, 'approximate data size from /commands/monitor');
      assert.equal(status.quorum.hasQuorum, true);
      assert.equal(status.leaderId, member.id);
    });

    test('TLS: status over the secure client port with client certificates', async () => {
      const status = await statusOf(
        { endpoints: [server.secureUrl], monitorUrls: [server.monitorUrl] },
        tls,
      );
      assert.equal(status.members[0]?.endpoint, server.secureUrl.replace('https://', 'tls://'));
      assert.equal(status.members[0]?.role, 'leader');
      assert.equal(status.members[0]?.reachable, true);
    });

    test('TLS refusals: no client certificate, an untrusted server certificate', async () => {
      await assert.rejects(
        statusOf({ endpoints: [server.secureUrl] }, { ca: tls.ca ?? '' }),
        (error: { code?: string; details?: { errors?: { code: string; message: string }[] } }) => {
          assert.equal(error.code, 'CLUSTER_UNREACHABLE');
          assert.match(error.details?.errors?.[0]?.message ?? '', /client certificate/);
          return true;
        },
      );
      await assert.rejects(
        statusOf({ endpoints: [server.secureUrl] }, { cert: tls.cert ?? '', key: tls.key ?? '' }),
        (error: { details?: { errors?: { code: string; message: string }[] } }) => {
          assert.match(error.details?.errors?.[0]?.message ?? '', /pass --cacert/);
          return true;
        },
      );
    });

    test('digest auth: a creator-only znode needs the right password (wrong one: NO_AUTH)', async () => {
      const owner = await ZooKeeperDataClient.connect([server.clientUrl], {
        timeoutMs: 3000,
        auth: { username: 'ops', password: 'right' },
      });
      try {
        await owner.create('/guarded', Buffer.from('s3cret'), 'creator');
        const own = await owner.getData('/guarded');
        assert.equal(own.data.toString(), 's3cret');
        assert.equal(own.acl[0]?.scheme, 'digest');
        assert.match(own.acl[0]?.id ?? '', /^ops:/);
      } finally {
        await owner.close();
      }
      for (const auth of [undefined, { username: 'ops', password: 'wrong' }]) {
        const stranger = await ZooKeeperDataClient.connect([server.clientUrl], {
          timeoutMs: 3000,
          ...(auth !== undefined && { auth }),
        });
        try {
          await assert.rejects(stranger.getData('/guarded'), (error: { code?: string }) => {
            assert.equal(error.code, 'NO_AUTH', auth === undefined ? 'no auth' : 'wrong password');
            return true;
          });
        } finally {
          await stranger.close();
        }
      }
      const again = await ZooKeeperDataClient.connect([server.clientUrl], {
        timeoutMs: 3000,
        auth: { username: 'ops', password: 'right' },
      });
      try {
        assert.equal((await again.getData('/guarded')).data.toString(), 's3cret');
      } finally {
        await again.close();
      }
    });
  },
);
