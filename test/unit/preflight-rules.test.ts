// Every preflight rule fires on a configuration that breaks it and stays silent on one that does not.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { catalogProblems, type Finding } from '../../core/findings.js';
import type { SystemKind } from '../../core/model.js';
import type {
  ConfigFormat,
  HostFacts,
  PlannedConfig,
  PreflightFacts,
} from '../../core/preflight/facts.js';
import { buildPreflightReport } from '../../core/preflight/report.js';
import { REFERENCE } from '../../core/preflight/rules/common.js';
import { PREFLIGHT_RULES, preflightRuleInfo } from '../../core/preflight/rules/index.js';
import { REPO_ROOT } from '../support/cli.js';

const FORMATS: Record<string, ConfigFormat> = {
  etcd: 'etcd-flags',
  zookeeper: 'zoo.cfg',
  kraft: 'server.properties',
  nats: 'nats-conf',
};

/** A configuration whose settings sit on lines 1, 2, 3... of `file`. */
function config(
  kind: SystemKind,
  settings: Record<string, string>,
  file = `${kind}.conf`,
  member?: string,
): PlannedConfig {
  return {
    kind,
    format: FORMATS[kind] ?? 'etcd-flags',
    file,
    ...(member !== undefined && { member }),
    settings: Object.entries(settings).map(([key, value], index) => ({
      key,
      value,
      location: { file, line: index + 1, column: 1 },
    })),
  };
}

const HOST: HostFacts = {
  hostname: 'db1',
  dataDir: '/var/lib/etcd',
  fsyncP99Ms: 2,
  fsyncProbe: 'builtin',
  rotational: false,
  freeBytes: 100 * 1024 ** 3,
  totalBytes: 200 * 1024 ** 3,
  dataDirMode: 0o700,
  swapTotalBytes: 0,
  peerRtts: [{ peer: '10.0.0.2:2380', rttMs: 0.5 }],
};

const TLS_ETCD = {
  name: 'infra0',
  'initial-cluster': 'a=https://h1:2380,b=https://h2:2380,c=https://h3:2380',
  'listen-client-urls': 'https://h1:2379',
  'listen-peer-urls': 'https://h1:2380',
  'cert-file': 'server.crt',
  'key-file': 'server.key',
  'client-cert-auth': 'true',
  'peer-cert-file': 'peer.crt',
  'peer-key-file': 'peer.key',
  'peer-client-cert-auth': 'true',
  'auto-compaction-retention': '1h',
};

const GOOD_ZK = {
  tickTime: '2000',
  dataDir: '/data',
  dataLogDir: '/txlog',
  'autopurge.purgeInterval': '24',
  sslQuorum: 'true',
  'server.1': 'zk1:2888:3888',
  'server.2': 'zk2:2888:3888',
  'server.3': 'zk3:2888:3888',
};

const GOOD_CONTROLLER = {
  'process.roles': 'controller',
  'node.id': '1',
  'controller.quorum.voters': '1@c1:9093,2@c2:9093,3@c3:9093',
};

const etcd = (settings: Record<string, string>, file?: string, member?: string) =>
  config('etcd', { ...TLS_ETCD, ...settings }, file, member);
const zk = (settings: Record<string, string>, file?: string) =>
  config('zookeeper', { ...GOOD_ZK, ...settings }, file);
const kraft = (settings: Record<string, string>, file?: string) =>
  config('kraft', { ...GOOD_CONTROLLER, ...settings }, file);
const facts = (configs: PlannedConfig[], host?: Partial<HostFacts>): PreflightFacts => ({
  configs,
  ...(host !== undefined && { host: { ...HOST, ...host } }),
});

interface Case {
  fires: PreflightFacts;
  silent: PreflightFacts[];
  /** The message must contain this. */
  says: string;
  /** Where the first finding must point (line in its file). */
  line?: number;
}

