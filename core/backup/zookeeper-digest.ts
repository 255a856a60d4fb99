/**
 * The tree digest: one SHA-256 over a znode tree's paths, data and ACLs that does not depend
 * on the order the znodes were read in, so a restore can be compared with its source.
 */
import { createHash } from 'node:crypto';

export interface DigestAcl {
  scheme: string;
  id: string;
  permissions: readonly string[];
}

export interface DigestEntry {
  path: string;
  data: Uint8Array;
  acl: readonly DigestAcl[];
}

const PERMISSION_LETTERS: Record<string, string> = {
  READ: 'r',
  WRITE: 'w',
  CREATE: 'c',
  DELETE: 'd',
  ADMIN: 'a',
};

/**
 * One znode as a canonical line: path, data as base64 and the ACL entries as
 * `scheme:id:perms` (perms as `rwcda` letters in that order), sorted and deduplicated
 * because ZooKeeper keeps an ACL as a set. JSON quoting keeps the fields apart.
 */
export function znodeDigestLine(entry: DigestEntry): string {
  const acl = [
    ...new Set(
      entry.acl.map((item) => {
        const permissions = 'rwcda'
          .split('')
          .filter((letter) =>
            item.permissions.some((permission) => PERMISSION_LETTERS[permission] === letter),
          )
          .join('');
        return JSON.stringify([item.scheme, item.id, permissions]);
      }),
    ),
  ].sort();
  return JSON.stringify([entry.path, Buffer.from(entry.data).toString('base64'), acl]);
}

/**
 * Accumulates znodes in any order. Each canonical line is hashed on its own and the digest
 * is the SHA-256 of those hashes sorted: order-independent, and memory is 32 bytes per znode
 * rather than the data itself.
 */
export class TreeDigest {
  private readonly lineHashes: Buffer[] = [];

  add(entry: DigestEntry): void {
    this.lineHashes.push(createHash('sha256').update(znodeDigestLine(entry)).digest());
  }

  get count(): number {
    return this.lineHashes.length;
  }

  /** `sha256:<hex>`; the same value for the same set of znodes, whatever the order. */
  digest(): string {
    const sorted = [...this.lineHashes].sort((left, right) => Buffer.compare(left, right));
    const hash = createHash('sha256');
    for (const lineHash of sorted) hash.update(lineHash);
    return `sha256:${hash.digest('hex')}`;
  }
}

export function treeDigest(entries: Iterable<DigestEntry>): string {
  const digest = new TreeDigest();
  for (const entry of entries) digest.add(entry);
  return digest.digest();
}
