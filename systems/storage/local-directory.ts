/**
 * Backups in a local directory (a path or a `file://` URL): data under `<name>.part` until
 * fsync and an atomic rename, the manifest written last through a temporary file, so a crash
 * at any point leaves nothing that `list` would call a good backup.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackupManifest } from '../../core/backup/manifest.js';
import type { BackupStorage, BackupWriter } from '../../core/backup/storage.js';
import { UsageError } from '../../core/errors.js';

export const MANIFEST_SUFFIX = '.manifest.json';
const PART_SUFFIX = '.part';
const TEMP_SUFFIX = '.tmp';
/** Writes are gathered into blocks of this size: one syscall per 32 KiB chunk costs ~10% at 500 MB. */
const WRITE_BLOCK_BYTES = 1024 * 1024;

/** `file:///var/backups/etcd`, `/var/backups/etcd` or `backups/etcd` (relative to `cwd`). */
export function directoryOf(location: string, cwd: string = process.cwd()): string {
  if (location.startsWith('file://')) {
    try {
      return fileURLToPath(location);
    } catch (cause) {
      throw new UsageError('DESTINATION_INVALID', `${location} is not a usable file:// URL`, {
        actions: ['write it as file:///absolute/path or as a plain path'],
        cause,
      });
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new UsageError(
      'DESTINATION_UNSUPPORTED',
      `backups can go to a local directory only (got ${location})`,
      { actions: ['pass a path or a file:// URL; object stores are not supported yet'] },
    );
  }
  return isAbsolute(location) ? location : resolve(cwd, location);
}

export function openLocalDirectory(location: string): LocalDirectoryStorage {
  return new LocalDirectoryStorage(location, directoryOf(location));
}

export class LocalDirectoryStorage implements BackupStorage {
  constructor(
    readonly location: string,
    readonly directory: string,
  ) {}

  async begin(name: string, dataFile: string): Promise<BackupWriter> {
    assertPlainFileName(name);
    assertPlainFileName(dataFile);
    await mkdir(this.directory, { recursive: true });
    for (const existing of [dataFile, `${name}${MANIFEST_SUFFIX}`]) {
      if (await exists(join(this.directory, existing))) {
        throw new UsageError(
          'BACKUP_EXISTS',
          `${join(this.directory, existing)} already exists: backups are never overwritten`,
          { actions: ['wait a second and run it again, or pick another destination'] },
        );
      }
    }
    const partPath = join(this.directory, `${name}${PART_SUFFIX}`);
    // `wx`: two runs that picked the same name must not write into one file.
    const handle = await open(partPath, 'wx', 0o600).catch((cause: unknown) => {
      throw (cause as NodeJS.ErrnoException).code === 'EEXIST'
        ? new UsageError('BACKUP_IN_PROGRESS', `${partPath} exists: another backup is writing it`, {
            actions: ['wait for it to finish, or remove the leftover with backup prune'],
            cause,
          })
        : cause;
    });
    return new LocalWriter(handle, partPath, join(this.directory, dataFile), this.directory);
  }

  async writeManifest(manifest: BackupManifest): Promise<void> {
    const path = join(this.directory, `${manifest.name}${MANIFEST_SUFFIX}`);
    await writeFileDurably(path, `${JSON.stringify(manifest, null, 2)}\n`, this.directory);
  }

  async list(): Promise<{ backups: BackupManifest[]; incomplete: string[] }> {
    let entries: string[];
    try {
      entries = await readdir(this.directory);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT')
        return { backups: [], incomplete: [] };
      throw cause;
    }
    const backups: BackupManifest[] = [];
    const incomplete: string[] = [];
    const claimed = new Set<string>();
    for (const entry of entries.filter((file) => file.endsWith(MANIFEST_SUFFIX)).sort()) {
      const manifest = await this.readManifest(entry);
      if (manifest === undefined) {
        incomplete.push(entry);
        continue;
      }
      claimed.add(manifest.dataFile);
      const data = await stat(join(this.directory, manifest.dataFile)).catch(() => undefined);
      if (data?.isFile() === true && data.size === manifest.sizeBytes) backups.push(manifest);
      else incomplete.push(entry);
    }
    for (const entry of entries.sort()) {
      if (entry.endsWith(MANIFEST_SUFFIX) || claimed.has(entry)) continue;
      // Half-written data, manifests or committed data whose manifest never came.
      if (entry.endsWith(PART_SUFFIX) || entry.endsWith(TEMP_SUFFIX) || looksLikeData(entry))
        incomplete.push(entry);
    }
    backups.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.name.localeCompare(a.name));
    return { backups, incomplete };
  }

  async *readData(manifest: BackupManifest): AsyncIterable<Uint8Array> {
    for await (const chunk of createReadStream(join(this.directory, manifest.dataFile), {
      highWaterMark: WRITE_BLOCK_BYTES,
    }))
      yield chunk as Buffer;
  }

  localPath(manifest: BackupManifest): string {
    return join(this.directory, manifest.dataFile);
  }

  async remove(manifest: BackupManifest): Promise<void> {
    assertPlainFileName(manifest.dataFile);
    await rm(join(this.directory, `${manifest.name}${MANIFEST_SUFFIX}`), { force: true });
    await syncDirectory(this.directory);
    await rm(join(this.directory, manifest.dataFile), { force: true });
  }

  async removeIncomplete(entry: string, olderThan: Date): Promise<boolean> {
    assertPlainFileName(entry);
    const path = join(this.directory, entry);
    const info = await stat(path).catch(() => undefined);
    if (info === undefined || !info.isFile() || info.mtime >= olderThan) return false;
    await unlink(path);
    return true;
  }

  private async readManifest(entry: string): Promise<BackupManifest | undefined> {
    try {
      const parsed = JSON.parse(await readFile(join(this.directory, entry), 'utf8')) as unknown;
      return isManifest(parsed) && `${parsed.name}${MANIFEST_SUFFIX}` === entry
        ? parsed
        : undefined;
    } catch {
      return undefined;
    }
  }
}

