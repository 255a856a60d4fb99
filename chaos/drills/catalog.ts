/** The built-in scenarios (chaos/drills/*.yaml, shipped beside the code) and user scenario files. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../core/errors.js';
import { parseScenario } from './parse.js';
import type { DrillScenario } from './scenario.js';

/** The YAML files stay in the source tree: compiled code lives in dist/chaos/drills/. */
export const BUILT_IN_DIR = fileURLToPath(new URL('../../../chaos/drills/', import.meta.url));

export async function builtInScenarios(dir: string = BUILT_IN_DIR): Promise<DrillScenario[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.yaml')).sort();
  const scenarios = await Promise.all(
    files.map(async (file) => {
      const scenario = parseScenario(await readFile(join(dir, file), 'utf8'), file);
      return { ...scenario, source: 'built-in' };
    }),
  );
  return scenarios.sort((a, b) => a.name.localeCompare(b.name));
}

export async function builtInScenario(
  name: string,
  dir: string = BUILT_IN_DIR,
): Promise<DrillScenario> {
  const scenarios = await builtInScenarios(dir);
  const found = scenarios.find((scenario) => scenario.name === name);
  if (found !== undefined) return found;
  throw new UsageError('SCENARIO_NOT_FOUND', `there is no built-in drill scenario "${name}"`, {
    actions: [
      `built-in scenarios: ${scenarios.map((scenario) => scenario.name).join(', ')}`,
      'quorumctl chaos list shows what each does',
      'or pass your own: --scenario FILE',
    ],
  });
}

export async function scenarioFromFile(path: string): Promise<DrillScenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new UsageError('SCENARIO_UNREADABLE', `cannot read scenario file ${path}`, {
      actions: ['check the path given to --scenario'],
      cause,
    });
  }
  return parseScenario(text, path);
}
