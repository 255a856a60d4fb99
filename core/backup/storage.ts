/**
 * Where backups live. A local directory implements it first; an object store can follow
 * without touching the backup logic, because everything goes through this port.
 *
 * The contract that keeps half-done backups invisible: data is written under a temporary
 * name and only `commit` (after fsync) gives it its final name; the manifest is written
 * last, atomically, and `list` shows only backups whose manifest exists and whose data has
 * the size the manifest records.
 */
import type { BackupManifest } from './manifest.js';

export interface BackupWriter {
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes to stable storage and publishes the data under its final name. */
  commit(): Promise<{ sizeBytes: number; sha256: string }>;
  /** Removes whatever was written; safe to call after a failed write. */
  abort(): Promise<void>;
}

export interface BackupStorage {
  /** As the operator wrote it: a path or `file://` URL (later `s3://...`). */
  readonly location: string;
  /** Starts the data of backup `name`; `dataFile` is the name it will have once committed. */
  begin(name: string, dataFile: string): Promise<BackupWriter>;
  /** Written after the data is committed: a backup without a manifest does not exist. */
  writeManifest(manifest: BackupManifest): Promise<void>;
  /** Complete backups, newest first; incomplete leftovers are reported, never listed as good. */
  list(): Promise<{ backups: BackupManifest[]; incomplete: string[] }>;
  readData(manifest: BackupManifest): AsyncIterable<Uint8Array>;
  /** Removes the manifest first, then the data, so a crash in between leaves no false backup. */
  remove(manifest: BackupManifest): Promise<void>;
  /**
   * The data as a local file, when the storage has one (a directory does; an object store
   * does not, and callers copy the data to a temporary file instead).
   */
  localPath?(manifest: BackupManifest): string | undefined;
  /**
   * Removes one leftover `list` reported as incomplete if it was last touched before
   * `olderThan` (a younger `.part` may be a backup still running); says whether it did.
   */
  removeIncomplete?(entry: string, olderThan: Date): Promise<boolean>;
}
