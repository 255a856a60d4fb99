/** Finds runbooks: the built-in library (`runbooks/library/*.yaml`) or a file the operator names. */
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../core/errors.js';
import type { Runbook } from '../../core/runbook/model.js';
import { parseRunbook } from '../../core/runbook/parse.js';

/** dist/runbooks/engine/ -> the repository's runbooks/library/ (YAML is not compiled). */
export const LIBRARY_DIR = fileURLToPath(new URL('../../../runbooks/library/', import.meta.url));

export async function libraryNames(): Promise<string[]> {
  const files = await readdir(LIBRARY_DIR);
  return files
    .filter((file) => extname(file) === '.yaml')
    .map((file) => basename(file, '.yaml'))
    .sort();
}

export async function loadLibrary(operations: ReadonlySet<string>): Promise<Runbook[]> {
  return Promise.all((await libraryNames()).map((name) => loadRunbook(name, operations)));
}

/** A built-in name (`rolling-defrag`) or a path to a YAML file (anything with a `/` or `.yaml`). */
export async function loadRunbook(
  nameOrFile: string,
  operations: ReadonlySet<string>,
): Promise<Runbook> {
  const isFile = nameOrFile.includes('/') || /\.ya?ml$/.test(nameOrFile);
  const file = isFile ? nameOrFile : `${LIBRARY_DIR}${nameOrFile}.yaml`;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new UsageError(
      'RUNBOOK_NOT_FOUND',
      isFile ? `no runbook file ${file}` : `no built-in runbook "${nameOrFile}"`,
      { actions: [`built-in runbooks: ${(await libraryNames()).join(', ')}`] },
    );
  }
  // Files are recorded by absolute path, so `runbook resume` finds them from any directory.
  return parseRunbook(text, isFile ? resolve(nameOrFile) : `${BUILT_IN_PREFIX}${nameOrFile}.yaml`, {
    operations,
  });
}

const BUILT_IN_PREFIX = 'runbooks/library/';

/** Whether a runbook's `file` is a built-in one (reload it by name, not by path). */
export function isBuiltIn(file: string): boolean {
  return file.startsWith(BUILT_IN_PREFIX);
}
