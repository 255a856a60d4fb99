/**
 * Reads an etcd snapshot (a bbolt file plus etcd's SHA-256 trailer) as it streams past, and
 * checks what `etcdctl snapshot status` checks: valid meta pages, every page reachable once
 * and with a matching header (bbolt's tx.Check), the trailer hash, and reports the revision
 * (the last key of the `key` bucket) and the total key count the same way.
 *
 * Streaming matters: the snapshot is never held in memory. Pages arrive in file order but the
 * tree is only known at the end, so each page leaves a small summary in typed arrays
 * (~15 bytes a page) and the tree is walked when the stream ends.
 */
import { createHash, type Hash } from 'node:crypto';

const BRANCH = 0x01;
const LEAF = 0x02;
const META = 0x04;
const FREELIST = 0x10;
const BUCKET_LEAF_FLAG = 0x01;
const MAGIC = 0xed0cdaed;
const PAGE_HEADER_BYTES = 16;
const ELEMENT_BYTES = 16;
const BUCKET_HEADER_BYTES = 16;
const SHA256_BYTES = 32;
const NO_FREELIST = 0xffffffffffffffffn;
/** A page run longer than this is not assembled (etcd values are at most a few MiB). */
const MAX_RUN_BYTES = 64 * 1024 * 1024;
const MAX_PROBLEMS = 5;

/** Page kinds as recorded per page id. */
const Kind = { Unknown: 0, Branch: 1, Leaf: 2, Freelist: 3, Invalid: 4 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

export interface BboltFacts {
  pageSizeBytes: number;
  /** The bbolt file's size (pages × page size), as `etcdctl snapshot status` reports it. */
  totalSizeBytes: number;
  /** The last revision in the `key` bucket (0 when it is empty). */
  revision: number;
  /** Key/value pairs in all top-level buckets, like etcdctl's totalKey. */
  totalKeys: number;
  buckets: string[];
  txid: number;
  /** Whether etcd's 32-byte SHA-256 trailer was present (it always is from the snapshot API). */
  hashTrailer: boolean;
}

export class SnapshotStructureError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'SnapshotStructureError';
  }
}

interface Meta {
  pageSize: number;
  rootPgid: number;
  freelistPgid: bigint;
  highWaterPgid: number;
  txid: number;
}

interface BucketRef {
  name: string;
  /** 0 for an inline bucket, whose single leaf is in `inline`. */
  root: number;
  inline?: LeafSummary;
}

interface LeafSummary {
  /** Plain key/value elements. */
  count: number;
  /** Main revision of the last key when it is an etcd revision key, else -1. */
  lastRevision: number;
  buckets: BucketRef[];
}

/** A page run being collected: one buffer for the whole run, filled page by page. */
interface Assembly {
  pgid: number;
  pages: number;
  filled: number;
  bytes: Buffer;
}

export class BboltSnapshotReader {
  private carry: Buffer = Buffer.alloc(0);
  private nextPage = 0;
  private pageBytes = 0;
  private meta: Meta | undefined;
  private metaCandidates: (Meta | string)[] = [];
  private dataHash: Hash = createHash('sha256');
  private trailer: Buffer[] = [];
  private trailerBytes = 0;
  private assemblies: Assembly[] = [];
  private sparseRuns: SparseLeafRun[] = [];
  private problems: string[] = [];
  // Per page id, allocated once the meta page gives the page count.
  private kinds = new Uint8Array(0);
  private overflows = new Uint32Array(0);
  private leafCounts = new Uint16Array(0);
  private lastRevisions = new Float64Array(0);
  private readonly branchChildren = new Map<number, number[]>();
  private readonly bucketRefs = new Map<number, BucketRef[]>();
  private readonly pageProblems = new Map<number, string>();
  private freePages: Uint8Array | undefined;

