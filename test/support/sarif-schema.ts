/** Validates SARIF logs against the vendored OASIS SARIF 2.1.0 schema (test/fixtures/preflight/README.md). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { REPO_ROOT } from './cli.js';

const SCHEMA_PATH = join(REPO_ROOT, 'test/fixtures/preflight/sarif-schema-2.1.0.json');

// The schema is draft-07 and uses keywords ajv's strict mode rejects; formats are given here.
const validate = new Ajv({ allErrors: true, strict: false })
  .addFormat('uri', (value: string) => URL.canParse(value))
  .addFormat('uri-reference', (value: string) => URL.canParse(value, 'file:///base/'))
  .addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/)
  .compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object);

export function sarifSchemaErrors(log: unknown): string[] {
  if (validate(log)) return [];
  return (validate.errors ?? []).map(
    (error: ErrorObject) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`,
  );
}