const CASES: Record<string, Case> = {
  'ETCD-SIZE-1': {
    fires: facts([etcd({ 'initial-cluster': 'a=h:1,b=h:1,c=h:1,d=h:1' })]),
    // One member with two peer URLs still counts once.
    silent: [
      facts([etcd({ 'initial-cluster': 'a=h:1,a=h2:1,b=h:1,c=h:1' })]),
      facts([config('etcd', {})]),
    ],
    says: '4 members, an even number',
    line: 2,
  },
  'ETCD-SIZE-2': {
    fires: facts([etcd({ 'initial-cluster': 'a=1,b=1,c=1,d=1,e=1,f=1,g=1,h=1,i=1' })]),
    silent: [facts([etcd({ 'initial-cluster': 'a=1,b=1,c=1,d=1,e=1,f=1,g=1' })])],
    says: '9 members, more than 7',
  },
  'ETCD-TIME-1': {
    fires: facts([etcd({ 'heartbeat-interval': '300', 'election-timeout': '1000' })]),
    silent: [
      facts([etcd({ 'heartbeat-interval': '200', 'election-timeout': '1000' })]),
      facts([etcd({})]),
    ],
    says: 'less than 5 x heartbeat-interval 300 ms',
  },
  'ETCD-TIME-2': {
    fires: facts([etcd({ 'election-timeout': '1000' })], {
      peerRtts: [
        { peer: 'a', rttMs: 150 },
        { peer: 'b', error: 'refused' },
      ],
    }),
    silent: [
      facts([etcd({ 'election-timeout': '1000' })], { peerRtts: [{ peer: 'a', rttMs: 90 }] }),
    ],
    says: '10 x the slowest peer RTT 150.0 ms',
  },
  'ETCD-TIME-3': {
    fires: facts([
      etcd({ 'heartbeat-interval': '100' }, 'a.flags', 'a'),
      etcd({ 'heartbeat-interval': '150' }, 'b.flags', 'b'),
    ]),
    silent: [
      facts([etcd({}, 'a.flags', 'a'), etcd({ 'heartbeat-interval': '100' }, 'b.flags', 'b')]),
    ],
    says: 'members disagree on heartbeat/election: 100/1000 ms here; b: 150/1000 ms',
  },
  'ETCD-TIME-4': {
    fires: facts([etcd({ 'election-timeout': '60000', 'heartbeat-interval': '1000' })]),
    silent: [facts([etcd({ 'election-timeout': '50000', 'heartbeat-interval': '1000' })])],
    says: "above etcd's maximum of 50000 ms",
  },
  'ETCD-QUOTA-1': {
    fires: facts([etcd({ 'quota-backend-bytes': String(16 * 1024 ** 3) })]),
    silent: [facts([etcd({ 'quota-backend-bytes': String(8 * 1024 ** 3) })]), facts([etcd({})])],
    says: '(16 GiB) is above 8 GiB',
  },
  'ETCD-COMPACT-1': {
    fires: facts([etcd({ 'auto-compaction-retention': '0h' })]),
    silent: [facts([etcd({ 'auto-compaction-retention': '1000' })])],
    says: 'automatic compaction is off',
  },
  'ETCD-SNAP-1': {
    fires: facts([etcd({ 'snapshot-count': '500000' })]),
    silent: [facts([etcd({ 'snapshot-count': '100000' })]), facts([etcd({})])],
    says: 'snapshot-count 500000 is above 100000',
  },
  'ETCD-TLS-1': {
    fires: facts([etcd({ 'listen-client-urls': 'https://a:2379,http://127.0.0.1:2379' })]),
    silent: [facts([etcd({})])],
    says: '--listen-client-urls has http://127.0.0.1:2379',
    line: 3,
  },
  'ETCD-TLS-2': {
    fires: facts([etcd({ 'client-cert-auth': 'false' })]),
    silent: [facts([etcd({ 'client-cert-auth': 'TRUE' })])],
    says: '--client-cert-auth=false',
  },
  'ETCD-TLS-3': {
    fires: facts([etcd({ 'auto-tls': 'true' })]),
    silent: [facts([etcd({ 'auto-tls': 'false' })]), facts([etcd({})])],
    says: 'client certificates are self-signed',
  },
  'ETCD-TLS-4': {
    fires: facts([config('etcd', { ...TLS_ETCD, 'peer-key-file': '' })]),
    silent: [facts([etcd({})])],
    says: '--peer-key-file not set',
  },
  'ETCD-TLS-5': {
    fires: facts([config('etcd', { name: 'x' })]),
    silent: [facts([etcd({})])],
    says: '--peer-client-cert-auth is not set',
    line: 1,
  },
  'ETCD-TLS-6': {
    fires: facts([etcd({ 'peer-auto-tls': '1' })]),
    silent: [facts([etcd({ 'peer-auto-tls': '0' })])],
    says: 'peer certificates are self-signed',
  },
  'ZK-SIZE-1': {
    fires: facts([zk({ 'server.3': 'zk3:2888:3888:observer' })]),
    silent: [facts([zk({ 'server.4': 'zk4:2888:3888:observer' })])],
    says: '2 participants: fewer than 3',
  },
  'ZK-CFG-1': {
    fires: facts([zk({}, 'a.cfg'), zk({ 'server.3': 'zk9:2888:3888' }, 'b.cfg')]),
    silent: [facts([zk({}, 'a.cfg'), zk({}, 'b.cfg')])],
    says: 'members disagree on the server list',
  },
  'ZK-DISK-1': {
    fires: facts([zk({ dataLogDir: '/data/log' })]),
    silent: [facts([zk({ dataLogDir: '/database' })])],
    says: 'dataLogDir /data/log is inside dataDir /data',
  },
  'ZK-PURGE-1': {
    fires: facts([zk({ 'autopurge.purgeInterval': '0' })]),
    silent: [facts([zk({ 'autopurge.purgeInterval': '1' })])],
    says: 'autopurge.purgeInterval=0',
  },
  'ZK-SYNC-1': {
    fires: facts([zk({ forceSync: 'no' })]),
    silent: [facts([zk({ forceSync: 'NO' })]), facts([zk({ forceSync: 'yes' })])],
    says: 'forceSync=no',
  },
  'ZK-BUF-1': {
    fires: facts([zk({ 'jute.maxbuffer': '4194304' })]),
    silent: [facts([zk({ 'jute.maxbuffer': '0xfffff' })]), facts([zk({})])],
    says: 'jute.maxbuffer is 4194304 bytes',
  },
  'ZK-BUF-2': {
    fires: facts([zk({}, 'a.cfg'), zk({ 'jute.maxbuffer': '2000000' }, 'b.cfg')]),
    silent: [facts([zk({ 'jute.maxbuffer': '1048575' }, 'a.cfg'), zk({}, 'b.cfg')])],
    says: 'members disagree on jute.maxbuffer: 1048575 here; b.cfg: 2000000',
  },
  'ZK-4LW-1': {
    fires: facts([zk({ '4lw.commands.whitelist': 'srvr, stat, dump' })]),
    silent: [facts([zk({ '4lw.commands.whitelist': 'srvr,mntr,ruok' })]), facts([zk({})])],
    says: 'allows stat, dump beyond what monitoring needs',
  },
  'ZK-TIME-1': {
    fires: facts([zk({ minSessionTimeout: '50000' })]),
    silent: [facts([zk({ minSessionTimeout: '40000' })])],
    says: 'minSessionTimeout 50000 ms is above maxSessionTimeout 40000 ms',
  },
  'ZK-GC-1': {
    fires: facts([zk({ tickTime: '1500' })]),
    silent: [
      facts([zk({ tickTime: '1500', minSessionTimeout: '6000' })]),
      facts([zk({ tickTime: '' })]),
    ],
    says: 'sessions may time out after 3000 ms',
  },
  'ZK-SEC-1': {
    fires: facts([zk({ sslQuorum: 'false' })]),
    silent: [facts([zk({})])],
    says: 'sslQuorum is not true',
  },
  'KRAFT-ROLE-1': {
    fires: facts([kraft({ 'process.roles': 'controller,broker', 'min.insync.replicas': '2' })]),
    silent: [facts([kraft({})])],
    says: 'a combined node',
  },
  'KRAFT-SIZE-1': {
    fires: facts([kraft({ 'controller.quorum.voters': '1@c1:9093' })]),
    silent: [
      facts([
        kraft({
          'controller.quorum.voters': '',
          'controller.quorum.bootstrap.servers': 'c1:9093,c2:9093,c3:9093',
        }),
      ]),
    ],
    says: '1 controller(s) in controller.quorum.voters, not 3',
  },
  'KRAFT-SIZE-2': {
    fires: facts([kraft({ 'controller.quorum.voters': '1@a:1,2@b:1,3@c:1,4@d:1,5@e:1' })]),
    silent: [facts([kraft({})])],
    says: '5 controllers',
  },
  'KRAFT-BOOT-1': {
    fires: facts([kraft({ 'node.id': '4' })]),
    silent: [
      facts([kraft({}, 'c1.properties'), kraft({ 'node.id': '2' }, 'c2.properties')]),
      facts([kraft({ 'process.roles': 'broker', 'node.id': '9', 'min.insync.replicas': '2' })]),
    ],
    says: 'lacks controller node.id 4',
  },
  'KRAFT-DUR-1': {
    fires: facts([kraft({ 'unclean.leader.election.enable': 'TRUE' })]),
    silent: [facts([kraft({ 'unclean.leader.election.enable': 'false' })])],
    says: 'unclean.leader.election.enable=true',
  },
  'KRAFT-DUR-2': {
    fires: facts([kraft({ 'process.roles': 'broker', 'node.id': '7' })]),
    silent: [
      facts([kraft({ 'process.roles': 'broker', 'min.insync.replicas': '2' })]),
      facts([kraft({})]),
    ],
    says: 'min.insync.replicas is 1',
  },
  'KRAFT-TIME-1': {
    fires: facts([
      kraft({}, 'c1.properties'),
      kraft({ 'node.id': '2', 'controller.quorum.fetch.timeout.ms': '4000' }, 'c2.properties'),
    ]),
    silent: [
      facts([
        kraft({ 'controller.quorum.fetch.timeout.ms': '2000' }, 'c1.properties'),
        kraft({ 'node.id': '2' }, 'c2.properties'),
      ]),
    ],
    says: 'members disagree on the quorum timers',
  },
  'NATS-SYNC-1': {
    fires: facts([config('nats', { jetstream: '{}', 'jetstream.store_dir': '/data' })]),
    silent: [
      facts([config('nats', { jetstream: '{}', 'jetstream.sync_interval': 'Always' })]),
      facts([config('nats', { jetstream: '{}', 'jetstream.enabled': 'false' })]),
      facts([config('nats', { jetstream: 'disabled' })]),
      facts([config('nats', { port: '4222' })]),
    ],
    says: 'jetstream.sync_interval is not set',
    line: 1,
  },
  'HOST-FSYNC-1': {
    fires: facts([etcd({})], { fsyncP99Ms: 12.34 }),
    silent: [facts([etcd({})], { fsyncP99Ms: 9.9 }), facts([etcd({})])],
    says: 'fsync p99 on /var/lib/etcd is 12.3 ms (builtin)',
  },
  'HOST-FS-1': {
    fires: facts([etcd({})], { filesystemType: 'tmpfs' }),
    silent: [facts([etcd({})], { filesystemType: 'ext4' }), facts([etcd({})])],
    says: '/var/lib/etcd is on tmpfs',
  },
  'HOST-DISK-1': {
    fires: facts([zk({})], { rotational: true }),
    silent: [facts([zk({})])],
    says: 'on a rotational disk',
  },
  'HOST-SPACE-1': {
    fires: facts([etcd({ 'quota-backend-bytes': String(4 * 1024 ** 3) })], {
      freeBytes: 3 * 1024 ** 3,
    }),
    silent: [
      facts([etcd({})], { freeBytes: 3 * 1024 ** 3 }),
      facts([config('nats', { jetstream: '{}' })], { freeBytes: 1 }),
    ],
    says: '3 GiB free on /var/lib/etcd, less than the planned quota of 4 GiB',
  },
  'HOST-SWAP-1': {
    fires: facts([kraft({})], { swapTotalBytes: 2 * 1024 ** 3 }),
    silent: [facts([kraft({})])],
    says: 'swap is on (2 GiB)',
  },
  'HOST-RTT-1': {
    fires: facts([etcd({})], { peerRtts: [{ peer: '10.0.0.3:2380', error: 'ECONNREFUSED' }] }),
    silent: [facts([etcd({})])],
    says: 'peer 10.0.0.3:2380 did not answer: ECONNREFUSED',
  },
  'HOST-PERM-1': {
    fires: facts([etcd({})], { dataDirMode: 0o755 }),
    silent: [facts([etcd({})], { dataDirMode: 0o600 })],
    says: 'has mode 755',
  },
};

