/** Scenario YAML text -> DrillScenario; every problem is reported as file:line:col. */
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { UsageError } from '../../core/errors.js';
import type { DrillScenario } from './scenario.js';
import { validateScenario, type ProblemPath } from './validate.js';

export interface PositionedProblem {
  line: number;
  column: number;
  message: string;
}

/** Throws a UsageError (exit 2) listing every problem with its position. */
export function parseScenario(text: string, source: string): DrillScenario {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number) => lineCounter.linePos(offset);
  const syntax = document.errors[0];
  if (syntax !== undefined) {
    const { line, col } = at(syntax.pos[0]);
    throw invalid(source, [
      { line, column: col, message: `YAML syntax error: ${syntax.message.split('\n')[0] ?? ''}` },
    ]);
  }
  const { scenario, problems } = validateScenario(document.toJS(), source);
  if (scenario !== undefined) return scenario;
  throw invalid(
    source,
    problems.map((problem) => {
      const { line, col } = at(offsetOf(document, problem.path));
      return { line, column: col, message: pathLabel(problem.path, problem.message) };
    }),
  );
}

function invalid(source: string, problems: PositionedProblem[]): UsageError {
  const lines = problems.map(
    (problem) => `${source}:${problem.line}:${problem.column}: ${problem.message}`,
  );
  return new UsageError('SCENARIO_INVALID', lines.join('\n'), {
    actions: [
      `fix ${source}`,
      'quorumctl chaos show kill-leader --source prints a valid scenario to start from',
      'docs/chaos-drills.md describes every field',
    ],
    details: { file: source, problems },
  });
}

function pathLabel(path: ProblemPath, message: string): string {
  return path.length === 0 ? message : `${path.join('.')}: ${message}`;
}

/**
 * Where the node at `path` starts; an unknown key is shown at the key itself, and a
 * missing one at the nearest mapping that exists.
 */
function offsetOf(document: Document, path: ProblemPath): number {
  for (let length = path.length; length >= 0; length--) {
    const prefix = path.slice(0, length);
    const parent = length === 0 ? document.contents : document.getIn(prefix.slice(0, -1), true);
    const key = prefix[prefix.length - 1];
    if (length > 0 && isMap(parent)) {
      const pair = parent.items.find(
        (item) => String((item.key as { value?: unknown } | null)?.value) === String(key),
      );
      const node = (length === path.length ? pair?.key : pair?.value) as Node | undefined;
      if (node?.range !== undefined && node.range !== null) return node.range[0];
      continue;
    }
    if (length > 0 && isSeq(parent) && typeof key === 'number') {
      const node = parent.items[key] as Node | undefined;
      if (node?.range !== undefined && node.range !== null) return node.range[0];
      continue;
    }
    const node = length === 0 ? document.contents : undefined;
    if (node?.range !== undefined && node.range !== null) return node.range[0];
  }
  return 0;
}
