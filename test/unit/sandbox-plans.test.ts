// Sandbox server plans (pure): flags, config files and URLs each kind of server is started with.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { etcdKind } from '../../sandbox/etcd.js';
import { metaLeader, natsKind } from '../../sandbox/nats.js';
import type { MemberLaunch, MemberSlot, ServerKind } from '../../sandbox/server-kind.js';
import { zookeeperKind } from '../../sandbox/zookeeper.js';

/** Members n1..nN with ports 2I0, 2I1, ... so every port in a plan is predictable. */
function slots(server: ServerKind, count = 3): MemberSlot[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `n${index + 1}`,
    host: '127.0.0.1',
    ports: Object.fromEntries(
      server.portNames.map((portName, offset) => [portName, 21000 + (index + 1) * 10 + offset]),
    ),
    dataDir: `/state/sandboxes/s/data/n${index + 1}`,
    logFile: `/state/sandboxes/s/logs/n${index + 1}.log`,
  }));
}

function plan(server: ServerKind, sandbox = 's', count = 3): MemberLaunch[] {
  return server.plan({
    sandbox,
    confDir: '/state/sandboxes/s/conf',
    members: slots(server, count),
  });
}

function flag(launch: MemberLaunch, name: string): string | undefined {
  const index = launch.args.indexOf(name);
  return index === -1 ? undefined : launch.args[index + 1];
}

function file(launch: MemberLaunch, suffix: string): string {
  const found = launch.files.find((candidate) => candidate.path.endsWith(suffix));
  assert.ok(found, `${launch.name} writes a file ending in ${suffix}`);
  return found.content;
}

describe('etcd plan', () => {
  test('all members share one cluster token (different tokens make different clusters)', () => {
    const launches = plan(etcdKind, 's', 5);
    const tokens = new Set(launches.map((launch) => flag(launch, '--initial-cluster-token')));
    assert.equal(tokens.size, 1);
    assert.match([...tokens][0] ?? '', /^quorumctl-s-[0-9a-f]{8}$/);
  });

  test('a new plan gets a new token, even for the same sandbox name', () => {
    const first = flag(plan(etcdKind)[0]!, '--initial-cluster-token');
    const second = flag(plan(etcdKind)[0]!, '--initial-cluster-token');
    assert.notEqual(first, second);
  });

  test('loopback URLs, own data dir, a new cluster and the default 2 GiB quota', () => {
    const [n1] = plan(etcdKind);
    assert.ok(n1);
    assert.equal(n1.command, 'etcd');
    assert.equal(n1.clientUrl, 'http://127.0.0.1:21010');
    assert.equal(n1.monitorUrl, n1.clientUrl, 'the client port serves /metrics');
    assert.equal(flag(n1, '--listen-client-urls'), 'http://127.0.0.1:21010');
    assert.equal(flag(n1, '--listen-peer-urls'), 'http://127.0.0.1:21011');
    assert.equal(flag(n1, '--initial-advertise-peer-urls'), 'http://127.0.0.1:21011');
    assert.equal(flag(n1, '--data-dir'), '/state/sandboxes/s/data/n1');
    assert.equal(flag(n1, '--initial-cluster-state'), 'new');
    assert.equal(
      flag(n1, '--initial-cluster'),
      'n1=http://127.0.0.1:21011,n2=http://127.0.0.1:21021,n3=http://127.0.0.1:21031',
    );
    assert.ok(!n1.args.some((arg) => arg.startsWith('--quota-backend-bytes')));
    assert.deepEqual(n1.files, []);
  });

  test('pre-vote on for the first members and a joining one, as etcd 3.5+ defaults', () => {
    const [n1, n2, n3, n4] = slots(etcdKind, 4) as [MemberSlot, MemberSlot, MemberSlot, MemberSlot];
    const joining = etcdKind.planJoin?.({
      sandbox: 's',
      confDir: '/state/sandboxes/s/conf',
      members: [n1, n2, n3],
      joining: n4,
      role: 'voter',
    });
    assert.ok(joining);
    assert.equal(flag(joining, '--initial-cluster-state'), 'existing');
    for (const launch of [...plan(etcdKind), joining])
      assert.ok(
        launch.args.includes('--pre-vote=true'),
        `${launch.name}: ${launch.args.join(' ')}`,
      );
  });
});

