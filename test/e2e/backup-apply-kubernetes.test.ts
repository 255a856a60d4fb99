// `backup schedule --emit kubernetes --apply` against a fake API server (nock): the exact
// server-side apply PATCH calls, --dry-run sending nothing, a 403 naming the permission, and
// the defaults an inventory entry found by discover brings (namespace, context, TLS Secret).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import nock from 'nock';
import { stringify } from 'yaml';
import { kubernetesCronJob } from '../../core/backup/kubernetes.js';
import { runInProcess } from '../support/cli-in-process.js';
import {
  FAKE_API_SERVER,
  forbiddenBody,
  interceptKubernetesApi,
  writeKubeconfig,
} from '../support/kube-fake.js';

const OTHER_SERVER = 'https://k8s-prod.fake.invalid:6443';
const ENDPOINT = 'etcd+https://etcd-0.etcd-headless.db.svc:2379';
const NAME = 'quorumctl-backup-etcd-0-etcd-headless-db-svc-2379';
const SA_PATH = (namespace: string, name = NAME) =>
  `/api/v1/namespaces/${namespace}/serviceaccounts/${name}`;
const CRONJOB_PATH = (namespace: string, name = NAME) =>
  `/apis/batch/v1/namespaces/${namespace}/cronjobs/${name}`;
const APPLY_QUERY = { fieldManager: 'quorumctl', force: 'true' };
const APPLY_HEADERS = { 'content-type': 'application/apply-patch+yaml' };

interface Envelope {
  kind: string;
  status: number;
  result?: {
    context: string;
    namespace: string;
    dryRun: boolean;
    objects: { kind: string; name: string; action: string; call: { path: string } }[];
    followUp: string[];
  };
  error?: { code: string; message: string; details?: Record<string, unknown> };
}

