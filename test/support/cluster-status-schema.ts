/** Validates `status -o json` results against the published schema, docs/schema/cluster-status.v1.json. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { REPO_ROOT } from './cli.js';

export const CLUSTER_STATUS_SCHEMA_PATH = join(REPO_ROOT, 'docs/schema/cluster-status.v1.json');

const ISO_8601_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const validate = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true })
  .addFormat('date-time', ISO_8601_UTC)
  .compile(JSON.parse(readFileSync(CLUSTER_STATUS_SCHEMA_PATH, 'utf8')) as object);

export function clusterStatusSchemaErrors(value: unknown): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map(describe);
}

export function assertValidClusterStatus(value: unknown): void {
  const errors = clusterStatusSchemaErrors(value);
  assert.deepEqual(errors, [], `ClusterStatus does not match ${CLUSTER_STATUS_SCHEMA_PATH}`);
}

function describe(error: ErrorObject): string {
  return `${error.instancePath === '' ? '/' : error.instancePath} ${error.message ?? 'is invalid'}`;
}
