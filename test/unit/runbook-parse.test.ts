import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateGates } from '../../core/runbook/gates.js';
import { doneOutputs, resumeIndex, type RunRecord } from '../../core/runbook/journal.js';
import { parseRunbook, RunbookInvalidError } from '../../core/runbook/parse.js';
import { renderArgs } from '../../core/runbook/template.js';

const OPERATIONS = new Set(['check', 'defrag', 'members.add', 'backup.create']);

const VALID = `apiVersion: quorumctl/v1
kind: Runbook
name: rolling-defrag
description: Defragment every member, leader last.
kinds: [etcd]
parameters:
  - name: threshold
    type: number
    default: 0.5
    description: skip members less fragmented than this
  - name: dest
    type: string
steps:
  - id: healthy
    name: The cluster is healthy
    require: [health == ok, quorumMargin >= 1]
  - id: backup
    run: backup.create
    with: { dest: "{{ params.dest }}/{{ cluster }}" }
  - id: go
    confirm: Defragment {{ cluster }}?
  - id: defrag
    run: defrag
    with: { rolling: true, ifFragmented: "{{ params.threshold }}", after: "{{ steps.backup.name }}" }
onFailure: cleanup
cleanup:
  - id: report
    run: check
`;

function invalid(text: string): RunbookInvalidError {
  try {
    parseRunbook(text, 'rb.yaml', { operations: OPERATIONS });
  } catch (error) {
    assert.ok(error instanceof RunbookInvalidError, String(error));
    return error;
  }
  assert.fail('expected the runbook to be rejected');
}

describe('runbook parsing', () => {
  it('reads parameters, steps of every type, gates and the failure policy', () => {
    const runbook = parseRunbook(VALID, 'rb.yaml', { operations: OPERATIONS });
    assert.equal(runbook.name, 'rolling-defrag');
    assert.deepEqual(runbook.kinds, ['etcd']);
    assert.deepEqual(
      runbook.parameters.map((p) => [p.name, p.type, p.default]),
      [
        ['threshold', 'number', 0.5],
        ['dest', 'string', undefined],
      ],
    );
    assert.deepEqual(
      runbook.steps.map((step) => [step.id, step.type]),
      [
        ['healthy', 'gate'],
        ['backup', 'operation'],
        ['go', 'confirm'],
        ['defrag', 'operation'],
      ],
    );
    const gates = runbook.steps[0]!.gates;
    assert.deepEqual(
      gates.map((gate) => [gate.fact, gate.operator, gate.value, gate.location.line]),
      [
        ['health', '==', 'ok', 16],
        ['quorumMargin', '>=', 1, 16],
      ],
    );
    assert.equal(runbook.onFailure.action, 'cleanup');
  });

  it('names file, line and column of an unknown operation', () => {
    const error = invalid(VALID.replace('run: defrag', 'run: defragment'));
    assert.equal(error.exitCode, 2);
    assert.match(error.message, /^rb\.yaml:23:10: unknown operation "defragment" in step "defrag"/);
    assert.deepEqual(error.details, { file: 'rb.yaml', line: 23, column: 10 });
  });

  it('rejects YAML syntax errors, unknown keys, duplicate ids, unreadable gates and unknown templates', () => {
    assert.match(invalid('name: [unclosed\n').message, /^rb\.yaml:\d+:\d+: YAML syntax error/);
    assert.match(
      invalid(VALID.replace('    name: The cluster', '    nmae: The cluster')).message,
      /rb\.yaml:15:5: unknown step key "nmae"/,
    );
    assert.match(
      invalid(VALID.replace('id: go', 'id: backup')).message,
      /step id "backup" is used twice/,
    );
    assert.match(
      invalid(VALID.replace('health == ok', 'health is ok')).message,
      /rb\.yaml:16:15: cannot read the gate "health is ok"/,
    );
    assert.match(
      invalid(VALID.replace('params.dest', 'params.destination')).message,
      /refers to "\{\{ params\.destination \}\}"/,
    );
    assert.match(
      invalid(VALID.replace('type: number', 'type: float')).message,
      /unknown parameter type "float"/,
    );
    assert.match(
      invalid(VALID.replace('onFailure: cleanup', 'onFailure: retry')).message,
      /onFailure must be/,
    );
  });

  it('renders templates keeping the type of a whole-value reference', () => {
    const scope = {
      cluster: 'prod',
      params: { threshold: 0.5, dest: '/b' },
      steps: { backup: { name: 'prod-1' } },
    };
    assert.deepEqual(
      renderArgs(
        {
          a: '{{ params.threshold }}',
          b: '{{ params.dest }}/{{ cluster }}',
          c: ['{{ steps.backup.name }}'],
        },
        scope,
      ),
      { a: 0.5, b: '/b/prod', c: ['prod-1'] },
    );
    assert.throws(() => renderArgs('{{ steps.defrag.size }}', scope), /has no output "size"/);
  });

  it('evaluates gates with explanations; an unknown fact fails the gate', () => {
    const runbook = parseRunbook(VALID, 'rb.yaml', { operations: OPERATIONS });
    const results = evaluateGates(runbook.steps[0]!.gates, { health: 'ok', quorumMargin: 0 });
    assert.deepEqual(
      results.map((r) => [r.passed, r.explanation]),
      [
        [true, 'health is ok, needs == ok'],
        [false, 'quorumMargin is 0, needs >= 1'],
      ],
    );
    assert.equal(evaluateGates(runbook.steps[0]!.gates, {})[0]!.passed, false);
  });

  it('resumes at the first step not done; a step left started is rerun', () => {
    const record: RunRecord = {
      runId: 'r1',
      runbook: 'x',
      file: 'rb.yaml',
      stepIds: ['a', 'b', 'c'],
      cluster: 'prod',
      params: {},
      startedAt: '',
      updatedAt: '',
      status: 'running',
      user: 'op',
      entries: [
        { stepId: 'a', state: 'started', at: '' },
        { stepId: 'a', state: 'done', at: '', outputs: { member: 'n4' } },
        { stepId: 'b', state: 'started', at: '' },
      ],
    };
    assert.equal(resumeIndex(record), 1);
    assert.deepEqual(doneOutputs(record), { a: { member: 'n4' } });
    record.entries.push(
      { stepId: 'b', state: 'done', at: '' },
      { stepId: 'c', state: 'skipped', at: '' },
    );
    assert.equal(resumeIndex(record), undefined);
  });
});
