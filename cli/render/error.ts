/** Renders an error for people: "Error (CODE): message" and a "Try this:" list. */
import type { QuorumctlError } from '../../core/errors.js';

export function renderError(error: QuorumctlError, debug: boolean): string {
  const lines = [`Error (${error.code}): ${error.message}`];
  if (error.actions.length > 0) {
    lines.push('Try this:', ...error.actions.map((action) => `  - ${action}`));
  }
  if (debug) {
    if (Object.keys(error.details).length > 0)
      lines.push(`Details: ${JSON.stringify(error.details)}`);
    let cause: unknown = error;
    while (cause instanceof Error) {
      lines.push(cause.stack ?? String(cause));
      cause = cause.cause;
    }
  }
  return `${lines.join('\n')}\n`;
}