  push(chunk: Uint8Array): void {
    const input = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const buffer = this.carry.length === 0 ? input : Buffer.concat([this.carry, input]);
    // Pages are read in place by offset: no object per page, so a large snapshot streams
    // through without feeding the garbage collector.
    let offset = 0;
    let trailerAt: number | undefined;
    for (;;) {
      // Past the database's last page: the rest is etcd's hash trailer (or garbage).
      if (this.meta !== undefined && this.nextPage >= this.meta.highWaterPgid) {
        trailerAt = offset;
        break;
      }
      const pageSize = this.pageSizeFor(buffer.subarray(offset, offset + 4096));
      if (pageSize === undefined || buffer.length - offset < pageSize) break;
      this.page(buffer, offset, pageSize);
      this.pageBytes += pageSize;
      offset += pageSize;
    }
    if (offset > 0) this.dataHash.update(buffer.subarray(0, offset));
    if (trailerAt !== undefined) {
      this.keepTrailer(buffer.subarray(trailerAt));
      offset = buffer.length;
    }
    // Copied: the carry must not pin the caller's (possibly large, reused) chunk.
    this.carry = offset === buffer.length ? Buffer.alloc(0) : Buffer.from(buffer.subarray(offset));
  }

  /** Walks the tree and returns the facts, or throws SnapshotStructureError with every problem. */
  finish(): BboltFacts {
    const meta = this.meta;
    if (meta === undefined) {
      const why = this.metaCandidates.filter((candidate) => typeof candidate === 'string');
      throw new SnapshotStructureError(
        this.pageBytes < 2 * 4096 && why.length === 0
          ? [`too short for a bbolt file: ${this.pageBytes + this.carry.length} bytes`]
          : why.length > 0
            ? [`no valid meta page: ${why.join('; ')}`]
            : ['no valid meta page'],
      );
    }
    const dataBytes = meta.highWaterPgid * meta.pageSize;
    if (this.pageBytes < dataBytes)
      this.problem(
        `truncated: ${this.pageBytes + this.carry.length} of ${dataBytes} bytes of the database`,
      );
    const trailer = Buffer.concat(this.trailer);
    let hashTrailer = false;
    if (trailer.length === SHA256_BYTES) {
      hashTrailer = true;
      if (this.pageBytes === dataBytes && !this.dataHash.digest().equals(trailer))
        this.problem("the SHA-256 trailer etcd appended does not match the database's contents");
    } else if (trailer.length > 0) {
      this.problem(
        `${trailer.length} unexpected bytes after the database (expected none or a ${SHA256_BYTES}-byte SHA-256)`,
      );
    }

    const reached = new Uint8Array(meta.highWaterPgid);
    reached[0] = 1;
    reached[1] = 1;
    const walk = new TreeWalk(this, meta, reached);
    const top = walk.bucketTree(meta.rootPgid, 'the root bucket');
    const buckets: string[] = [];
    let totalKeys = 0;
    let revision = 0;
    for (const bucket of top.buckets) {
      buckets.push(bucket.name);
      const summary = bucket.inline ?? walk.bucketTree(bucket.root, `bucket "${bucket.name}"`);
      walk.nested(summary, bucket.name);
      totalKeys += summary.count + summary.buckets.length;
      if (bucket.name === 'key') revision = Math.max(0, summary.lastRevision);
    }
    // bbolt's Check: with a persisted freelist every page is either reachable or free.
    if (meta.freelistPgid !== NO_FREELIST) {
      const freelist = Number(meta.freelistPgid);
      walk.reach(freelist, 'the freelist');
      const free = this.freePages;
      for (let pgid = 2; pgid < meta.highWaterPgid; pgid += 1) {
        const isFree = free?.[pgid] === 1;
        if (isFree && reached[pgid] === 1) this.problem(`page ${pgid}: reachable freed`);
        else if (!isFree && reached[pgid] !== 1) this.problem(`page ${pgid}: unreachable unfreed`);
      }
    }
    this.problems.push(...walk.problems);
    if (this.problems.length > 0)
      throw new SnapshotStructureError(this.problems.slice(0, MAX_PROBLEMS));
    return {
      pageSizeBytes: meta.pageSize,
      totalSizeBytes: dataBytes,
      revision,
      totalKeys,
      buckets,
      txid: meta.txid,
      hashTrailer,
    };
  }

  /** @internal for TreeWalk */
  pageInfo(pgid: number) {
    return {
      kind: this.kinds[pgid] as Kind,
      overflow: this.overflows[pgid] ?? 0,
      leafCount: this.leafCounts[pgid] ?? 0,
      lastRevision: this.lastRevisions[pgid] ?? -1,
      children: this.branchChildren.get(pgid),
      buckets: this.bucketRefs.get(pgid) ?? [],
      problem: this.pageProblems.get(pgid),
    };
  }

  private problem(text: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(text);
  }