function findingsOf(id: string, input: PreflightFacts): Finding[] {
  const rule = PREFLIGHT_RULES.find((candidate) => candidate.info.id === id);
  assert.ok(rule, `${id} is in the catalog`);
  return rule.evaluate(input);
}

describe('preflight rules', () => {
  test('the catalog is well formed, and every rule cites the reference and its doc anchor', () => {
    assert.deepEqual(catalogProblems(PREFLIGHT_RULES), []);
    for (const { info } of PREFLIGHT_RULES) {
      assert.equal(info.scope, 'preflight');
      assert.ok(info.source.includes(REFERENCE), `${info.id} cites ${REFERENCE}`);
      assert.match(info.source, /§3\.\d/, `${info.id} names its section 3 entry`);
      assert.equal(info.docs, `docs/preflight.md#${info.id.toLowerCase()}`);
      assert.match(info.id, /^(ETCD|ZK|KRAFT|NATS|HOST)-[A-Z0-9]+-\d+$/);
    }
    assert.equal(preflightRuleInfo('etcd-tls-1')?.id, 'ETCD-TLS-1');
  });

  test('every rule has a firing and a silent case here', () => {
    assert.deepEqual(PREFLIGHT_RULES.map((rule) => rule.info.id).sort(), Object.keys(CASES).sort());
  });

  for (const [id, { fires, silent, says, line }] of Object.entries(CASES)) {
    test(`${id} fires and stays silent`, () => {
      const findings = findingsOf(id, fires);
      assert.ok(findings.length > 0, `${id} should fire`);
      const [first] = findings;
      assert.ok(first);
      assert.equal(first.ruleId, id);
      assert.equal(first.severity, preflightRuleInfo(id)?.severity);
      assert.ok(first.message.includes(says), `"${first.message}" should include "${says}"`);
      assert.ok(first.remedy.length > 0 && first.docs.endsWith(id.toLowerCase()));
      if (line !== undefined) assert.equal(first.location?.line, line);
      if (!id.startsWith('HOST-')) assert.ok(first.location, `${id} points at a file`);
      for (const [index, quiet] of silent.entries()) {
        assert.deepEqual(findingsOf(id, quiet), [], `${id} silent case ${index}`);
      }
    });
  }

  test('rules comparing members point at every member that differs', () => {
    const findings = findingsOf(
      'ETCD-TIME-3',
      facts([
        etcd({ 'election-timeout': '1000' }, 'a.flags', 'a'),
        etcd({ 'election-timeout': '2000' }, 'b.flags', 'b'),
      ]),
    );
    assert.deepEqual(
      findings.map((finding) => [finding.subject, finding.location?.file]),
      [
        ['a', 'a.flags'],
        ['b', 'b.flags'],
      ],
    );
  });
});

