/** Reading a step's `with:` arguments with errors that name the argument and the expected type. */
import { parseDuration } from '../../core/duration.js';
import { UsageError } from '../../core/errors.js';

type Args = Readonly<Record<string, unknown>>;

function wrongType(operation: string, name: string, expected: string, value: unknown): UsageError {
  return new UsageError(
    'RUNBOOK_ARGUMENT_INVALID',
    `${operation}: argument "${name}" must be ${expected}, got ${JSON.stringify(value)}`,
    { actions: [`fix \`with: { ${name}: ... }\` in the runbook, or the parameter it comes from`] },
  );
}

/** An empty string counts as not given: parameters default to '' to mean "absent". */
export function stringArg(operation: string, args: Args, name: string): string | undefined {
  const value = args[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw wrongType(operation, name, 'a string', value);
}

export function requiredString(operation: string, args: Args, name: string): string {
  const value = stringArg(operation, args, name);
  if (value === undefined) {
    throw new UsageError(
      'RUNBOOK_ARGUMENT_MISSING',
      `${operation}: argument "${name}" is required`,
      {
        actions: [`add \`with: { ${name}: ... }\` to the step`],
      },
    );
  }
  return value;
}

export function numberArg(operation: string, args: Args, name: string): number | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number === 'number' && Number.isFinite(number)) return number;
  throw wrongType(operation, name, 'a number', value);
}

export function booleanArg(operation: string, args: Args, name: string): boolean | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw wrongType(operation, name, 'true or false', value);
}

/** `30s`, `2m`, or a number of milliseconds. */
export function durationArg(operation: string, args: Args, name: string): number | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && value >= 0) return value;
  if (typeof value === 'string') {
    // parseDuration refuses 0 (a timeout of 0 is a mistake); a pause of 0 is a choice.
    if (/^0+(\.0+)?(ms|s|m|h)?$/.test(value.trim())) return 0;
    return parseDuration(value, `${operation} ${name}`);
  }
  throw wrongType(operation, name, 'a duration such as 30s', value);
}

export function stringListArg(operation: string, args: Args, name: string): string[] | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  throw wrongType(operation, name, 'a list of strings', value);
}