  private keepTrailer(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.trailerBytes += bytes.length;
    // Only the first bytes matter; the count tells how much garbage followed.
    if (this.trailerBytes <= 1024) this.trailer.push(Buffer.from(bytes));
  }

  /** Page 0 is read at the smallest bbolt page size; its meta then tells the real one. */
  private pageSizeFor(buffer: Buffer): number | undefined {
    if (this.meta !== undefined) return this.meta.pageSize;
    if (this.nextPage === 0) return buffer.length >= 4096 ? pageSizeFromHeader(buffer) : undefined;
    return this.firstMetaPageSize ?? 4096;
  }

  private firstMetaPageSize: number | undefined;

  private page(buffer: Buffer, at: number, pageSize: number): void {
    const pgid = this.nextPage;
    this.nextPage += 1;
    if (pgid < 2) {
      const meta = readMeta(buffer.subarray(at, at + pageSize), pgid);
      this.metaCandidates.push(meta);
      if (pgid === 0 && typeof meta !== 'string') this.firstMetaPageSize = meta.pageSize;
      if (pgid === 1) this.chooseMeta();
      return;
    }
    const meta = this.meta;
    if (meta === undefined) return; // no usable meta: finish() reports it
    if (this.sparseRuns.length > 0) this.feedSparseRuns(buffer, at, pageSize);
    if (this.assemblies.length > 0) this.feedAssemblies(buffer, at, pageSize);
    if (pgid >= meta.highWaterPgid) return;
    // The page id, as two 32-bit halves (a BigInt per page would cost an allocation).
    if (buffer.readUInt32LE(at) !== pgid || buffer.readUInt32LE(at + 4) !== 0) return; // an overflow continuation, or never written
    const flags = buffer.readUInt16LE(at + 8);
    const overflow = buffer.readUInt32LE(at + 12);
    if (flags !== BRANCH && flags !== LEAF && flags !== FREELIST) {
      this.markInvalid(pgid, `unexpected page flags 0x${flags.toString(16)}`);
      return;
    }
    const page = buffer.subarray(at, at + pageSize);
    this.overflows[pgid] = overflow;
    if (overflow === 0) {
      this.summarize(pgid, page);
    } else if (pgid + overflow >= meta.highWaterPgid) {
      this.markInvalid(pgid, `overflow of ${overflow} pages runs past the end of the file`);
    } else if ((overflow + 1) * meta.pageSize > MAX_RUN_BYTES) {
      this.markInvalid(pgid, `a run of ${overflow + 1} pages is larger than quorumctl reads`);
    } else if (flags === LEAF) {
      const count = page.readUInt16LE(10);
      const wanted = SparseLeafRun.wanted(page, count, (overflow + 1) * meta.pageSize);
      if (typeof wanted === 'string') {
        this.markInvalid(pgid, wanted);
        return;
      }
      this.sparseRuns.push(
        new SparseLeafRun(pgid, overflow + 1, count, meta.pageSize, Buffer.from(page), wanted),
      );
    } else {
      const bytes = Buffer.allocUnsafe((overflow + 1) * meta.pageSize);
      page.copy(bytes, 0);
      this.assemblies.push({ pgid, pages: overflow + 1, filled: 1, bytes });
    }
  }

  private feedSparseRuns(buffer: Buffer, at: number, pageSize: number): void {
    for (const run of [...this.sparseRuns]) {
      run.accept(buffer, at, pageSize);
      if (run.filled !== run.pages) continue;
      this.sparseRuns.splice(this.sparseRuns.indexOf(run), 1);
      try {
        this.summarizeLeaf(run.pgid, run, run.count);
      } catch (cause) {
        this.markInvalid(run.pgid, cause instanceof Error ? cause.message : String(cause));
      }
    }
  }

  private feedAssemblies(buffer: Buffer, at: number, pageSize: number): void {
    for (const assembly of [...this.assemblies]) {
      buffer.copy(assembly.bytes, assembly.filled * pageSize, at, at + pageSize);
      assembly.filled += 1;
      if (assembly.filled !== assembly.pages) continue;
      this.assemblies.splice(this.assemblies.indexOf(assembly), 1);
      this.summarize(assembly.pgid, assembly.bytes);
    }
  }