class LocalWriter implements BackupWriter {
  private readonly hash = createHash('sha256');
  private sizeBytes = 0;
  /**
   * Two blocks, reused: chunks are copied into one while the other is being written, so the
   * disk write overlaps receiving the next data instead of stalling it.
   */
  private blocks: Buffer[] | undefined = [
    Buffer.allocUnsafe(WRITE_BLOCK_BYTES),
    Buffer.allocUnsafe(WRITE_BLOCK_BYTES),
  ];
  private current = 0;
  private blockBytes = 0;
  private inFlight: Promise<unknown> | undefined;
  private state: 'open' | 'committed' | 'aborted' = 'open';

  constructor(
    private readonly handle: import('node:fs/promises').FileHandle,
    private readonly partPath: string,
    private readonly finalPath: string,
    private readonly directory: string,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (this.state !== 'open' || this.blocks === undefined)
      throw new Error(`backup writer is ${this.state}`);
    this.hash.update(chunk);
    this.sizeBytes += chunk.byteLength;
    let offset = 0;
    while (offset < chunk.byteLength) {
      const block = this.blocks[this.current] as Buffer;
      const taken = Math.min(chunk.byteLength - offset, block.length - this.blockBytes);
      block.set(chunk.subarray(offset, offset + taken), this.blockBytes);
      this.blockBytes += taken;
      offset += taken;
      if (this.blockBytes === block.length) await this.flush();
    }
  }

  async commit(): Promise<{ sizeBytes: number; sha256: string }> {
    if (this.state !== 'open') throw new Error(`backup writer is ${this.state}`);
    await this.flush();
    await this.inFlight;
    this.blocks = undefined;
    await this.handle.sync();
    await this.handle.close();
    if (await exists(this.finalPath)) {
      await this.abort();
      throw new UsageError('BACKUP_EXISTS', `${this.finalPath} appeared while writing`, {
        actions: ['run the backup again'],
      });
    }
    await rename(this.partPath, this.finalPath);
    await syncDirectory(this.directory);
    this.state = 'committed';
    return { sizeBytes: this.sizeBytes, sha256: this.hash.digest('hex') };
  }

  async abort(): Promise<void> {
    if (this.state === 'committed') return;
    this.state = 'aborted';
    this.blocks = undefined;
    await this.inFlight?.catch(() => undefined);
    await this.handle.close().catch(() => undefined);
    await rm(this.partPath, { force: true });
  }

  /** Starts writing the current block; waits only for the previous write (the other block). */
  private async flush(): Promise<void> {
    const block = this.blocks?.[this.current];
    if (this.blockBytes === 0 || block === undefined) return;
    await this.inFlight;
    this.inFlight = this.handle.write(block, 0, this.blockBytes);
    // A failed write surfaces at the next flush or at commit; never unhandled meanwhile.
    this.inFlight.catch(() => undefined);
    this.current = 1 - this.current;
    this.blockBytes = 0;
  }
}

/** Temporary file, fsync, rename, fsync of the directory: the file is either old or new, never half. */
export async function writeFileDurably(
  path: string,
  content: string,
  directory: string,
): Promise<void> {
  const temp = `${path}${TEMP_SUFFIX}`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  await syncDirectory(directory);
}

/** A rename is durable only once the directory entry is on disk too. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } catch (cause) {
    // Some filesystems refuse fsync on directories (EINVAL); the rename is as durable as they allow.
    if ((cause as NodeJS.ErrnoException).code !== 'EINVAL') throw cause;
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function assertPlainFileName(name: string): void {
  if (name === '' || name.includes('/') || name.includes('\\') || name === '.' || name === '..')
    throw new UsageError('BACKUP_NAME_INVALID', `"${name}" is not a plain file name`);
}

/** Data files of any kind: `<cluster>-<YYYYMMDD>T<HHMMSS>Z[-N].<ext>`. */
function looksLikeData(entry: string): boolean {
  return /-\d{8}T\d{6}Z(?:-\d+)?\.[a-z0-9.]+$/i.test(entry);
}

function isManifest(value: unknown): value is BackupManifest {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    record.apiVersion === 'quorumctl/v1' &&
    record.kind === 'BackupManifest' &&
    typeof record.name === 'string' &&
    typeof record.dataFile === 'string' &&
    !record.dataFile.includes('/') &&
    typeof record.sizeBytes === 'number' &&
    typeof record.sha256 === 'string' &&
    typeof record.startedAt === 'string' &&
    typeof record.systemKind === 'string'
  );
}
