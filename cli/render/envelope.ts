/** Serializes the quorumctl/v1 envelope as JSON or YAML. */
import type { Envelope } from '../../core/schema.js';

/** YAML is loaded only when asked for: most machine output is JSON, and start-up time counts. */
export async function serializeEnvelope(
  envelope: Envelope<unknown>,
  format: 'json' | 'yaml',
): Promise<string> {
  if (format === 'json') return `${JSON.stringify(envelope, null, 2)}\n`;
  const { stringify } = await import('yaml');
  return stringify(envelope);
}

/** One envelope per line, for streaming output (`--watch -o json`). */
export function serializeEnvelopeLine(envelope: Envelope<unknown>): string {
  return `${JSON.stringify(envelope)}\n`;
}
