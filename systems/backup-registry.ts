/** Maps a system kind to its backup support, importing the module only when it is used. */
import type { BackupKindSupport } from '../core/backup/producer.js';
import { UnsupportedOperationError } from '../core/errors.js';
import type { SystemKind } from '../core/model.js';

type BackupModule = { backupSupport: BackupKindSupport };

// One line per kind; each module exports `backupSupport`.
const BACKUP_KINDS: Partial<Record<SystemKind, () => Promise<BackupModule>>> = {
  etcd: () => import('./etcd/snapshot.js'),
  zookeeper: () => import('./zookeeper/backup.js'),
  nats: () => import('./nats/backup.js'),
};

export function backupKinds(): SystemKind[] {
  return Object.keys(BACKUP_KINDS) as SystemKind[];
}

export async function backupSupportFor(kind: SystemKind): Promise<BackupKindSupport> {
  const load = BACKUP_KINDS[kind];
  if (load === undefined) {
    throw new UnsupportedOperationError(
      'BACKUP_NOT_SUPPORTED',
      `quorumctl cannot back up ${kind} clusters yet`,
      { actions: [`kinds with backups: ${backupKinds().join(', ')}`] },
    );
  }
  return (await load()).backupSupport;
}
