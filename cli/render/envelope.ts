/** Serializes the quorumctl/v1 envelope as JSON or YAML. */
import { stringify } from 'yaml';
import type { Envelope } from '../../core/schema.js';

export function serializeEnvelope(envelope: Envelope<unknown>, format: 'json' | 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(envelope, null, 2)}\n` : stringify(envelope);
}

/** One envelope per line, for streaming output (`--watch -o json`). */
export function serializeEnvelopeLine(envelope: Envelope<unknown>): string {
  return `${JSON.stringify(envelope)}\n`;
}