describe('ZooKeeper plan', () => {
  const launches = plan(zookeeperKind);

  test('fast JVM flags, jars for logging and the AdminServer, QuorumPeerMain with its config', () => {
    const n2 = launches[1]!;
    assert.equal(n2.command, 'java');
    for (const jvmFlag of [
      '-Xms32m',
      '-Xmx128m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-Xss512k',
    ])
      assert.ok(n2.args.includes(jvmFlag), `has ${jvmFlag}`);
    const classpath = (flag(n2, '-cp') ?? '').split(':');
    for (const jar of ['zookeeper.jar', 'servlet-api.jar', 'slf4j-log4j12.jar', 'log4j-1.2.jar'])
      assert.ok(classpath.includes(`/usr/share/java/${jar}`), `classpath has ${jar}`);
    assert.deepEqual(n2.args.slice(-2), [
      'org.apache.zookeeper.server.quorum.QuorumPeerMain',
      '/state/sandboxes/s/conf/n2.cfg',
    ]);
    assert.ok(
      n2.args.includes('-Dlog4j.configuration=file:/state/sandboxes/s/conf/log4j.properties'),
    );
    assert.match(
      file(n2, 'log4j.properties'),
      /ConsoleAppender/,
      'logs to stdout, i.e. the member log',
    );
  });

  test('config: short tick, reconfig, 4lw, AdminServer on the admin port, dynamic membership file', () => {
    const n2 = launches[1]!;
    const config = file(n2, 'n2.cfg').split('\n');
    for (const line of [
      'tickTime=500',
      'reconfigEnabled=true',
      'standaloneEnabled=false',
      '4lw.commands.whitelist=*',
      'skipACL=yes',
      'admin.enableServer=true',
      'admin.serverAddress=127.0.0.1',
      'admin.serverPort=21023',
      'dataDir=/state/sandboxes/s/data/n2',
      'dynamicConfigFile=/state/sandboxes/s/conf/n2.cfg.dynamic',
    ])
      assert.ok(config.includes(line), `n2.cfg has ${line}`);
    assert.ok(
      !config.some((line) => line.startsWith('clientPort')),
      'client port only in the dynamic file',
    );
    assert.equal(file(n2, '/data/n2/myid'), '2\n');
    assert.equal(
      file(n2, 'n2.cfg.dynamic'),
      [
        'server.1=127.0.0.1:21011:21012:participant;127.0.0.1:21010',
        'server.2=127.0.0.1:21021:21022:participant;127.0.0.1:21020',
        'server.3=127.0.0.1:21031:21032:participant;127.0.0.1:21030',
        '',
      ].join('\n'),
    );
    assert.equal(n2.clientUrl, 'tcp://127.0.0.1:21020');
    assert.equal(n2.monitorUrl, 'http://127.0.0.1:21023/commands');
  });
});

describe('NATS plan', () => {
  test('JetStream in the member data dir, routes to every server, monitoring port', () => {
    const launches = plan(natsKind, 'js');
    const n3 = launches[2]!;
    assert.deepEqual(n3.args, ['-c', '/state/sandboxes/s/conf/n3.conf']);
    const config = file(n3, 'n3.conf');
    assert.match(config, /^server_name: n3$/m);
    assert.match(config, /^listen: 127\.0\.0\.1:21030$/m);
    assert.match(config, /^http: 127\.0\.0\.1:21032$/m);
    assert.match(config, /^jetstream \{ store_dir: "\/state\/sandboxes\/s\/data\/n3" \}$/m);
    assert.match(
      config,
      /cluster \{ name: "js", listen: 127\.0\.0\.1:21031, routes: \[nats-route:\/\/127\.0\.0\.1:21011, nats-route:\/\/127\.0\.0\.1:21021, nats-route:\/\/127\.0\.0\.1:21031\] \}/,
    );
    assert.equal(n3.clientUrl, 'nats://127.0.0.1:21030');
    assert.equal(n3.monitorUrl, 'http://127.0.0.1:21032');
  });

  test('an all-digit sandbox name is quoted (nats-server rejects it as a number otherwise)', () => {
    assert.match(file(plan(natsKind, '123')[0]!, '.conf'), /cluster \{ name: "123",/);
  });

  test('the meta leader is read from /jsz only when it is named', () => {
    assert.equal(metaLeader({ meta_cluster: { leader: 'n2', cluster_size: 3 } }), 'n2');
    assert.equal(metaLeader({ meta_cluster: { leader: '' } }), undefined);
    assert.equal(metaLeader({ meta_cluster: {} }), undefined);
    assert.equal(metaLeader({ server_id: 'x' }), undefined);
    assert.equal(metaLeader(undefined), undefined);
  });
});
