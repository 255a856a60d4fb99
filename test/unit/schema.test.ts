// The quorumctl/v1 envelope of machine-readable output.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InternalError, UnreachableError, UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { API_VERSION, errorEnvelope, successEnvelope } from '../../core/schema.js';

describe('successEnvelope', () => {
  test('apiVersion, kind, status, result and an empty warnings list; no error', () => {
    const envelope = successEnvelope('ClusterStatus', { cluster: 'prod' }, ExitCode.ok);
    assert.deepEqual(envelope, {
      apiVersion: 'quorumctl/v1',
      kind: 'ClusterStatus',
      status: 0,
      result: { cluster: 'prod' },
      warnings: [],
    });
    assert.equal('error' in envelope, false);
    assert.equal(API_VERSION, 'quorumctl/v1');
  });

  test('status is the exit code given; warnings are carried', () => {
    const envelope = successEnvelope('HealthReport', { verdict: 'degraded' }, ExitCode.findings, [
      'n3 did not answer',
    ]);
    assert.equal(envelope.status, 1);
    assert.deepEqual(envelope.warnings, ['n3 did not answer']);
  });
});

describe('errorEnvelope', () => {
  test('status is the error exit code, error carries code/message/actions/details; no result', () => {
    const error = new UsageError('INVENTORY_INVALID', 'f.yaml:1:1: bad', {
      actions: ['fix f.yaml'],
      details: { file: 'f.yaml', line: 1, column: 1 },
    });
    const envelope = errorEnvelope('ClusterStatus', error);
    assert.deepEqual(envelope, {
      apiVersion: 'quorumctl/v1',
      kind: 'ClusterStatus',
      status: 2,
      error: {
        code: 'INVENTORY_INVALID',
        message: 'f.yaml:1:1: bad',
        actions: ['fix f.yaml'],
        details: { file: 'f.yaml', line: 1, column: 1 },
      },
      warnings: [],
    });
    assert.equal('result' in envelope, false);
  });

  test('each error class sets its own status; defaults are empty', () => {
    const unreachable = errorEnvelope('Error', new UnreachableError('CLUSTER_UNREACHABLE', 'x'), [
      'w',
    ]);
    assert.equal(unreachable.kind, 'Error');
    assert.equal(unreachable.status, ExitCode.unreachable);
    assert.deepEqual(unreachable.warnings, ['w']);
    assert.deepEqual(unreachable.error?.actions, []);
    assert.deepEqual(unreachable.error?.details, {});
    assert.equal(errorEnvelope('Error', new InternalError('BUG', 'x')).status, 70);
  });

  test('the envelope survives JSON and has no stack or cause in it', () => {
    const error = new UsageError('X', 'm', { cause: new Error('inner') });
    const text = JSON.stringify(errorEnvelope('Error', error));
    assert.deepEqual(JSON.parse(text), {
      apiVersion: 'quorumctl/v1',
      kind: 'Error',
      status: 2,
      error: { code: 'X', message: 'm', actions: [], details: {} },
      warnings: [],
    });
  });
});
