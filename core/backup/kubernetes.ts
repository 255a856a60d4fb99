/**
 * `backup schedule --emit kubernetes`: a CronJob (plus its ServiceAccount) that runs
 * `quorumctl backup create` in the cluster, so Kubernetes' scheduler does the scheduling.
 * TLS material and the password come from Secrets by reference, never inline. Pure: returns
 * the objects; the CLI prints them as YAML.
 */
import type { SystemKind } from '../model.js';
import type { RetentionPolicy } from './retention.js';
import { formatRetention } from './retention-spec.js';

export interface CronJobRequest {
  /** Names the objects: `quorumctl-backup-<name>`. */
  cluster: string;
  kind: SystemKind;
  endpoints: string[];
  cron: string;
  retain?: RetentionPolicy;
  namespace?: string;
  image: string;
  /** PersistentVolumeClaim the backups are written to (mounted at /backups). */
  backupClaim: string;
  /** Secret with `ca.crt`, `tls.crt`, `tls.key` (a cert-manager / kubernetes.io/tls layout). */
  tlsSecret?: string;
  /** Secret and key holding the password; the user name goes in `user`. */
  passwordSecret?: { name: string; key: string };
  user?: string;
  timeZone?: string;
}

const TLS_DIR = '/etc/quorumctl/tls';
const BACKUP_DIR = '/backups';

export function kubernetesCronJob(request: CronJobRequest): Record<string, unknown>[] {
  // CronJob names must leave room for the Job suffix Kubernetes adds (52 characters at most).
  const name = `quorumctl-backup-${dnsLabel(request.cluster)}`.slice(0, 52).replace(/-+$/, '');
  const labels = {
    'app.kubernetes.io/name': 'quorumctl-backup',
    'app.kubernetes.io/instance': dnsLabel(request.cluster),
    'app.kubernetes.io/managed-by': 'quorumctl',
  };
  const metadata = {
    name,
    ...(request.namespace !== undefined && { namespace: request.namespace }),
    labels,
  };
  const args = [
    'backup',
    'create',
    '--endpoints',
    request.endpoints.join(','),
    '--kind',
    request.kind,
    '--dest',
    BACKUP_DIR,
    '--output',
    'json',
    ...(request.retain === undefined ? [] : ['--retain', formatRetention(request.retain)]),
    ...(request.tlsSecret === undefined
      ? []
      : [
          '--cacert',
          `${TLS_DIR}/ca.crt`,
          '--cert',
          `${TLS_DIR}/tls.crt`,
          '--key',
          `${TLS_DIR}/tls.key`,
        ]),
    ...(request.user === undefined ? [] : ['--user', request.user]),
  ];
  const volumes: Record<string, unknown>[] = [
    { name: 'backups', persistentVolumeClaim: { claimName: request.backupClaim } },
    // The root filesystem is read-only; Node and quorumctl may still want a scratch dir.
    { name: 'tmp', emptyDir: {} },
    ...(request.tlsSecret === undefined
      ? []
      : [{ name: 'tls', secret: { secretName: request.tlsSecret, defaultMode: 0o400 } }]),
  ];
  const volumeMounts: Record<string, unknown>[] = [
    { name: 'backups', mountPath: BACKUP_DIR },
    { name: 'tmp', mountPath: '/tmp' },
    ...(request.tlsSecret === undefined
      ? []
      : [{ name: 'tls', mountPath: TLS_DIR, readOnly: true }]),
  ];
  const serviceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata,
    // The job talks to the consensus cluster, never to the Kubernetes API.
    automountServiceAccountToken: false,
  };
  const cronJob = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata,
    spec: {
      schedule: request.cron,
      timeZone: request.timeZone ?? 'Etc/UTC',
      // A backup still running when the next is due is left alone, never doubled.
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 3600,
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: name,
              automountServiceAccountToken: false,
              restartPolicy: 'Never',
              securityContext: { runAsNonRoot: true, runAsUser: 65532, fsGroup: 65532 },
              containers: [
                {
                  name: 'backup',
                  image: request.image,
                  args,
                  ...(request.passwordSecret !== undefined && {
                    env: [
                      {
                        name: 'QUORUMCTL_PASSWORD',
                        valueFrom: {
                          secretKeyRef: {
                            name: request.passwordSecret.name,
                            key: request.passwordSecret.key,
                          },
                        },
                      },
                    ],
                  }),
                  resources: {
                    requests: { cpu: '100m', memory: '128Mi' },
                    limits: { memory: '256Mi' },
                  },
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ['ALL'] },
                  },
                  volumeMounts,
                },
              ],
              volumes,
            },
          },
        },
      },
    },
  };
  return [serviceAccount, cronJob];
}

function dnsLabel(text: string): string {
  const label = text
    .toLowerCase()
    .replace(/^[a-z0-9+]+:\/\//, '')
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label === '' ? 'cluster' : label;
}