  private chooseMeta(): void {
    const valid = this.metaCandidates.filter(
      (candidate): candidate is Meta => typeof candidate !== 'string',
    );
    const best = valid.sort((a, b) => b.txid - a.txid)[0];
    if (best === undefined) return;
    this.meta = best;
    const pages = best.highWaterPgid;
    this.kinds = new Uint8Array(pages);
    this.overflows = new Uint32Array(pages);
    this.leafCounts = new Uint16Array(pages);
    this.lastRevisions = new Float64Array(pages).fill(-1);
    if (best.freelistPgid !== NO_FREELIST) this.freePages = new Uint8Array(pages);
  }

  private markInvalid(pgid: number, why: string): void {
    this.kinds[pgid] = Kind.Invalid;
    this.pageProblems.set(pgid, why);
  }

  private summarize(pgid: number, page: Buffer): void {
    const flags = page.readUInt16LE(8);
    const count = page.readUInt16LE(10);
    try {
      if (flags === BRANCH) {
        this.kinds[pgid] = Kind.Branch;
        this.branchChildren.set(pgid, readBranch(page, count));
      } else if (flags === LEAF) {
        this.summarizeLeaf(pgid, wholeBytes(page), count);
      } else if (flags === FREELIST) {
        this.kinds[pgid] = Kind.Freelist;
        if (this.meta !== undefined && BigInt(pgid) === this.meta.freelistPgid)
          this.readFreelist(page, count);
      }
    } catch (cause) {
      this.markInvalid(pgid, cause instanceof Error ? cause.message : String(cause));
    }
  }

  private summarizeLeaf(pgid: number, bytes: Bytes, count: number): void {
    const summary = readLeaf(bytes, 0, count);
    this.kinds[pgid] = Kind.Leaf;
    this.leafCounts[pgid] = summary.count;
    this.lastRevisions[pgid] = summary.lastRevision;
    if (summary.buckets.length > 0) this.bucketRefs.set(pgid, summary.buckets);
  }

  private readFreelist(page: Buffer, headerCount: number): void {
    let offset = PAGE_HEADER_BYTES;
    let count = headerCount;
    // bbolt stores counts of 0xFFFF and more in the first element.
    if (headerCount === 0xffff) {
      count = Number(page.readBigUInt64LE(offset));
      offset += 8;
    }
    if (offset + count * 8 > page.length) throw new Error('freelist longer than its page');
    const free = this.freePages;
    for (let index = 0; index < count; index += 1) {
      const id = Number(page.readBigUInt64LE(offset + index * 8));
      if (free !== undefined && id < free.length) free[id] = 1;
    }
  }
}

/** Walks the recorded page summaries from a bucket's root, marking every page it reaches. */
class TreeWalk {
  readonly problems: string[] = [];

  constructor(
    private readonly reader: BboltSnapshotReader,
    private readonly meta: Meta,
    private readonly reached: Uint8Array,
  ) {}

  /** Marks a page run as referenced; false when it cannot be (out of range, twice). */
  reach(pgid: number, owner: string): boolean {
    if (pgid < 2 || pgid >= this.meta.highWaterPgid) {
      this.problem(
        `${owner} references page ${pgid}, outside the file (2..${this.meta.highWaterPgid - 1})`,
      );
      return false;
    }
    const info = this.reader.pageInfo(pgid);
    for (let page = pgid; page <= pgid + info.overflow && page < this.reached.length; page += 1) {
      if (this.reached[page] === 1) {
        this.problem(`page ${page}: multiple references`);
        return false;
      }
      this.reached[page] = 1;
    }
    return true;
  }

  bucketTree(root: number, owner: string): LeafSummary {
    const total: LeafSummary = { count: 0, lastRevision: -1, buckets: [] };
    const visit = (pgid: number, depth: number) => {
      if (depth > 64) {
        this.problem(`${owner}: the tree is deeper than 64 levels at page ${pgid}`);
        return;
      }
      if (!this.reach(pgid, owner)) return;
      const info = this.reader.pageInfo(pgid);
      if (info.kind === Kind.Branch) {
        for (const child of info.children ?? []) visit(child, depth + 1);
      } else if (info.kind === Kind.Leaf) {
        total.count += info.leafCount;
        // Children are visited in key order, so the last leaf seen holds the last key.
        total.lastRevision = info.lastRevision;
        total.buckets.push(...info.buckets);
      } else {
        this.problem(
          `${owner}: page ${pgid} is ${info.problem ?? 'not a branch or leaf page (its header does not name it)'}`,
        );
      }
    };
    visit(root, 0);
    return total;
  }

