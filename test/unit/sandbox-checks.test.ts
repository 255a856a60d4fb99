// Sandbox preconditions (pure): names, member counts, installed servers, default state directory.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../../core/errors.js';
import { etcdKind } from '../../sandbox/etcd.js';
import { assertSandboxName, defaultStateDir, sandboxLayout } from '../../sandbox/layout.js';
import { natsKind } from '../../sandbox/nats.js';
import { assertInstalled, assertMemberCount } from '../../sandbox/preflight.js';
import { zookeeperKind } from '../../sandbox/zookeeper.js';

function usageError(run: () => void): UsageError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a UsageError');
}

describe('sandbox names', () => {
  test('1-32 of a-z, 0-9 and "-", not starting with "-"', () => {
    for (const name of ['a', 'demo', 'etcd-5', '0', '9-lives', 'x'.repeat(32)])
      assert.doesNotThrow(() => {
        assertSandboxName(name);
      }, name);
  });
  test('anything else, including path tricks, is SANDBOX_NAME_INVALID', () => {
    for (const name of [
      '',
      'Demo',
      '-x',
      'a b',
      'a_b',
      'a.b',
      'x'.repeat(33),
      '..',
      '../etc',
      'a/b',
      'é',
    ]) {
      assert.equal(
        usageError(() => {
          assertSandboxName(name);
        }).code,
        'SANDBOX_NAME_INVALID',
        name,
      );
    }
  });
});

describe('member counts', () => {
  test('etcd 1, 3 or 5; ZooKeeper and NATS 3 or 5', () => {
    for (const [server, allowed] of [
      [etcdKind, [1, 3, 5]],
      [zookeeperKind, [3, 5]],
      [natsKind, [3, 5]],
    ] as const) {
      for (const count of [0, 1, 2, 3, 4, 5, 6, 7]) {
        if (allowed.some((ok) => ok === count))
          assert.doesNotThrow(() => {
            assertMemberCount(server, count);
          });
        else {
          const error = usageError(() => {
            assertMemberCount(server, count);
          });
          assert.equal(error.code, 'SANDBOX_MEMBERS_INVALID');
          assert.match(error.message, new RegExp(`allowed: ${allowed.join(', ')}`));
        }
      }
    }
  });
});

describe('installed servers', () => {
  test('a missing executable names the Debian package to install', () => {
    const error = usageError(() => {
      assertInstalled(etcdKind, '/nonexistent');
    });
    assert.equal(error.code, 'SERVER_NOT_INSTALLED');
    assert.match(error.message, /etcd \(not on PATH\)/);
    assert.ok(error.actions.some((action) => action.includes('apt-get install -y etcd-server')));
    assert.match(
      usageError(() => {
        assertInstalled(zookeeperKind, '/nonexistent');
      }).actions.join('\n'),
      /apt-get install -y zookeeper/,
    );
    assert.match(
      usageError(() => {
        assertInstalled(natsKind, '/nonexistent');
      }).actions.join('\n'),
      /apt-get install -y nats-server/,
    );
  });
  test('ZooKeeper also needs its jars, not only java', () => {
    const withoutJars = { ...zookeeperKind, requiredFiles: ['/nonexistent/zookeeper.jar'] };
    const error = usageError(() => {
      assertInstalled(withoutJars, process.env.PATH);
    });
    assert.deepEqual(error.details.missing, ['/nonexistent/zookeeper.jar']);
  });
});

describe('state directory and layout', () => {
  test('$XDG_STATE_HOME/quorumctl, else ~/.local/state/quorumctl; a relative XDG path is ignored', () => {
    assert.equal(defaultStateDir({ XDG_STATE_HOME: '/xdg/state' }), '/xdg/state/quorumctl');
    assert.equal(defaultStateDir({ HOME: '/home/op' }), '/home/op/.local/state/quorumctl');
    assert.equal(
      defaultStateDir({ XDG_STATE_HOME: '', HOME: '/home/op' }),
      '/home/op/.local/state/quorumctl',
    );
    assert.equal(
      defaultStateDir({ XDG_STATE_HOME: 'rel', HOME: '/home/op' }),
      '/home/op/.local/state/quorumctl',
    );
  });
  test('one directory per sandbox, absolute even for a relative state dir', () => {
    const layout = sandboxLayout('/s', 'demo');
    assert.equal(layout.dir, '/s/sandboxes/demo');
    assert.equal(layout.stateFile, '/s/sandboxes/demo/sandbox.json');
    assert.equal(layout.confDir, '/s/sandboxes/demo/conf');
    assert.equal(layout.dataDir('n2'), '/s/sandboxes/demo/data/n2');
    assert.equal(layout.logFile('n2'), '/s/sandboxes/demo/logs/n2.log');
    assert.equal(sandboxLayout('rel', 'demo').dir, `${process.cwd()}/rel/sandboxes/demo`);
  });
});
