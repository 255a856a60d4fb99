import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { ExitCode } from '../../core/exit-codes.js';
import {
  describeCall,
  forbiddenError,
  namespaceNotFound,
  apiServerUnreachable,
} from '../../core/kubernetes/errors.js';
import {
  FEATURE_RULES,
  featuresGranting,
  roleManifest,
  type KubernetesFeature,
} from '../../core/kubernetes/rbac.js';
import { REPO_ROOT } from '../support/cli.js';

/** The yaml blocks of each `## feature` section of the RBAC doc. */
async function docRoles(): Promise<Map<string, unknown>> {
  const text = await readFile(join(REPO_ROOT, 'docs', 'kubernetes-rbac.md'), 'utf8');
  const roles = new Map<string, unknown>();
  for (const section of text.split(/^## /m).slice(1)) {
    const heading = section.split('\n', 1)[0]?.trim() ?? '';
    const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    if (block !== undefined) roles.set(heading, parse(block));
  }
  return roles;
}

describe('Kubernetes RBAC rules', () => {
  test('docs/kubernetes-rbac.md shows exactly the Role of every feature', async () => {
    const roles = await docRoles();
    for (const feature of Object.keys(FEATURE_RULES) as KubernetesFeature[]) {
      assert.deepEqual(
        roles.get(feature),
        roleManifest(feature, { namespace: 'NAMESPACE' }),
        `section "## ${feature}"`,
      );
    }
  });

  test('a ClusterRole has no namespace', () => {
    const role = roleManifest('discover', { cluster: true });
    assert.equal(role.kind, 'ClusterRole');
    assert.deepEqual(role.metadata, { name: 'quorumctl-discover' });
  });

  test('the features granting a permission, by verb, resource and group', () => {
    assert.deepEqual(featuresGranting('list', 'statefulsets', 'apps'), ['discover']);
    assert.deepEqual(featuresGranting('get', 'pods', ''), [
      'port-forward',
      'chaos-mesh',
      'preflight',
    ]);
    assert.deepEqual(featuresGranting('list', 'statefulsets', ''), []);
  });
});

describe('Kubernetes API errors', () => {
  const context = { context: 'prod', server: 'https://10.0.0.1:6443' };

  test('a 403 names the verb, the resource, its group, the namespace and the doc section', () => {
    const error = forbiddenError(
      { verb: 'list', resource: 'statefulsets', group: 'apps', namespace: 'data' },
      context,
      'statefulsets.apps is forbidden: ...',
    );
    assert.equal(error.exitCode, ExitCode.forbidden);
    assert.equal(error.code, 'KUBERNETES_FORBIDDEN');
    assert.match(error.message, /may not list statefulsets\.apps in namespace "data"/);
    assert.match(
      error.message,
      /missing verb "list" on resource "statefulsets" of API group "apps"/,
    );
    assert.match(error.message, /docs\/kubernetes-rbac\.md#discover/);
    assert.ok(
      error.actions.some((action) =>
        action.includes('kubectl auth can-i list statefulsets.apps -n data'),
      ),
    );
  });

  test('a permission no feature grants links the doc itself', () => {
    const error = forbiddenError({ verb: 'delete', resource: 'pods', group: '' }, context);
    assert.match(error.message, /delete pods across all namespaces/);
    assert.match(error.message, /see docs\/kubernetes-rbac\.md$/);
  });

  test('describeCall names an object and the core group plainly', () => {
    assert.equal(
      describeCall({
        verb: 'create',
        resource: 'pods/portforward',
        group: '',
        namespace: 'db',
        name: 'etcd-0',
      }),
      'create pods/portforward "etcd-0" in namespace "db"',
    );
  });

  test('exit codes: a missing namespace is bad input, an unreachable server exit 3', () => {
    assert.equal(namespaceNotFound('nope', context).exitCode, ExitCode.usage);
    assert.equal(apiServerUnreachable(context, 'ECONNREFUSED').exitCode, ExitCode.unreachable);
  });
});
