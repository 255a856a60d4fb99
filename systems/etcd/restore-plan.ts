/**
 * The etcd restore plan (pure): every member restored from the same snapshot into a new data
 * dir under a new cluster token, then started, then checked; with etcd 3.5+ tools the
 * revisions are bumped so watchers never see them go backwards, and on 3.4 the plan says
 * what that costs instead.
 */
import type { RestorePlan, RestoreRequest, RestoreStep } from '../../core/backup/producer.js';

/** etcd's own advice (etcdutl --bump-revision): well above any plausible write burst. */
export const REVISION_BUMP = 1_000_000_000;

export interface RestoreCommandInput {
  snapshotPath: string;
  name: string;
  dataDir: string;
  initialCluster: string;
  peerUrl: string;
  clusterToken: string;
  bumpRevision?: number;
}

/** The tool and arguments of `etcdctl|etcdutl snapshot restore`, for the plan and for --execute. */
export function restoreCommand(
  request: RestoreCommandInput,
  tool: 'etcdctl' | 'etcdutl',
): { command: string; args: string[] } {
  return {
    command: tool,
    args: [
      'snapshot',
      'restore',
      request.snapshotPath,
      '--name',
      request.name,
      '--data-dir',
      request.dataDir,
      '--initial-cluster',
      request.initialCluster,
      '--initial-cluster-token',
      request.clusterToken,
      '--initial-advertise-peer-urls',
      request.peerUrl,
      ...(request.bumpRevision !== undefined && tool === 'etcdutl'
        ? ['--bump-revision', String(request.bumpRevision), '--mark-compacted']
        : []),
    ],
  };
}

/** Whether a version string is etcd 3.5 or later (etcdutl and --bump-revision exist). */
export function canBumpRevision(version: string | undefined): boolean {
  const match = /^v?(\d+)\.(\d+)/.exec(version ?? '');
  if (match === null) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > 3 || (major === 3 && minor >= 5);
}

export function planEtcdRestore(request: RestoreRequest): RestorePlan {
  const { manifest } = request;
  const token = request.clusterToken ?? '<NEW-TOKEN>';
  const version = request.serverVersion ?? manifest.serverVersion;
  const possible = canBumpRevision(version);
  const bump = possible && request.bumpRevision !== false;
  const tool = bump ? 'etcdutl' : 'etcdctl';
  const revision = manifest.position.revision;
  const members = request.members.map((member) => ({
    ...member,
    peerUrl: member.peerUrl ?? '<PEER-URL>',
    dataDir: member.dataDir ?? `/var/lib/etcd/${member.name}.restored`,
  }));
  const initialCluster = members.map((member) => `${member.name}=${member.peerUrl}`).join(',');
  const steps: RestoreStep[] = [
    {
      id: 'check-backup',
      title: 'Check the snapshot file is the one the manifest describes',
      command: `sha256sum ${shellQuote(request.dataPath)}`,
      detail: `must print ${manifest.sha256}; every member restores from this same file`,
    },
    ...members.map((member) => ({
      id: `stop:${member.name}`,
      title: `Stop etcd on ${member.name}`,
      member: member.name,
      detail:
        'all members, before any is restored: a restored member must never meet a member of the old cluster',
    })),
    ...members.map((member) => {
      const { command, args } = restoreCommand(
        {
          snapshotPath: request.dataPath,
          name: member.name,
          dataDir: member.dataDir,
          initialCluster,
          peerUrl: member.peerUrl,
          clusterToken: token,
          ...(bump && { bumpRevision: REVISION_BUMP }),
        },
        tool,
      );
      return {
        id: `restore-data:${member.name}`,
        title: `Restore ${member.name}'s data into a new data dir`,
        member: member.name,
        command: [command, ...args].map(shellQuote).join(' '),
        detail: `${member.dataDir} must not exist yet; the old data dir stays untouched until the restored cluster is verified`,
      };
    }),
    ...members.map((member) => ({
      id: `start:${member.name}`,
      title: `Start etcd on ${member.name} from the new data dir`,
      member: member.name,
      command: [
        'etcd',
        '--name',
        member.name,
        '--data-dir',
        member.dataDir,
        '--listen-client-urls',
        member.clientUrl,
        '--advertise-client-urls',
        member.clientUrl,
        '--listen-peer-urls',
        member.peerUrl,
        '--initial-advertise-peer-urls',
        member.peerUrl,
      ]
        .map(shellQuote)
        .join(' '),
      detail: 'with its usual flags (TLS, quotas); only --data-dir changes',
    })),
    {
      id: 'check-health',
      title: 'Check the restored cluster has a leader and every member',
      command: `quorumctl status --endpoints ${members.map((member) => member.clientUrl).join(',')}`,
    },
    {
      id: 'check-content',
      title: `Check the content at revision ${String(revision)}`,
      command: `etcdctl --endpoints ${members.map((member) => member.clientUrl).join(',')} endpoint hashkv${bump ? '' : ` --rev ${String(revision)}`}`,
      detail:
        manifest.fingerprint?.hashKv !== undefined && !bump
          ? `every member must print hash ${manifest.fingerprint.hashKv} (recorded when the backup was taken)`
          : 'every member must print the same hash',
    },
  ];
  const warnings = [
    `everything written after revision ${String(revision)} (backup taken ${manifest.finishedAt}) is lost`,
    bump
      ? `revisions are raised by ${REVISION_BUMP} and marked compacted: watchers resume with a compaction error and re-list, instead of seeing revisions go backwards`
      : possible
        ? `no revision bump (asked not to): the cluster restarts at revision ${String(revision)}; restart every client that watches`
        : `etcd ${version ?? '(version unknown)'} cannot bump revisions on restore (etcdutl --bump-revision needs 3.5+): the cluster restarts at revision ${String(revision)}, lower than what clients may have seen; watchers that resume from a later revision miss events or see revisions go backwards, so restart every client that watches (for Kubernetes: kube-apiserver, then controllers) after the restore`,
    'the new cluster token keeps restored members from joining the old cluster; the old data dirs are kept until you remove them',
  ];
  return {
    apiVersion: 'quorumctl/v1',
    kind: 'RestorePlan',
    backup: manifest.name,
    systemKind: 'etcd',
    targetCluster: request.targetCluster,
    steps,
    warnings,
  };
}

/** Quotes a word for a POSIX shell only when it needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
