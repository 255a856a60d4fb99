/**
 * The ZooKeeper tree dump (`zookeeper-tree-dump`, JSON Lines): a header, one line per znode
 * with parents before children, and a trailer; how lines are written, parsed and checked.
 */
import { TreeDigest } from './zookeeper-digest.js';

export const ZOOKEEPER_DUMP_FORMAT = 'zookeeper-tree-dump';
export const ZOOKEEPER_DUMP_VERSION = 1;

/** ZooKeeper's permission names, in the order of their bits (1, 2, 4, 8, 16). */
export const ZNODE_PERMISSIONS = ['READ', 'WRITE', 'CREATE', 'DELETE', 'ADMIN'] as const;
export type ZnodePermissionName = (typeof ZNODE_PERMISSIONS)[number];

/**
 * What the znode's `ephemeralOwner` says it is: a session's `ephemeral` znode (not restored:
 * it belongs to a session), a `container` (owner 0x8000000000000000) or a `ttl` znode (owner's
 * top byte 0xff), both restored as persistent znodes.
 */
export type ZnodeKind = 'persistent' | 'ephemeral' | 'container' | 'ttl';

export interface DumpAcl {
  scheme: string;
  id: string;
  permissions: ZnodePermissionName[];
}

/** ZooKeeper's Stat with its own field names; zxids and the owner as `0x` hex, times ISO 8601. */
export interface DumpStat {
  version: number;
  cversion: number;
  aversion: number;
  ctime: string;
  mtime: string;
  czxid: string;
  mzxid: string;
  pzxid: string;
  ephemeralOwner: string;
  dataLength: number;
  numChildren: number;
}

export interface DumpHeader {
  type: 'header';
  format: typeof ZOOKEEPER_DUMP_FORMAT;
  formatVersion: typeof ZOOKEEPER_DUMP_VERSION;
  /** The znode the walk started at (`/` for the whole tree). */
  root: string;
  /** The server the tree was read from (`server.N`) and its endpoint. */
  member: string;
  endpoint: string;
  /** That server's last processed zxid before the first read. */
  zxidStart: string;
  startedAt: string;
}

export interface DumpZnode {
  type: 'znode';
  path: string;
  kind: ZnodeKind;
  /** Base64. */
  data: string;
  acl: DumpAcl[];
  stat: DumpStat;
}

export interface DumpTrailer {
  type: 'end';
  /** Every znode line, ephemeral ones included. */
  znodes: number;
  ephemeralZnodes: number;
  /** Znodes listed by a parent but gone before they were read (the walk is not atomic). */
  vanishedZnodes: number;
  /** The server's last processed zxid after the last read. */
  zxidEnd: string;
  /** Tree digest of the znodes a restore re-creates (see zookeeper-digest.ts). */
  treeDigest: string;
  finishedAt: string;
}

export type DumpRecord = DumpHeader | DumpZnode | DumpTrailer;

/** A dump that cannot be used, with the 1-based line where that became clear. */
export class DumpFormatError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'DumpFormatError';
  }
}

export function encodeDumpRecord(record: DumpRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/** Owner 0 is persistent; ZooKeeper marks containers and TTL znodes with reserved owners. */
export function znodeKindOf(ephemeralOwner: string): ZnodeKind {
  const owner = BigInt(ephemeralOwner);
  if (owner === 0n) return 'persistent';
  if (owner === 0x8000000000000000n) return 'container';
  if (owner >> 56n === 0xffn) return 'ttl';
  return 'ephemeral';
}

/** Whether a restore re-creates the znode (ephemeral ones belong to sessions). */
export function isRestorable(znode: Pick<DumpZnode, 'kind'>): boolean {
  return znode.kind !== 'ephemeral';
}

/** `/a/b` -> `/a`, `/a` -> `/`, `/` -> undefined. */
export function parentPath(path: string): string | undefined {
  if (path === '/') return undefined;
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** `/` is 0, `/a` is 1, `/a/b` is 2. */
export function pathDepth(path: string): number {
  return path === '/' ? 0 : path.split('/').length - 1;
}

export function joinPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}

/** Splits a byte stream into records, whatever the chunk boundaries; the last line must end. */
export async function* parseDump(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<DumpRecord> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  let line = 0;
  for await (const chunk of chunks) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw new DumpFormatError('not UTF-8 text', line + 1);
    }
    pending += text;
    let start = 0;
    let newline = pending.indexOf('\n', start);
    while (newline >= 0) {
      line += 1;
      yield parseDumpLine(pending.slice(start, newline), line);
      start = newline + 1;
      newline = pending.indexOf('\n', start);
    }
    pending = pending.slice(start);
  }
  if (pending !== '')
    throw new DumpFormatError('the last line is cut off (truncated dump)', line + 1);
}

export function parseDumpLine(text: string, line: number): DumpRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DumpFormatError('not a JSON object', line);
  }
  if (!isObject(value)) throw new DumpFormatError('not a JSON object', line);
  const fail = (what: string): never => {
    throw new DumpFormatError(`${String(value.type)} record: ${what}`, line);
  };
  switch (value.type) {
    case 'header':
      if (value.format !== ZOOKEEPER_DUMP_FORMAT) fail(`format is not ${ZOOKEEPER_DUMP_FORMAT}`);
      if (value.formatVersion !== ZOOKEEPER_DUMP_VERSION)
        fail(`formatVersion ${String(value.formatVersion)} is not ${ZOOKEEPER_DUMP_VERSION}`);
      for (const field of ['root', 'member', 'endpoint', 'zxidStart', 'startedAt'])
        if (typeof value[field] !== 'string') fail(`${field} is not a string`);
      return value as unknown as DumpHeader;
    case 'znode':
      if (typeof value.path !== 'string' || !isZnodePath(value.path)) fail('bad path');
      if (!['persistent', 'ephemeral', 'container', 'ttl'].includes(String(value.kind)))
        fail('bad kind');
      if (typeof value.data !== 'string' || !BASE64.test(value.data)) fail('data is not base64');
      if (!Array.isArray(value.acl) || value.acl.length === 0 || !value.acl.every(isDumpAcl))
        fail('bad acl');
      if (!isDumpStat(value.stat)) fail('bad stat');
      return value as unknown as DumpZnode;
    case 'end':
      for (const field of ['znodes', 'ephemeralZnodes', 'vanishedZnodes'])
        if (!Number.isSafeInteger(value[field])) fail(`${field} is not an integer`);
      for (const field of ['zxidEnd', 'treeDigest', 'finishedAt'])
        if (typeof value[field] !== 'string') fail(`${field} is not a string`);
      return value as unknown as DumpTrailer;
    default:
      throw new DumpFormatError(`unknown record type ${JSON.stringify(value.type)}`, line);
  }
}

