/** The base of every command: output envelope, typed errors, exit codes, adapter lifecycle. */
import { Command, Errors, type Interfaces } from '@oclif/core';
import { InternalError, isQuorumctlError, QuorumctlError, UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { ClusterAdapter } from '../core/ports.js';
import { errorEnvelope, successEnvelope, type OutputKind } from '../core/schema.js';
import { openTarget } from './kubernetes-reach.js';
import type { TargetFlagValues } from './target-request.js';
import { connectAdapter } from '../systems/registry.js';
import { outputValueFromArgv, stripAnsi } from './argv.js';
import { serializeEnvelope } from './render/envelope.js';
import { renderError } from './render/error.js';
import type { OutputFormat } from './flags.js';

export abstract class QuorumctlCommand extends Command {
  /** The `kind` of this command's machine-readable result. */
  protected abstract readonly outputKind: OutputKind;

  /** Prints the result in the chosen format and ends with `exitCode`. */
  protected async emit<T>(
    format: OutputFormat,
    result: T,
    renderTable: (result: T) => string,
    exitCode: number = ExitCode.ok,
  ): Promise<void> {
    await writeOut(
      format === 'table'
        ? renderTable(result)
        : await serializeEnvelope(successEnvelope(this.outputKind, result, exitCode), format),
    );
    if (exitCode !== ExitCode.ok) this.exit(exitCode);
  }

  protected outputFormat(flags: { output?: OutputFormat; json?: boolean }): OutputFormat {
    return flags.json === true ? 'json' : (flags.output ?? 'table');
  }

  /** Connects to the target the flags name, runs `use`, and always closes the adapter. */
  protected async withAdapter<T>(
    flags: TargetFlagValues,
    use: (adapter: ClusterAdapter) => Promise<T>,
  ): Promise<T> {
    const { target, options, release } = await openTarget(flags);
    try {
      const adapter = await connectAdapter(target, options);
      try {
        return await use(adapter);
      } finally {
        await adapter.close();
      }
    } finally {
      await release();
    }
  }

  protected override async catch(error: Interfaces.CommandError): Promise<never> {
    if (error instanceof Errors.ExitError) throw error;
    const typed = toTypedError(error);
    const format = requestedFormat(this.argv);
    if (format === 'table') process.stderr.write(renderError(typed, this.argv.includes('--debug')));
    else {
      await writeOut(await serializeEnvelope(errorEnvelope(this.outputKind, typed), format));
      if (this.argv.includes('--debug')) process.stderr.write(renderError(typed, true));
    }
    this.exit(typed.exitCode);
  }
}

/**
 * Resolves once the text is handed to the OS: exiting right after a plain write cuts output
 * over a pipe's buffer (64 KiB) short.
 */
function writeOut(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (error) => {
      if (error) reject(error);
      else resolve();
    });
  });
}

/** oclif's own parse errors become usage errors; anything untyped is a bug (exit 70). */
function toTypedError(error: Error & { oclif?: { exit?: number } }): QuorumctlError {
  if (isQuorumctlError(error)) return error;
  if (error instanceof Errors.CLIError && error.oclif?.exit === ExitCode.usage) {
    return new UsageError('USAGE', stripAnsi(error.message), {
      actions: ['see --help for the flags and examples'],
      cause: error,
    });
  }
  return new InternalError('INTERNAL', `unexpected error: ${error.message}`, {
    actions: ['rerun with --debug and report the output'],
    cause: error,
  });
}

/** Parse failures happen before flags exist, so the format is read from argv directly. */
function requestedFormat(argv: readonly string[]): OutputFormat {
  if (argv.includes('--json')) return 'json';
  const value = outputValueFromArgv(argv);
  return value === 'json' || value === 'yaml' ? value : 'table';
}
