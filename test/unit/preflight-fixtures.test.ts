// The good and bad configuration of each format: good ones give no finding, bad ones exactly
// the expected rule IDs at the expected file and line (read through ops, as the CLI does).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { UsageError } from '../../core/errors.js';
import { loadPlannedConfigs, runPreflight } from '../../ops/preflight.js';
import { REPO_ROOT } from '../support/cli.js';

const DIR = join(REPO_ROOT, 'test/fixtures/preflight');
const fixture = (path: string) => join(DIR, path);

/** `RULE-ID@line`, in report order (worst first, then by ID). */
async function findingsOf(...paths: string[]): Promise<string[]> {
  const report = await runPreflight({ files: paths.map(fixture), failOn: 'critical' });
  for (const finding of report.findings) {
    assert.ok(finding.location, `${finding.ruleId} has a location`);
    assert.equal(
      finding.location.file,
      fixture(paths[0] ?? ''),
      `${finding.ruleId} points at the file`,
    );
  }
  return report.findings.map((finding) => `${finding.ruleId}@${finding.location?.line}`);
}

const BAD: Record<string, string[]> = {
  'etcd-flags/bad.sh': [
    'ETCD-TIME-1@11',
    'ETCD-TLS-1@6',
    'ETCD-TLS-2@1',
    'ETCD-TLS-4@1',
    'ETCD-TLS-5@1',
    'ETCD-TLS-6@9',
    'ETCD-COMPACT-1@14',
    'ETCD-QUOTA-1@12',
    'ETCD-SIZE-1@5',
    'ETCD-SNAP-1@13',
  ],
  'etcd-yaml/bad.yaml': [
    'ETCD-TIME-1@8',
    'ETCD-TLS-1@5',
    'ETCD-TLS-2@11',
    'ETCD-TLS-3@12',
    'ETCD-SIZE-1@4',
    'ETCD-SIZE-2@4',
  ],
  // Settings the container lacks point at the container (line 21).
  'kubernetes/bad.yaml': ['ETCD-TIME-4@36', 'ETCD-TLS-1@31', 'ETCD-TLS-2@21', 'ETCD-QUOTA-1@24'],
  'zoo.cfg/bad.cfg': [
    'ZK-SYNC-1@8',
    'ZK-4LW-1@10',
    'ZK-BUF-1@9',
    'ZK-DISK-1@6',
    'ZK-GC-1@2',
    'ZK-PURGE-1@1',
    'ZK-SEC-1@1',
    'ZK-SIZE-1@12',
  ],
  'server.properties/bad.properties': [
    'KRAFT-BOOT-1@4',
    'KRAFT-DUR-1@8',
    'KRAFT-ROLE-1@2',
    'KRAFT-SIZE-1@4',
    'KRAFT-DUR-2@2',
  ],
  'nats-conf/bad.conf': ['NATS-SYNC-1@7'],
};

const GOOD = [
  'etcd-flags/good.service',
  'etcd-yaml/good.yaml',
  'kubernetes/good.yaml',
  'zoo.cfg/good.cfg',
  'server.properties/good.properties',
  'nats-conf/good.conf',
];

describe('preflight fixtures', () => {
  for (const path of GOOD) {
    test(`${path} gives no finding`, async () => {
      assert.deepEqual(await findingsOf(path), []);
    });
  }

  for (const [path, expected] of Object.entries(BAD)) {
    test(`${path} gives exactly ${expected.length} findings at their lines`, async () => {
      assert.deepEqual(await findingsOf(path), expected);
    });
  }

  test('the formats are detected from the fixture names and contents', async () => {
    const configs = await loadPlannedConfigs([...GOOD, ...Object.keys(BAD)].map(fixture), {});
    assert.deepEqual(
      configs.map((config) => config.format),
      [
        'etcd-flags',
        'etcd-yaml',
        'kubernetes',
        'zoo.cfg',
        'server.properties',
        'nats-conf',
        'etcd-flags',
        'etcd-yaml',
        'kubernetes',
        'zoo.cfg',
        'server.properties',
        'nats-conf',
      ],
    );
  });

  test('zoo.cfg reads the dynamic file it names; given on the command line, it is not read twice', async () => {
    const [alone] = await loadPlannedConfigs([fixture('zoo.cfg/good.cfg')], {});
    const [both] = await loadPlannedConfigs(
      [fixture('zoo.cfg/good.cfg'), fixture('zoo.cfg/good.cfg.dynamic')],
      {},
    );
    const servers = (config: typeof alone) =>
      config?.settings
        .filter((entry) => entry.key.startsWith('server.'))
        .map((entry) => entry.location);
    assert.equal(servers(alone)?.length, 3);
    assert.deepEqual(servers(both), servers(alone));
    assert.equal(servers(alone)?.[0]?.file, join(DIR, 'zoo.cfg/good.cfg.dynamic'));
  });
});

