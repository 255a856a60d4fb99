/** etcd backups: the Maintenance Snapshot stream through the JSON gateway (work in progress). */
import { BACKUP_FORMATS } from '../../core/backup/manifest.js';
import type { BackupKindSupport } from '../../core/backup/producer.js';
import { UnsupportedOperationError } from '../../core/errors.js';

const notYet = (): never => {
  throw new UnsupportedOperationError('BACKUP_NOT_SUPPORTED', 'etcd backups are being built');
};

export const backupSupport: BackupKindSupport = {
  kind: 'etcd',
  format: BACKUP_FORMATS.etcd,
  dataFileExtension: '.db',
  openProducer: notYet,
  checkStructure: () => Promise.resolve(notYet()),
};
