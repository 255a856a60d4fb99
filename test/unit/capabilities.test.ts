// Asking a kind for what it cannot do: a clear error before any call.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { requireCapability } from '../../core/capabilities.js';
import { UnsupportedOperationError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { Capability } from '../../core/ports.js';

const statusOnly = { kind: 'consul' as const, capabilities: new Set<Capability>(['status']) };

describe('requireCapability', () => {
  test('a declared capability passes', () => {
    assert.doesNotThrow(() => {
      requireCapability(statusOnly, 'status');
    });
  });

  test('an undeclared one is a usage-class error naming the kind, the operation and what works', () => {
    assert.throws(
      () => {
        requireCapability(statusOnly, 'snapshot');
      },
      (error: unknown) => {
        assert.ok(error instanceof UnsupportedOperationError);
        assert.equal(error.code, 'CAPABILITY_NOT_SUPPORTED');
        assert.equal(error.exitCode, ExitCode.usage);
        assert.match(error.message, /consul clusters do not support snapshots \(backup\)/);
        assert.match(error.actions.join('\n'), /supports for consul: status/);
        return true;
      },
    );
  });
});
