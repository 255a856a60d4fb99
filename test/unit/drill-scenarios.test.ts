// Drill scenarios: the built-ins parse and match the JSON schema; mistakes are reported as
// file:line:col, all of them at once; defaults and implied requirements are filled in.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { BUILT_IN_DIR, builtInScenario, builtInScenarios } from '../../chaos/drills/catalog.js';
import { parseScenario } from '../../chaos/drills/parse.js';
import { isQuorumctlError, type QuorumctlError } from '../../core/errors.js';

const schema = JSON.parse(
  await readFile(join(BUILT_IN_DIR, 'scenario.schema.json'), 'utf8'),
) as Record<string, unknown>;
const validate = new Ajv({ allErrors: true }).compile(schema);

function parseError(text: string): QuorumctlError {
  try {
    parseScenario(text, 'my-drill.yaml');
  } catch (error) {
    if (isQuorumctlError(error)) return error;
    throw error;
  }
  assert.fail('the scenario was accepted');
}

const VALID = `name: my-drill
description: Pause a follower.
kinds: [etcd]
target: follower
fault: pause
duration: 4s
`;

describe('built-in scenarios', () => {
  test('every YAML file parses, is named after its scenario and matches the JSON schema', async () => {
    const files = (await readdir(BUILT_IN_DIR)).filter((file) => file.endsWith('.yaml'));
    assert.ok(files.length >= 9, `only ${files.length} built-in scenarios`);
    for (const file of files) {
      const text = await readFile(join(BUILT_IN_DIR, file), 'utf8');
      const scenario = parseScenario(text, file);
      assert.equal(`${scenario.name}.yaml`, file);
      assert.ok(validate(parse(text)), `${file}: ${JSON.stringify(validate.errors)}`);
    }
  });

  test('the issue names these scenarios', async () => {
    const names = (await builtInScenarios()).map((scenario) => scenario.name);
    for (const name of [
      'kill-leader',
      'pause-leader',
      'isolate-leader',
      'minority-split',
      'majority-split',
      'bridge-partition',
      'rolling-restart',
      'leader-isolation-during-membership-change',
    ])
      assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`);
  });

  test('partitions need namespaces, the membership drill needs membership, a bridge 5 members', async () => {
    assert.deepEqual((await builtInScenario('isolate-leader')).requires, ['netns']);
    assert.deepEqual((await builtInScenario('kill-leader')).requires, []);
    assert.deepEqual(
      (await builtInScenario('leader-isolation-during-membership-change')).requires,
      ['netns', 'membership'],
    );
    const bridge = await builtInScenario('bridge-partition');
    assert.equal(bridge.minMembers, 5);
    assert.equal(bridge.fault.shape, 'bridge');
  });

  test('an unknown name lists the built-ins', async () => {
    await assert.rejects(builtInScenario('kill-everything'), (error: QuorumctlError) => {
      assert.equal(error.code, 'SCENARIO_NOT_FOUND');
      assert.match(error.actions.join(' '), /kill-leader/);
      return true;
    });
  });
});

describe('parseScenario', () => {
  test('fills in the default workload and expectations', () => {
    const scenario = parseScenario(VALID, 'my-drill.yaml');
    assert.equal(scenario.durationMs, 4000);
    assert.equal(scenario.workload.clients, 5);
    assert.deepEqual(scenario.workload.mix, { read: 40, write: 40, cas: 20 });
    assert.equal(scenario.expectations.maxLostWrites, 0);
    assert.equal(scenario.expectations.linearizable, true);
    assert.equal(scenario.expectations.leaderChange, 'allowed');
    assert.equal(scenario.expectations.maxTimeToNewLeaderMs, undefined);
    assert.equal(scenario.source, 'my-drill.yaml');
  });

  test('every problem is reported with its line and column', () => {
    const error = parseError(`name: Bad Name
description: x
kinds: [etcd, mongodb]
target: leader
fault:
  kind: explode
duration: soon
colour: red
`);
    assert.equal(error.code, 'SCENARIO_INVALID');
    assert.equal(error.exitCode, 2);
    const lines = error.message.split('\n');
    assert.ok(
      lines.some((line) => line.startsWith('my-drill.yaml:1:1: name:')),
      error.message,
    );
    assert.ok(
      lines.some((line) => line.startsWith('my-drill.yaml:3:15: kinds.1:')),
      error.message,
    );
    assert.ok(
      lines.some((line) => line.startsWith('my-drill.yaml:6:3: fault.kind:')),
      error.message,
    );
    assert.ok(
      lines.some((line) => line.startsWith('my-drill.yaml:7:1: duration:')),
      error.message,
    );
    assert.ok(
      lines.some((line) => line.startsWith('my-drill.yaml:8:1: colour: unknown key "colour"')),
      error.message,
    );
  });

  test('a missing required field points at the document', () => {
    const error = parseError('name: x\ndescription: y\nkinds: [etcd]\nfault: kill\n');
    assert.match(error.message, /my-drill\.yaml:1:1: target:/);
    assert.match(error.message, /my-drill\.yaml:1:1: duration:/);
  });

  test('a YAML syntax error names its position', () => {
    const error = parseError('name: [unclosed\n');
    assert.match(error.message, /^my-drill\.yaml:\d+:\d+: YAML syntax error/);
  });

  test('a mix without writes is refused: nothing could be lost', () => {
    const error = parseError(`${VALID}workload:\n  mix: {read: 100, write: 0, cas: 0}\n`);
    assert.match(error.message, /workload\.mix:/);
  });

  test('explicit members, expectations and a think time of 0', () => {
    const scenario = parseScenario(
      `${VALID.replace('target: follower', 'target: {role: members, members: [n1, n2]}')}workload:\n  clients: 2\n  think: 0ms\nexpectations:\n  leaderChange: forbidden\n  maxTimeToNewLeader: 2s\n  lostWrites: 3\n`,
      'x.yaml',
    );
    assert.deepEqual(scenario.target, { role: 'members', members: ['n1', 'n2'] });
    assert.equal(scenario.workload.thinkMs, 0);
    assert.equal(scenario.expectations.leaderChange, 'forbidden');
    assert.equal(scenario.expectations.maxTimeToNewLeaderMs, 2000);
    assert.equal(scenario.expectations.maxLostWrites, 3);
  });

  test('the JSON schema and the validator agree on a bad document', () => {
    const bad = `${VALID}fault: {kind: pause, shape: bridge}\n`.replace('fault: pause\n', '');
    assert.throws(() => parseScenario(bad, 'x.yaml'), /only a partition has a shape/);
    // The schema alone cannot say that; it does reject an unknown key the same way.
    assert.equal(validate(parse(`${VALID}colour: red\n`)), false);
  });
});