describe('preflight report', () => {
  test('host and multi-member rules are skipped, not passed, without their facts', () => {
    const report = buildPreflightReport(facts([etcd({ 'auto-tls': 'true' })]), 'critical');
    const outcome = (id: string) => report.rules.find((rule) => rule.id === id);
    assert.equal(outcome('HOST-FSYNC-1')?.outcome, 'skipped');
    assert.equal(outcome('HOST-FSYNC-1')?.skippedBecause, 'needs host facts (--host)');
    assert.equal(outcome('ETCD-TIME-3')?.outcome, 'skipped');
    assert.equal(outcome('ETCD-TLS-3')?.outcome, 'fail');
    assert.equal(outcome('ETCD-TLS-1')?.outcome, 'pass');
    assert.equal(outcome('ZK-SYNC-1'), undefined, 'rules of other systems are not listed');
    assert.deepEqual(report.counts, { critical: 1, warn: 0, info: 0 });
    assert.equal(report.verdict, 'fail');
  });

  test('the verdict follows --fail-on', () => {
    const warnOnly = facts([etcd({ 'snapshot-count': '900000' })]);
    assert.equal(buildPreflightReport(warnOnly, 'critical').verdict, 'pass');
    assert.equal(buildPreflightReport(warnOnly, 'warn').verdict, 'fail');
    const withHost = buildPreflightReport(facts([etcd({})], { swapTotalBytes: 1024 ** 3 }), 'warn');
    assert.deepEqual(
      withHost.findings.map((finding) => finding.ruleId),
      ['HOST-SWAP-1'],
    );
    assert.equal(withHost.rules.find((rule) => rule.id === 'HOST-FSYNC-1')?.outcome, 'pass');
  });

  test('files of different systems are refused', () => {
    assert.throws(
      () => buildPreflightReport(facts([etcd({}), zk({})]), 'critical'),
      (error: Error & { code?: string }) =>
        error.code === 'PREFLIGHT_MIXED_KINDS' && /etcd, zookeeper/.test(error.message),
    );
  });

  test('docs/preflight.md has a section for every rule', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs/preflight.md'), 'utf8');
    for (const { info } of PREFLIGHT_RULES) {
      assert.ok(doc.includes(`\n### ${info.id}\n`), `docs/preflight.md documents ${info.id}`);
    }
  });
});