export interface DumpFacts {
  root: string;
  member: string;
  zxidStart: string;
  zxidEnd: string;
  znodes: number;
  restorableZnodes: number;
  ephemeralZnodes: number;
  dataBytes: number;
  treeDigest: string;
}

/**
 * Checks a dump record by record: header first, each path once, every parent before its
 * children, a trailer last whose counts and tree digest match what came before. Keeps
 * only the set of paths seen.
 */
export class DumpChecker {
  private header: DumpHeader | undefined;
  private trailer: DumpTrailer | undefined;
  private readonly seen = new Set<string>();
  private readonly digest = new TreeDigest();
  private line = 0;
  private znodes = 0;
  private ephemeral = 0;
  private dataBytes = 0;

  accept(record: DumpRecord): void {
    this.line += 1;
    if (this.trailer !== undefined)
      throw new DumpFormatError('a record after the trailer', this.line);
    if (record.type === 'header') {
      if (this.header !== undefined) throw new DumpFormatError('a second header', this.line);
      this.header = record;
      return;
    }
    const header = this.header;
    if (header === undefined)
      throw new DumpFormatError('the first line is not the header', this.line);
    if (record.type === 'end') {
      this.trailer = record;
      return;
    }
    const { path } = record;
    if (this.seen.has(path)) throw new DumpFormatError(`${path} appears twice`, this.line);
    if (path === header.root) {
      if (this.seen.size > 0) throw new DumpFormatError(`the root ${path} is not first`, this.line);
    } else {
      const parent = parentPath(path);
      if (!isUnder(path, header.root))
        throw new DumpFormatError(`${path} is outside the root ${header.root}`, this.line);
      if (parent === undefined || !this.seen.has(parent))
        throw new DumpFormatError(`${path} comes before its parent`, this.line);
    }
    this.seen.add(path);
    this.znodes += 1;
    const data = Buffer.from(record.data, 'base64');
    this.dataBytes += data.length;
    if (isRestorable(record)) this.digest.add({ path, data, acl: record.acl });
    else this.ephemeral += 1;
  }

  /** The facts of a complete dump, or a DumpFormatError. */
  finish(): DumpFacts {
    const { header, trailer } = this;
    if (header === undefined) throw new DumpFormatError('empty dump', 1);
    if (trailer === undefined)
      throw new DumpFormatError('no trailer: the dump was cut off', this.line + 1);
    const treeDigest = this.digest.digest();
    const mismatch = (what: string, recorded: string | number, found: string | number) =>
      new DumpFormatError(
        `the trailer says ${what} ${recorded}, the lines give ${found}`,
        this.line,
      );
    if (trailer.znodes !== this.znodes) throw mismatch('znodes', trailer.znodes, this.znodes);
    if (trailer.ephemeralZnodes !== this.ephemeral)
      throw mismatch('ephemeralZnodes', trailer.ephemeralZnodes, this.ephemeral);
    if (trailer.treeDigest !== treeDigest)
      throw mismatch('treeDigest', trailer.treeDigest, treeDigest);
    return {
      root: header.root,
      member: header.member,
      zxidStart: header.zxidStart,
      zxidEnd: trailer.zxidEnd,
      znodes: this.znodes,
      restorableZnodes: this.znodes - this.ephemeral,
      ephemeralZnodes: this.ephemeral,
      dataBytes: this.dataBytes,
      treeDigest,
    };
  }
}

/** What a restore must reproduce: the digest and count of the re-created znodes. */
export function zookeeperFingerprint(facts: { treeDigest: string; restorableZnodes: number }): {
  treeDigest: string;
  znodes: number;
} {
  return { treeDigest: facts.treeDigest, znodes: facts.restorableZnodes };
}

export function isUnder(path: string, root: string): boolean {
  return root === '/' ? path.startsWith('/') : path === root || path.startsWith(`${root}/`);
}

function isZnodePath(path: string): boolean {
  return path === '/' || (path.startsWith('/') && !path.endsWith('/') && !path.includes('//'));
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDumpAcl(value: unknown): boolean {
  return (
    isObject(value) &&
    typeof value.scheme === 'string' &&
    typeof value.id === 'string' &&
    Array.isArray(value.permissions) &&
    value.permissions.every((permission) =>
      (ZNODE_PERMISSIONS as readonly unknown[]).includes(permission),
    )
  );
}

function isDumpStat(value: unknown): boolean {
  if (!isObject(value)) return false;
  const integers = ['version', 'cversion', 'aversion', 'dataLength', 'numChildren'];
  const strings = ['ctime', 'mtime', 'czxid', 'mzxid', 'pzxid', 'ephemeralOwner'];
  return (
    integers.every((field) => Number.isSafeInteger(value[field])) &&
    strings.every((field) => typeof value[field] === 'string')
  );
}