  /** Buckets inside a top-level bucket (etcd has none, bbolt allows them): their pages count as reached. */
  nested(summary: LeafSummary, owner: string): void {
    for (const bucket of summary.buckets) {
      const name = `${owner}/${bucket.name}`;
      this.nested(bucket.inline ?? this.bucketTree(bucket.root, `bucket "${name}"`), name);
    }
  }

  private problem(text: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(text);
  }
}

function pageSizeFromHeader(buffer: Buffer): number {
  // Page 0 holds a meta; its page size is at byte 24. Unreadable: bbolt's default, 4096.
  const size = buffer.readUInt32LE(PAGE_HEADER_BYTES + 8);
  return size >= 1024 && size <= 65536 && (size & (size - 1)) === 0 ? size : 4096;
}

function readMeta(page: Buffer, pgid: number): Meta | string {
  const at = PAGE_HEADER_BYTES;
  if (page.length < at + 64) return `meta page ${pgid} is too short`;
  if (page.readUInt16LE(8) !== META) return `page ${pgid} is not a meta page`;
  if (page.readUInt32LE(at) !== MAGIC) return `meta page ${pgid} has the wrong magic number`;
  const version = page.readUInt32LE(at + 4);
  if (version !== 2) return `meta page ${pgid} has version ${version}, not 2`;
  if (fnv64a(page.subarray(at, at + 56)) !== page.readBigUInt64LE(at + 56))
    return `meta page ${pgid} fails its checksum`;
  return {
    pageSize: page.readUInt32LE(at + 8),
    rootPgid: Number(page.readBigUInt64LE(at + 16)),
    freelistPgid: page.readBigUInt64LE(at + 32),
    highWaterPgid: Number(page.readBigUInt64LE(at + 40)),
    txid: Number(page.readBigUInt64LE(at + 48)),
  };
}

function readBranch(page: Buffer, count: number): number[] {
  const children: number[] = [];
  let previous: Buffer | undefined;
  for (let index = 0; index < count; index += 1) {
    const element = PAGE_HEADER_BYTES + index * ELEMENT_BYTES;
    if (element + ELEMENT_BYTES > page.length) throw new Error('branch elements overrun the page');
    const pos = page.readUInt32LE(element);
    const keySize = page.readUInt32LE(element + 4);
    const key = slice(page, element + pos, keySize, 'branch key');
    if (previous !== undefined && Buffer.compare(previous, key) >= 0)
      throw new Error('branch keys out of order');
    previous = key;
    children.push(Number(page.readBigUInt64LE(element + 8)));
  }
  return children;
}

/** Random access to a page's bytes: a whole buffer, or only the parts of a run that matter. */
interface Bytes {
  readonly length: number;
  u32(at: number): number;
  /** Exactly these bytes; throws when they are out of range or were not kept. */
  slice(start: number, length: number, what: string): Buffer;
}

function wholeBytes(buffer: Buffer): Bytes {
  return {
    length: buffer.length,
    u32: (at) => buffer.readUInt32LE(at),
    slice: (start, length, what) => slice(buffer, start, length, what),
  };
}

/**
 * A leaf page with overflow pages (etcd values of several pages): only its element headers
 * and the keys (and bucket headers) are kept as the pages pass, never the values, so a
 * database of large values streams through in constant memory.
 */
class SparseLeafRun implements Bytes {
  readonly length: number;
  private readonly ranges: { start: number; bytes: Buffer }[];
  filled = 0;

  constructor(
    readonly pgid: number,
    readonly pages: number,
    readonly count: number,
    private readonly pageSize: number,
    private readonly head: Buffer,
    wanted: readonly (readonly [number, number])[],
  ) {
    this.length = pages * pageSize;
    this.ranges = wanted.map(([start, length]) => ({ start, bytes: Buffer.alloc(length) }));
    this.accept(head, 0, pageSize);
  }

  /** The next page of the run, in order. */
  accept(buffer: Buffer, at: number, pageSize: number): void {
    const pageStart = this.filled * this.pageSize;
    const pageEnd = pageStart + pageSize;
    for (const range of this.ranges) {
      const start = Math.max(range.start, pageStart);
      const end = Math.min(range.start + range.bytes.length, pageEnd);
      if (start < end)
        buffer.copy(range.bytes, start - range.start, at + start - pageStart, at + end - pageStart);
    }
    this.filled += 1;
  }

