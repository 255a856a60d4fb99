/** Typed errors: each carries a stable code, an exit code, what to do next and the cause. */
import { ExitCode, type ExitCodeValue } from './exit-codes.js';

export interface ErrorOptions {
  /** What the operator can run or do next. */
  actions?: readonly string[];
  /** Structured context (e.g. the endpoints tried, the quorum arithmetic). */
  details?: Readonly<Record<string, unknown>>;
  cause?: unknown;
}

export abstract class QuorumctlError extends Error {
  abstract readonly exitCode: ExitCodeValue;
  readonly actions: readonly string[];
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    /** Stable, documented identifier, e.g. `INVENTORY_INVALID`. */
    readonly code: string,
    message: string,
    options: ErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.actions = options.actions ?? [];
    this.details = options.details ?? {};
  }
}

/** Bad flags, arguments or input files (exit 2). */
export class UsageError extends QuorumctlError {
  readonly exitCode = ExitCode.usage;
}

/** The system behind the adapter does not support the requested operation (exit 2). */
export class UnsupportedOperationError extends QuorumctlError {
  readonly exitCode = ExitCode.usage;
}

/** No endpoint of the cluster (or agent) answered (exit 3). */
export class UnreachableError extends QuorumctlError {
  readonly exitCode = ExitCode.unreachable;
}

/** Refused because it could cost quorum or data (exit 4). */
export class UnsafeOperationError extends QuorumctlError {
  readonly exitCode = ExitCode.unsafe;
}

/** Some of the work succeeded, some failed (exit 5). */
export class PartialFailureError extends QuorumctlError {
  readonly exitCode = ExitCode.partial;
}

/** A bug in quorumctl (exit 70). */
export class InternalError extends QuorumctlError {
  readonly exitCode = ExitCode.internal;
}

/** The operator interrupted the command (exit 130). */
export class InterruptedError extends QuorumctlError {
  readonly exitCode = ExitCode.interrupted;
}

export function isQuorumctlError(value: unknown): value is QuorumctlError {
  return value instanceof QuorumctlError;
}

/** A short, single-line reason for any thrown value (for per-member error fields). */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    const inner = cause.cause instanceof Error ? `: ${describeCause(cause.cause)}` : '';
    return typeof code === 'string' && !cause.message.includes(code)
      ? `${code}: ${cause.message}${inner}`
      : `${cause.message}${inner}`;
  }
  return String(cause);
}
