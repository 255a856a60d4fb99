/** Reads a history file from disk and parses it; a missing file is a usage error. */
import { readFile } from 'node:fs/promises';
import { describeCause, UsageError } from '../../core/errors.js';
import { parseHistory, type ParsedHistory, type ParseRequest } from './parse/index.js';

export async function readHistoryFile(
  path: string,
  request: Omit<ParseRequest, 'fileName'>,
): Promise<ParsedHistory> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError('HISTORY_UNREADABLE', `cannot read ${path}: ${describeCause(error)}`, {
      actions: ['check the path; histories are JSON, Jepsen etcd logs or Jepsen EDN'],
      details: { file: path },
      cause: error,
    });
  }
  return parseHistory(text, { ...request, fileName: path });
}