  u32(at: number): number {
    if (at + 4 > this.head.length) throw new Error('leaf elements overrun the first page');
    return this.head.readUInt32LE(at);
  }

  slice(start: number, length: number, what: string): Buffer {
    if (start < 0 || start + length > this.length) throw new Error(`${what} runs past its page`);
    const range = this.ranges.find(
      (candidate) => candidate.start === start && candidate.bytes.length === length,
    );
    if (range === undefined) throw new Error(`${what} was not kept`);
    return range.bytes;
  }

  /** Key (and bucket header) ranges from the element headers in the first page, or why not. */
  static wanted(head: Buffer, count: number, runBytes: number): [number, number][] | string {
    if (PAGE_HEADER_BYTES + count * ELEMENT_BYTES > head.length)
      return 'element headers past the first page';
    const wanted: [number, number][] = [];
    let keptBytes = 0;
    for (let index = 0; index < count; index += 1) {
      const element = PAGE_HEADER_BYTES + index * ELEMENT_BYTES;
      const flags = head.readUInt32LE(element);
      const keyStart = element + head.readUInt32LE(element + 4);
      const keySize = head.readUInt32LE(element + 8);
      const valueSize = head.readUInt32LE(element + 12);
      if (keyStart + keySize + valueSize > runBytes) return 'an element runs past its pages';
      wanted.push([keyStart, keySize]);
      keptBytes += keySize;
      if ((flags & BUCKET_LEAF_FLAG) !== 0) {
        wanted.push([keyStart + keySize, valueSize]);
        keptBytes += valueSize;
      }
    }
    return keptBytes > MAX_RUN_BYTES ? 'keys larger than quorumctl reads' : wanted;
  }
}

/** A leaf's elements; `base` is where the page starts inside `bytes` (inline buckets). */
function readLeaf(bytes: Bytes, base: number, count: number): LeafSummary {
  const summary: LeafSummary = { count: 0, lastRevision: -1, buckets: [] };
  let previous: Buffer | undefined;
  for (let index = 0; index < count; index += 1) {
    const element = base + PAGE_HEADER_BYTES + index * ELEMENT_BYTES;
    if (element + ELEMENT_BYTES > bytes.length) throw new Error('leaf elements overrun the page');
    const flags = bytes.u32(element);
    const pos = bytes.u32(element + 4);
    const keySize = bytes.u32(element + 8);
    const valueSize = bytes.u32(element + 12);
    const key = bytes.slice(element + pos, keySize, 'leaf key');
    if (element + pos + keySize + valueSize > bytes.length)
      throw new Error('leaf value runs past its page');
    if (previous !== undefined && Buffer.compare(previous, key) >= 0)
      throw new Error('leaf keys out of order');
    previous = key;
    if ((flags & BUCKET_LEAF_FLAG) !== 0) {
      const value = bytes.slice(element + pos + keySize, valueSize, 'bucket header');
      if (value.length < BUCKET_HEADER_BYTES) throw new Error('bucket header too short');
      const root = Number(value.readBigUInt64LE(0));
      const name = key.toString('latin1');
      if (root === 0) {
        const inlineCount =
          value.length >= BUCKET_HEADER_BYTES + PAGE_HEADER_BYTES
            ? value.readUInt16LE(BUCKET_HEADER_BYTES + 10)
            : 0;
        summary.buckets.push({
          name,
          root,
          inline: readLeaf(wholeBytes(value), BUCKET_HEADER_BYTES, inlineCount),
        });
      } else {
        summary.buckets.push({ name, root });
      }
    } else {
      summary.count += 1;
    }
    summary.lastRevision = revisionOf(key);
  }
  return summary;
}

/** etcd's key bucket keys: 8-byte main revision, '_', 8-byte sub revision (+ 't' for tombstones). */
function revisionOf(key: Buffer): number {
  if ((key.length !== 17 && key.length !== 18) || key[8] !== 0x5f) return -1;
  return Number(key.readBigUInt64BE(0));
}

function slice(buffer: Buffer, start: number, length: number, what: string): Buffer {
  if (start < 0 || start + length > buffer.length) throw new Error(`${what} runs past its page`);
  return buffer.subarray(start, start + length);
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;

function fnv64a(bytes: Buffer): bigint {
  let hash = FNV_OFFSET;
  for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK_64;
  return hash;
}
