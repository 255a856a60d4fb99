/** The base of every command: output envelope, typed errors, exit codes, adapter lifecycle. */
import { Command, Errors, type Interfaces } from '@oclif/core';
import { parseDuration } from '../core/duration.js';
import { InternalError, isQuorumctlError, QuorumctlError, UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { ClusterAdapter } from '../core/ports.js';
import { errorEnvelope, successEnvelope, type OutputKind } from '../core/schema.js';
import { locateInventory } from '../ops/inventory-location.js';
import { resolveTarget } from '../ops/target.js';
import { connectAdapter } from '../systems/registry.js';
import { serializeEnvelope } from './render/envelope.js';
import { renderError } from './render/error.js';
import type { OutputFormat } from './flags.js';

type TargetFlagValues = {
  config?: string | undefined;
  cluster?: string | undefined;
  endpoints?: string | undefined;
  kind?: string | undefined;
  timeout?: string | undefined;
  cacert?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  'insecure-skip-tls-verify'?: boolean | undefined;
  user?: string | undefined;
  'password-env'?: string | undefined;
  'token-env'?: string | undefined;
  'monitor-urls'?: string | undefined;
};

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
    process.stdout.write(
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
    const { target, options } = await resolveTarget({
      ...definedOnly({
        cluster: flags.cluster,
        endpoints: flags.endpoints,
        monitorUrls: flags['monitor-urls'],
      }),
      ...(flags.kind !== undefined && { kind: flags.kind as never }),
      inventory: locateInventory(flags.config),
      tls: definedOnly({
        cacert: flags.cacert,
        cert: flags.cert,
        key: flags.key,
        insecureSkipVerify: flags['insecure-skip-tls-verify'] || undefined,
      }),
      auth: definedOnly({
        user: flags.user,
        passwordEnv: flags['password-env'],
        tokenEnv: flags['token-env'],
      }),
      timeoutMs: parseDuration(flags.timeout ?? '3s', '--timeout'),
    });
    const adapter = await connectAdapter(target, options);
    try {
      return await use(adapter);
    } finally {
      await adapter.close();
    }
  }

  protected override async catch(error: Interfaces.CommandError): Promise<never> {
    if (error instanceof Errors.ExitError) throw error;
    const typed = toTypedError(error);
    const format = requestedFormat(this.argv);
    if (format === 'table') process.stderr.write(renderError(typed, this.argv.includes('--debug')));
    else {
      process.stdout.write(await serializeEnvelope(errorEnvelope(this.outputKind, typed), format));
      if (this.argv.includes('--debug')) process.stderr.write(renderError(typed, true));
    }
    this.exit(typed.exitCode);
  }
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
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    const inline = /^(?:--output|-o)=?(json|yaml)$/.exec(arg);
    if (inline?.[1] !== undefined) return inline[1] as OutputFormat;
    if (
      (arg === '-o' || arg === '--output') &&
      (argv[index + 1] === 'json' || argv[index + 1] === 'yaml')
    ) {
      return argv[index + 1] as OutputFormat;
    }
  }
  return 'table';
}

function definedOnly<T extends Record<string, unknown>>(
  values: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== undefined),
  ) as never;
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
