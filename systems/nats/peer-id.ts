/** The Raft peer ID nats-server gives a server: 8 base-62 characters hashed from its name. */
import { createHash } from 'node:crypto';

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PEER_ID_LENGTH = 8;

/**
 * nats-server's getHash (server/events.go): SHA-256 of the name, each of the first eight
 * bytes mapped onto 62 digits. A server's meta-group node ID is the hash of its name, so a
 * member the endpoints cannot reach still gets the ID the cluster knows it by.
 */
export function natsPeerId(serverName: string): string {
  const digest = createHash('sha256').update(serverName).digest();
  return [...digest.subarray(0, PEER_ID_LENGTH)]
    .map((byte) => DIGITS.charAt(byte % DIGITS.length))
    .join('');
}