describe('backup schedule --emit kubernetes --apply (nock API server)', () => {
  interceptKubernetesApi();
  let dir: string;
  let env: Record<string, string>;
  const baseArgs = [
    'backup',
    'schedule',
    '--emit',
    'kubernetes',
    '--apply',
    '--cron',
    '0 3 * * *',
    '--image',
    'quorumctl:test',
  ];
  // What the CLI must send: the same objects `--emit kubernetes` prints, in namespace db.
  const expected = kubernetesCronJob({
    cluster: ENDPOINT,
    kind: 'etcd',
    endpoints: ['https://etcd-0.etcd-headless.db.svc:2379'],
    cron: '0 3 * * *',
    image: 'quorumctl:test',
    backupClaim: 'etcd-backups',
    namespace: 'db',
    tlsSecret: 'etcd-client-tls',
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quorumctl-backup-apply-'));
    const kubeconfig = await writeKubeconfig(dir, [
      { name: 'fake', namespace: 'default' },
      { name: 'prod', namespace: 'ops', server: OTHER_SERVER },
    ]);
    env = { KUBECONFIG: kubeconfig, QUORUMCTL_CONFIG: join(dir, 'none.yaml') };
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('applies the ServiceAccount, then the CronJob: exactly two server-side apply PATCHes', async () => {
    const bodies: unknown[] = [];
    const record = (body: unknown) => {
      bodies.push(body);
      return true;
    };
    const scope = nock(FAKE_API_SERVER, { reqheaders: APPLY_HEADERS })
      .patch(SA_PATH('db'), record)
      .query(APPLY_QUERY)
      .reply(201, expected[0])
      .patch(CRONJOB_PATH('db'), record)
      .query(APPLY_QUERY)
      .reply(200, expected[1]);
    const result = await runInProcess(
      [
        ...baseArgs,
        '-e',
        ENDPOINT,
        '-n',
        'db',
        '--pvc',
        'etcd-backups',
        '--tls-secret',
        'etcd-client-tls',
      ],
      env,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.ok(scope.isDone(), `pending: ${scope.pendingMocks().join(', ')}`);
    assert.deepEqual(bodies, expected);
    assert.match(result.stdout, /Applied to context "fake" .*namespace "db":/);
    assert.match(result.stdout, new RegExp(`ServiceAccount/${NAME}\\s+created\\n`));
    assert.match(result.stdout, new RegExp(`CronJob/${NAME}\\s+configured\\n`));
    assert.ok(
      result.stdout.includes(`kubectl get cronjob ${NAME} -n db --context fake`),
      result.stdout,
    );
    assert.ok(
      result.stdout.includes(`kubectl create job --from=cronjob/${NAME} ${NAME}-now -n db`),
      result.stdout,
    );
  });

  test('-o json: a KubernetesApplyReport listing each object and its action', async () => {
    const scope = nock(FAKE_API_SERVER, { reqheaders: APPLY_HEADERS })
      .patch(SA_PATH('db'))
      .query(APPLY_QUERY)
      .reply(200, expected[0])
      .patch(CRONJOB_PATH('db'))
      .query(APPLY_QUERY)
      .reply(200, expected[1]);
    const result = await runInProcess(
      [...baseArgs, '-e', ENDPOINT, '-n', 'db', '--pvc', 'etcd-backups', '-o', 'json'],
      env,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.ok(scope.isDone());
    const envelope = JSON.parse(result.stdout) as Envelope;
    assert.equal(envelope.kind, 'KubernetesApplyReport');
    assert.deepEqual(
      envelope.result?.objects.map((object) => [object.kind, object.action]),
      [
        ['ServiceAccount', 'configured'],
        ['CronJob', 'configured'],
      ],
    );
    assert.equal(envelope.result?.dryRun, false);
  });

  test('--dry-run sends nothing and shows the PATCH calls and the objects', async () => {
    // No interceptor: nock refuses any request (net connect is disabled).
    const result = await runInProcess(
      [
        ...baseArgs,
        '--dry-run',
        '-e',
        ENDPOINT,
        '-n',
        'db',
        '--pvc',
        'etcd-backups',
        '--tls-secret',
        'etcd-client-tls',
      ],
      env,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Dry run: nothing applied\./);
    assert.ok(
      result.stdout.includes(
        `PATCH ${SA_PATH('db')}?fieldManager=quorumctl&force=true\n    Content-Type: application/apply-patch+yaml`,
      ),
      result.stdout,
    );
    assert.ok(
      result.stdout.includes(`PATCH ${CRONJOB_PATH('db')}?fieldManager=quorumctl&force=true`),
    );
    assert.ok(
      result.stdout.includes(stringify(expected[1], { aliasDuplicateObjects: false })),
      result.stdout,
    );
  });

  test('a 403 on the CronJob: exit 7 naming "patch cronjobs.batch" and the RBAC doc', async () => {
    const scope = nock(FAKE_API_SERVER)
      .patch(SA_PATH('db'))
      .query(APPLY_QUERY)
      .reply(201, expected[0])
      .patch(CRONJOB_PATH('db'))
      .query(APPLY_QUERY)
      .reply(403, forbiddenBody('patch', 'cronjobs', 'batch', 'db'));
    const result = await runInProcess(
      [...baseArgs, '-e', ENDPOINT, '-n', 'db', '--pvc', 'etcd-backups'],
      env,
    );
    assert.equal(result.code, 7, result.stdout + result.stderr);
    assert.ok(scope.isDone());
    assert.match(result.stderr, /patch cronjobs\.batch/);
    assert.ok(result.stderr.includes('docs/kubernetes-rbac.md#backup-apply'), result.stderr);

    const again = nock(FAKE_API_SERVER)
      .patch(SA_PATH('db'))
      .query(APPLY_QUERY)
      .reply(200, expected[0])
      .patch(CRONJOB_PATH('db'))
      .query(APPLY_QUERY)
      .reply(403, forbiddenBody('patch', 'cronjobs', 'batch', 'db'));
    const json = await runInProcess(
      [...baseArgs, '-e', ENDPOINT, '-n', 'db', '--pvc', 'etcd-backups', '--json'],
      env,
    );
    assert.equal(json.code, 7);
    assert.ok(again.isDone());
    const envelope = JSON.parse(json.stdout) as Envelope;
    assert.equal(envelope.kind, 'KubernetesApplyReport');
    assert.equal(envelope.error?.code, 'KUBERNETES_FORBIDDEN');
    assert.equal(envelope.error.details?.doc, 'docs/kubernetes-rbac.md#backup-apply');
  });

  test('an inventory entry with kubernetes: namespace, context and TLS Secret default from it', async () => {
    const inventory = join(dir, 'inventory.yaml');
    await writeFile(
      inventory,
      stringify({
        'current-context': 'db-etcd',
        clusters: [
          {
            name: 'db-etcd',
            kind: 'etcd',
            endpoints: ['https://etcd-0.etcd-headless.db.svc:2379'],
            kubernetes: {
              context: 'prod',
              namespace: 'db',
              workload: 'StatefulSet/etcd',
              pods: ['etcd-0'],
              port: 2379,
              labels: { 'app.kubernetes.io/name': 'etcd' },
              tlsSecret: 'etcd-client-tls',
            },
          },
        ],
      }),
    );
    const fromEntry = kubernetesCronJob({
      cluster: 'db-etcd',
      kind: 'etcd',
      endpoints: ['https://etcd-0.etcd-headless.db.svc:2379'],
      cron: '0 3 * * *',
      image: 'quorumctl:test',
      backupClaim: 'etcd-backups',
      namespace: 'db',
      tlsSecret: 'etcd-client-tls',
    });
    const bodies: unknown[] = [];
    const record = (body: unknown) => {
      bodies.push(body);
      return true;
    };
    // The entry's context "prod" talks to another server than the current context "fake".
    const scope = nock(OTHER_SERVER, { reqheaders: APPLY_HEADERS })
      .patch(SA_PATH('db', 'quorumctl-backup-db-etcd'), record)
      .query(APPLY_QUERY)
      .reply(201, fromEntry[0])
      .patch(CRONJOB_PATH('db', 'quorumctl-backup-db-etcd'), record)
      .query(APPLY_QUERY)
      .reply(201, fromEntry[1]);
    const result = await runInProcess(
      [...baseArgs, '--config', inventory, '-c', 'db-etcd', '--pvc', 'etcd-backups'],
      env,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.ok(scope.isDone(), `pending: ${scope.pendingMocks().join(', ')}`);
    assert.deepEqual(bodies, fromEntry);
    assert.match(
      result.stdout,
      /context "prod" \(https:\/\/k8s-prod\.fake\.invalid:6443\), namespace "db"/,
    );
  });

  test('--kube-context picks the API server and its namespace', async () => {
    const scope = nock(OTHER_SERVER, { reqheaders: APPLY_HEADERS })
      .patch(SA_PATH('ops'))
      .query(APPLY_QUERY)
      .reply(201, expected[0])
      .patch(CRONJOB_PATH('ops'))
      .query(APPLY_QUERY)
      .reply(201, expected[1]);
    const result = await runInProcess(
      [...baseArgs, '-e', ENDPOINT, '--kube-context', 'prod', '--pvc', 'etcd-backups'],
      env,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.ok(scope.isDone(), `pending: ${scope.pendingMocks().join(', ')}`);
    assert.match(result.stdout, /namespace "ops":/);
  });
});
