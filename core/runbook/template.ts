/**
 * Fills `{{ params.x }}`, `{{ cluster }}` and `{{ steps.ID.KEY }}` into step arguments. A value
 * that is exactly one template keeps the referenced value's type (a number stays a number).
 */
import { UsageError } from '../errors.js';
import type { ParameterValue } from './model.js';

export interface TemplateScope {
  cluster: string;
  params: Readonly<Record<string, ParameterValue>>;
  /** Outputs of the steps done so far, by step id. */
  steps: Readonly<Record<string, Readonly<Record<string, ParameterValue>>>>;
}

const WHOLE = /^\{\{\s*([^}]*?)\s*\}\}$/;
const ANY = /\{\{\s*([^}]*?)\s*\}\}/g;

export function renderArgs(value: unknown, scope: TemplateScope): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole !== null) return lookup(whole[1] ?? '', scope);
    return value.replace(ANY, (_, reference: string) => String(lookup(reference, scope)));
  }
  if (Array.isArray(value)) return value.map((item) => renderArgs(item, scope));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, renderArgs(item, scope)]),
    );
  }
  return value;
}

function lookup(reference: string, scope: TemplateScope): ParameterValue {
  const [root, first, second] = reference.split('.');
  if (reference === 'cluster') return scope.cluster;
  if (root === 'params' && first !== undefined && first in scope.params) {
    return scope.params[first] as ParameterValue;
  }
  if (root === 'steps' && first !== undefined && second !== undefined) {
    const value = scope.steps[first]?.[second];
    if (value !== undefined) return value;
    throw new UsageError(
      'RUNBOOK_OUTPUT_MISSING',
      `{{ ${reference} }}: step "${first}" has no output "${second}" (has it run yet?)`,
      {
        actions: [
          'refer only to outputs of earlier steps; `runbook show` lists what each produces',
        ],
      },
    );
  }
  throw new UsageError('RUNBOOK_TEMPLATE_UNKNOWN', `{{ ${reference} }} names nothing known`, {
    actions: ['use {{ params.NAME }}, {{ cluster }} or {{ steps.ID.KEY }}'],
  });
}
