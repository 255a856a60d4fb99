// Fault specs from CLI flags, fault descriptions and heal reports as people read them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeFault, renderHealReport } from '../../chaos/faults/render.js';
import { faultSpecFrom, parseGroups } from '../../chaos/faults/spec.js';
import type { FaultRecord } from '../../chaos/faults/types.js';
import { UsageError } from '../../core/errors.js';

describe('fault specs from flags', () => {
  test('groups: "/" between groups, "," between members', () => {
    assert.deepEqual(parseGroups('n1,n2,n3/n3,n4,n5'), [
      ['n1', 'n2', 'n3'],
      ['n3', 'n4', 'n5'],
    ]);
    assert.throws(() => parseGroups('n1,n2'), UsageError);
    assert.throws(() => parseGroups('n1/'), UsageError);
  });

  test('each kind asks for what it needs', () => {
    assert.deepEqual(faultSpecFrom({ kind: 'isolate', members: ['n1'] }), {
      kind: 'isolate',
      members: ['n1'],
    });
    assert.deepEqual(faultSpecFrom({ kind: 'partition', members: [], groups: 'n1/n2,n3' }), {
      kind: 'partition',
      members: [],
      groups: [['n1'], ['n2', 'n3']],
    });
    assert.throws(() => faultSpecFrom({ kind: 'kill', members: [] }), UsageError);
    assert.throws(() => faultSpecFrom({ kind: 'partition', members: ['n1'] }), UsageError);
    assert.throws(() => faultSpecFrom({ kind: 'latency', members: ['n1'] }), UsageError);
    assert.throws(() => faultSpecFrom({ kind: 'loss', members: ['n1'] }), UsageError);
  });
});

describe('rendering', () => {
  const record: FaultRecord = {
    id: 'isolate-00000001',
    scope: { stateDir: '/s', sandbox: 'chaos' },
    spec: { kind: 'isolate', members: ['n1'] },
    appliedAt: '2025-01-01T00:00:00.000Z',
    ownerPid: 1,
    undo: {},
  };

  test('descriptions', () => {
    assert.equal(describeFault({ kind: 'pause', members: ['n1', 'n2'] }), 'pause n1,n2');
    assert.equal(
      describeFault({ kind: 'partition', members: [], groups: [['n1'], ['n2', 'n3']] }),
      'partition n1 | n2,n3',
    );
    assert.equal(
      describeFault({ kind: 'latency', members: ['n1'], latencyMs: 200 }),
      'latency 200 ms on n1',
    );
  });

  test('heal reports say what is left', () => {
    assert.equal(
      renderHealReport({ healed: [], failed: [] }),
      'nothing to heal: no faults recorded\n',
    );
    assert.match(
      renderHealReport({ healed: [record], failed: [] }),
      /1 fault\(s\) healed, none left/,
    );
    const failed = renderHealReport({ healed: [], failed: [{ record, error: 'iptables gone' }] });
    assert.match(failed, /FAILED {2}isolate-00000001 {2}chaos {2}isolate n1 .*: iptables gone/);
    assert.match(failed, /stay recorded/);
  });
});