describe('preflight input errors', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quorumctl-preflight-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const usageError = async (promise: Promise<unknown>): Promise<UsageError> => {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof UsageError, String(error));
      return error;
    }
    assert.fail('expected a UsageError');
  };

  test('a missing file, an unknown format, mixed systems, a lone dynamic file', async () => {
    assert.equal(
      (await usageError(loadPlannedConfigs([join(dir, 'nope.conf')], {}))).code,
      'PREFLIGHT_FILE_UNREADABLE',
    );
    await writeFile(join(dir, 'notes.txt'), 'hello\n');
    assert.equal(
      (await usageError(loadPlannedConfigs([join(dir, 'notes.txt')], {}))).code,
      'PREFLIGHT_FORMAT_UNKNOWN',
    );
    assert.equal(
      (
        await usageError(
          runPreflight({
            files: [fixture('etcd-yaml/good.yaml'), fixture('nats-conf/good.conf')],
            failOn: 'critical',
          }),
        )
      ).code,
      'PREFLIGHT_MIXED_KINDS',
    );
    assert.match(
      (await usageError(loadPlannedConfigs([fixture('zoo.cfg/good.cfg.dynamic')], {})))
        .actions[0] ?? '',
      /give the zoo.cfg that names it/,
    );
    assert.match(
      (
        await usageError(
          loadPlannedConfigs([fixture('etcd-yaml/good.yaml')], { format: 'zoo.cfg', kind: 'etcd' }),
        )
      ).message,
      /--format zoo.cfg configures zookeeper, not etcd/,
    );
  });

  test('a zoo.cfg naming a dynamic file that cannot be read points at the setting', async () => {
    await writeFile(
      join(dir, 'zoo.cfg'),
      'dataDir=/d\ndynamicConfigFile=/nowhere/zoo.cfg.dynamic\n',
    );
    const error = await usageError(loadPlannedConfigs([join(dir, 'zoo.cfg')], {}));
    assert.match(
      error.message,
      /zoo\.cfg:2:1: dynamicConfigFile \/nowhere\/zoo\.cfg\.dynamic cannot be read/,
    );
  });

  test('host facts come from the probe the caller gives, with the data dir and peers of the files', async () => {
    const seen: unknown[] = [];
    const report = await runPreflight({
      files: [fixture('etcd-yaml/good.yaml')],
      failOn: 'critical',
      probeHost: (targets) => {
        seen.push(targets);
        return Promise.resolve({ hostname: 'h', dataDir: targets.dataDir, fsyncP99Ms: 25 });
      },
    });
    assert.deepEqual(seen, [
      // infra1's own peer URL is left out: it is not listening before the deployment.
      { dataDir: '/var/lib/etcd', peers: ['10.0.1.10:2380', '10.0.1.12:2380'] },
    ]);
    assert.deepEqual(
      report.findings.map((finding) => finding.ruleId),
      ['HOST-FSYNC-1'],
    );
    const probed: string[] = [];
    await runPreflight({
      files: [fixture('etcd-yaml/good.yaml')],
      failOn: 'critical',
      dataDir: '/mnt/wal',
      probeHost: (targets) => {
        probed.push(targets.dataDir);
        return Promise.resolve({ hostname: 'h', dataDir: targets.dataDir });
      },
    });
    assert.deepEqual(probed, ['/mnt/wal']);
  });
});
