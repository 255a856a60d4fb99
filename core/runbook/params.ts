/** Parameter values for a run: `--param name=value` given on the command line, then defaults. */
import { UsageError } from '../errors.js';
import type { ParameterValue, Runbook } from './model.js';
import { coerceParameter } from './parse.js';

/** Splits `--param name=value` flags; the value may itself contain `=`. */
export function parseParamFlags(values: readonly string[]): Record<string, string> {
  const given: Record<string, string> = {};
  for (const value of values) {
    const separator = value.indexOf('=');
    if (separator <= 0) {
      throw new UsageError('PARAM_INVALID', `--param "${value}" is not NAME=VALUE`, {
        actions: ['e.g. --param member=n2'],
      });
    }
    given[value.slice(0, separator)] = value.slice(separator + 1);
  }
  return given;
}

export function resolveParameters(
  runbook: Runbook,
  given: Readonly<Record<string, string>>,
): Record<string, ParameterValue> {
  const declared = new Map(runbook.parameters.map((parameter) => [parameter.name, parameter]));
  for (const name of Object.keys(given)) {
    if (!declared.has(name)) {
      throw new UsageError(
        'PARAM_UNKNOWN',
        `runbook "${runbook.name}" has no parameter "${name}"`,
        {
          actions: [
            runbook.parameters.length === 0
              ? 'it takes no parameters'
              : `its parameters: ${runbook.parameters.map((parameter) => parameter.name).join(', ')}`,
          ],
        },
      );
    }
  }
  const resolved: Record<string, ParameterValue> = {};
  for (const parameter of runbook.parameters) {
    const raw = given[parameter.name];
    if (raw === undefined) {
      if (parameter.default === undefined) {
        throw new UsageError(
          'PARAM_MISSING',
          `runbook "${runbook.name}" needs --param ${parameter.name}=VALUE (${parameter.type}: ${parameter.description})`,
          { actions: [`quorumctl runbook show ${runbook.name} lists its parameters`] },
        );
      }
      resolved[parameter.name] = parameter.default;
      continue;
    }
    const value = coerceParameter(parameter, raw);
    if (value === undefined) {
      throw new UsageError(
        'PARAM_INVALID',
        `--param ${parameter.name}="${raw}" is not a ${parameter.type}`,
        {
          actions: [
            `give a ${parameter.type}${parameter.type === 'duration' ? ' such as 30s' : ''}`,
          ],
        },
      );
    }
    resolved[parameter.name] = value;
  }
  return resolved;
}
