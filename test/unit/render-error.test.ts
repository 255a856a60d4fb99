// renderError against golden files in test/fixtures/golden/ (UPDATE_GOLDEN=1 rewrites them).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectGolden } from '../support/golden.js';
import { renderError } from '../../cli/render/error.js';
import { UnreachableError, UsageError } from '../../core/errors.js';

const unknownCluster = (): UsageError =>
  new UsageError(
    'CLUSTER_UNKNOWN',
    'no cluster named "nope" in /home/op/.config/quorumctl/config.yaml',
    {
      actions: [
        'use one of: prod, staging',
        'quorumctl config add-cluster NAME --kind etcd --endpoints http://HOST:2379',
      ],
      details: { cluster: 'nope', known: ['prod', 'staging'] },
      cause: new Error('lookup failed'),
    },
  );

describe('renderError', () => {
  test('with actions, debug off: message and "Try this:" only, no stack (golden)', () => {
    const text = renderError(unknownCluster(), false);
    assert.doesNotMatch(text, /\n\s+at /, 'no stack frames');
    assert.doesNotMatch(text, /Details:|lookup failed|undefined/);
    expectGolden('error-with-actions.txt', text);
  });

  test('without actions: no "Try this:" line', () => {
    assert.equal(
      renderError(new UnreachableError('CLUSTER_UNREACHABLE', 'no endpoint answered'), false),
      'Error (CLUSTER_UNREACHABLE): no endpoint answered\n',
    );
  });

  test('debug on: details, then the stack of the error and of each cause', () => {
    const text = renderError(unknownCluster(), true);
    assert.ok(text.startsWith(renderError(unknownCluster(), false)), 'same head as without debug');
    assert.match(text, /^Details: \{"cluster":"nope","known":\["prod","staging"\]\}$/m);
    assert.match(text, /^UsageError: no cluster named "nope"/m);
    assert.match(text, /^Error: lookup failed$/m);
    assert.match(text, /\n\s+at /);
    assert.ok(text.endsWith('\n'));
  });

  test('debug on without details: no Details line', () => {
    const text = renderError(new UsageError('X', 'm'), true);
    assert.doesNotMatch(text, /Details:/);
    assert.match(text, /^Error \(X\): m\nUsageError: m\n\s+at /);
  });
});
