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
  return render(value, (reference) => lookup(reference, scope));
}

/**
 * For `runbook plan`, before any step ran: parameters and the cluster are filled in, step
 * outputs stay visible as `{{ steps.ID.KEY }}`.
 */
export function renderArgsForPlan(value: unknown, scope: Omit<TemplateScope, 'steps'>): unknown {
  return render(value, (reference) =>
    reference.startsWith('steps.')
      ? `{{ ${reference} }}`
      : lookup(reference, { ...scope, steps: {} }),
  );
}

function render(value: unknown, resolve: (reference: string) => ParameterValue): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole !== null) return resolve(whole[1] ?? '');
    return value.replace(ANY, (_, reference: string) => String(resolve(reference)));
  }
  if (Array.isArray(value)) return value.map((item) => render(item, resolve));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, render(item, resolve)]),
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
