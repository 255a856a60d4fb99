/** Assertion helpers for typed errors. */
import { UsageError } from '../../core/errors.js';

export function isUsageErrorWithCode(code: string): (error: unknown) => boolean {
  return (error) => error instanceof UsageError && error.code === code;
}
