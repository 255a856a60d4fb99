// Configuration parsers: settings with file/line/column, positioned errors, and fuzzing
// that shows bad input never raises anything but a UsageError.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { UsageError } from '../../core/errors.js';
import {
  CONFIG_FORMATS,
  type ConfigFormat,
  type PlannedConfig,
} from '../../core/preflight/facts.js';
import { LineIndex } from '../../core/preflight/parsers/common.js';
import { detectFormat, parseConfig } from '../../core/preflight/parsers/index.js';
import { parseNatsConf } from '../../core/preflight/parsers/nats-conf.js';
import { REPO_ROOT } from '../support/cli.js';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/preflight');

function only(configs: PlannedConfig[]): PlannedConfig {
  assert.equal(configs.length, 1);
  return configs[0]!;
}

/** key -> [value, line, column], last one wins as in the systems' own parsers. */
function table(config: PlannedConfig): Record<string, [string, number, number]> {
  return Object.fromEntries(
    config.settings.map((entry) => [
      entry.key,
      [entry.value, entry.location.line, entry.location.column],
    ]),
  );
}

function parseError(format: ConfigFormat, text: string, file = 'f'): UsageError {
  try {
    parseConfig(text, file, format);
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${format} parse of ${JSON.stringify(text)} to fail`);
}

describe('LineIndex', () => {
  test('maps offsets to 1-based lines and columns', () => {
    const index = new LineIndex('ab\ncd\n\nx');
    assert.deepEqual(index.position(0), { line: 1, column: 1 });
    assert.deepEqual(index.position(4), { line: 2, column: 2 });
    assert.deepEqual(index.position(6), { line: 3, column: 1 });
    assert.deepEqual(index.position(7), { line: 4, column: 1 });
  });
});

describe('etcd flags', () => {
  test('a shell line: quotes, continuations, --flag value and --flag=value, booleans', () => {
    const text = [
      '#!/bin/sh',
      'mkdir -p /var/lib/etcd',
      'ETCD_UNSUPPORTED_ARCH=arm64 exec /usr/bin/etcd --name "infra 0" \\',
      "  --initial-cluster='a=http://h:2380,b=http://h2:2380' \\",
      '  --client-cert-auth --heartbeat-interval 200 # the timers',
      '  -election-timeout=2000',
    ].join('\n');
    const config = only(parseConfig(text, 'start.sh', 'etcd-flags'));
    assert.equal(config.member, 'infra 0');
    assert.deepEqual(table(config), {
      'unsupported-arch': ['arm64', 3, 1],
      name: ['infra 0', 3, 48],
      'initial-cluster': ['a=http://h:2380,b=http://h2:2380', 4, 3],
      'client-cert-auth': ['true', 5, 3],
      'heartbeat-interval': ['200', 5, 22],
      'election-timeout': ['2000', 6, 3],
    });
  });

  test('a systemd unit: Environment= and ExecStart= lines, other keys ignored', () => {
    const text = [
      '[Service]',
      'Description=etcd',
      'Environment="ETCD_NAME=m1" ETCD_DATA_DIR=/data',
      'ExecStart=-/usr/local/bin/etcd --quota-backend-bytes=1024 \\',
      '    --auto-tls=false',
      'Restart=always',
    ].join('\n');
    assert.deepEqual(table(only(parseConfig(text, 'etcd.service', 'etcd-flags'))), {
      // Quotes are gone once systemd splits the line: the variable points at Environment=.
      name: ['m1', 3, 1],
      'data-dir': ['/data', 3, 28],
      'quota-backend-bytes': ['1024', 4, 32],
      'auto-tls': ['false', 5, 5],
    });
  });

  test('one flag per line and an environment file', () => {
    const config = only(
      parseConfig(
        '--name=a\n# comment\n--snapshot-count 5000\nETCD_ELECTION_TIMEOUT=1500\n',
        'f',
        'etcd-flags',
      ),
    );
    assert.deepEqual(table(config), {
      name: ['a', 1, 1],
      'snapshot-count': ['5000', 3, 1],
      'election-timeout': ['1500', 4, 1],
    });
  });

  test('errors name file, line and column, what is wrong and what to do', () => {
    const unclosed = parseError('etcd-flags', 'etcd --name a \\\n  --initial-cluster "a=b', 'x.sh');
    assert.equal(unclosed.code, 'PREFLIGHT_CONFIG_INVALID');
    assert.equal(unclosed.message, 'x.sh:2:21: this double quote is never closed');
    assert.deepEqual(unclosed.details, { file: 'x.sh', line: 2, column: 21, format: 'etcd-flags' });
    assert.ok(unclosed.actions.some((action) => action.includes('--format')));
    assert.match(
      parseError('etcd-flags', 'etcd --name a extra').message,
      /^f:1:15: etcd takes no arguments, only flags, got "extra"$/,
    );
    assert.match(
      parseError('etcd-flags', '--client-cert-auth true').message,
      /^f:1:1: --client-cert-auth is a boolean flag/,
    );
    assert.match(
      parseError('etcd-flags', '--heartbeat-interval=100ms').message,
      /^f:1:1: heartbeat-interval takes a whole number, got "100ms"$/,
    );
    assert.match(parseError('etcd-flags', '# nothing\n').message, /no etcd flags found/);
  });
});

describe('etcd YAML config file', () => {
  test('TLS blocks become flags, YAML 1.1 booleans, lists are comma-joined', () => {
    const text = [
      'name: m1',
      'client-transport-security:',
      '  cert-file: /c.crt',
      '  client-cert-auth: yes',
      'peer-transport-security:',
      '  auto-tls: off',
      'cipher-suites: [TLS_A, TLS_B]',
      'quota-backend-bytes: 2147483648',
      'name: m2',
    ].join('\n');
    const config = only(parseConfig(text, 'c.yaml', 'etcd-yaml'));
    assert.equal(config.member, 'm2');
    assert.deepEqual(table(config), {
      name: ['m2', 9, 1],
      'cert-file': ['/c.crt', 3, 3],
      'client-cert-auth': ['true', 4, 3],
      'peer-auto-tls': ['false', 6, 3],
      'cipher-suites': ['TLS_A,TLS_B', 7, 1],
      'quota-backend-bytes': ['2147483648', 8, 1],
    });
  });

  test('syntax errors and wrong shapes are positioned', () => {
    assert.match(
      parseError('etcd-yaml', 'name: a\n  bad: [x\n').message,
      /^f:\d+:\d+: YAML syntax error/,
    );
    assert.match(
      parseError('etcd-yaml', '- a\n- b\n').message,
      /^f:1:1: the etcd config file must be a mapping/,
    );
    assert.match(
      parseError('etcd-yaml', 'name: a\nelection-timeout: soon\n').message,
      /^f:2:1: election-timeout takes a whole number/,
    );
    assert.match(
      parseError('etcd-yaml', 'x:\n  inner:\n    z: 1\n').message,
      /^f:3:5: x\.inner must be a single value/,
    );
  });
});

describe('Kubernetes manifests', () => {
  test('a static pod: each flag at its line in command, env variables too', () => {
    const text = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: etcd-cp1}',
      'spec:',
      '  containers:',
      '  - name: sidecar',
      '    command: [sleep, infinity]',
      '  - name: etcd',
      '    command:',
      '    - etcd',
      '    - --name=cp1',
      '    args: ["--snapshot-count", "10000"]',
      '    env:',
      '    - {name: ETCD_QUOTA_BACKEND_BYTES, value: "4096"}',
      '    - {name: OTHER, value: x}',
    ].join('\n');
    const config = only(parseConfig(text, 'pod.yaml', 'kubernetes'));
    assert.equal(config.member, 'cp1');
    assert.deepEqual(config.origin, { file: 'pod.yaml', line: 8, column: 5 });
    assert.deepEqual(table(config), {
      'quota-backend-bytes': ['4096', 14, 14],
      name: ['cp1', 11, 7],
      'snapshot-count': ['10000', 12, 12],
    });
  });

  test('a StatefulSet running sh -c with a block script: lines map into the block', () => {
    const text = readFileSync(join(FIXTURES, 'kubernetes/bad.yaml'), 'utf8');
    const config = only(parseConfig(text, 'bad.yaml', 'kubernetes'));
    assert.equal(config.member, 'StatefulSet/etcd');
    const lines = text.split('\n');
    for (const entry of config.settings) {
      const line = lines[entry.location.line - 1] ?? '';
      const word = line.slice(entry.location.column - 1);
      const spelled =
        entry.key === 'quota-backend-bytes' ? 'ETCD_QUOTA_BACKEND_BYTES' : `--${entry.key}`;
      assert.ok(
        word.startsWith(spelled),
        `${entry.key} at ${entry.location.line}:${entry.location.column}: ${word}`,
      );
    }
  });

  test('multi-document files and Lists; a file without etcd is an error', () => {
    const pod = (name: string) =>
      `kind: Pod\nmetadata: {name: ${name}}\nspec:\n  containers:\n  - name: etcd\n    command: [etcd]\n`;
    const configs = parseConfig(
      `${pod('a')}---\nkind: List\nitems:\n- ${pod('b').replace(/\n/g, '\n  ')}`,
      'm.yaml',
      'kubernetes',
    );
    assert.deepEqual(
      configs.map((config) => config.member),
      ['Pod/a', 'Pod/b'],
    );
    assert.match(
      parseError('kubernetes', 'kind: Service\nmetadata: {name: x}\n').message,
      /^f:1:1: no etcd container found/,
    );
    assert.match(
      parseError('kubernetes', `${pod('a')}---\nkind: [\n`).message,
      /^f:(8|9):\d+: YAML syntax error/,
    );
    assert.match(
      parseError(
        'kubernetes',
        'kind: Pod\nspec:\n  containers:\n  - name: etcd\n    command: [/start.sh]\n',
      ).message,
      /^f:5:14: the etcd container runs "\/start.sh"/,
    );
  });
});

describe('zoo.cfg and Java properties', () => {
  test('separators, continuations, escapes and comments as java.util.Properties reads them', () => {
    const text = [
      '# comment',
      '! also a comment',
      'dataDir = /var/lib/zk ',
      'tickTime:2000',
      'initLimit 10',
      '4lw.commands.whitelist=srvr,\\',
      '    mntr',
      'key\\ with\\ spaces=\\u0041\\tB',
      'server.1=zk1:2888:3888:participant;0.0.0.0:2181',
      'empty',
    ].join('\n');
    assert.deepEqual(table(only(parseConfig(text, 'zoo.cfg', 'zoo.cfg'))), {
      dataDir: ['/var/lib/zk', 3, 1],
      tickTime: ['2000', 4, 1],
      initLimit: ['10', 5, 1],
      '4lw.commands.whitelist': ['srvr,mntr', 6, 1],
      'key with spaces': ['A\tB', 8, 1],
      'server.1': ['zk1:2888:3888:participant;0.0.0.0:2181', 9, 1],
      empty: ['', 10, 1],
    });
  });

  test('bad server lines, numbers and escapes are positioned; dataDir is required', () => {
    assert.match(
      parseError('zoo.cfg', 'dataDir=/d\nserver.1=zk1:2888').message,
      /^f:2:1: server\.1=zk1:2888 is not host:quorumPort/,
    );
    assert.match(
      parseError('zoo.cfg', 'dataDir=/d\nserver.x=zk1:1:2').message,
      /^f:2:1: "server\.x": the server id/,
    );
    assert.match(
      parseError('zoo.cfg', 'dataDir=/d\n  tickTime=2s').message,
      /^f:2:3: tickTime takes a whole number/,
    );
    assert.match(
      parseError('zoo.cfg', 'dataDir=/d\\u12').message,
      /^f:1:11: malformed \\uXXXX escape/,
    );
    assert.match(parseError('zoo.cfg', 'tickTime=2000').message, /^f:1:1: dataDir is not set/);
    // A dynamic config file needs no dataDir of its own.
    assert.equal(
      only(parseConfig('server.1=a:1:2\nserver.2=b:1:2\n', 'd', 'zoo.cfg')).settings.length,
      2,
    );
  });

  test('server.properties: node id, roles and the controller lists are validated', () => {
    const config = only(
      parseConfig(
        'process.roles = controller\nnode.id=2\ncontroller.quorum.voters=1@[::1]:9093,2@b:9093\n',
        's.properties',
        'server.properties',
      ),
    );
    assert.equal(config.member, 'node 2');
    assert.match(
      parseError('server.properties', 'process.roles=leader').message,
      /^f:1:1: process\.roles takes broker, controller/,
    );
    assert.match(
      parseError('server.properties', 'x=1\ncontroller.quorum.voters=a@b:1').message,
      /^f:2:1: controller\.quorum\.voters must list id@host:port/,
    );
    assert.match(
      parseError('server.properties', 'controller.quorum.bootstrap.servers=c1').message,
      /must list host:port entries/,
    );
    assert.match(
      parseError('server.properties', 'node.id=one').message,
      /node\.id takes a whole number/,
    );
  });
});

describe('nats-server configuration', () => {
  test('every assignment style, blocks, arrays, comments, sizes and variables', () => {
    const text = [
      '// a comment',
      'STORE: "/data/js"',
      'server_name = n1; port 4222',
      'listen: 127.0.0.1:4222',
      'JetStream {',
      '  store_dir: $STORE  # resolved',
      '  max_mem: 1G, max_file: 1GB',
      "  sync_interval: 'always'",
      '  enabled: yes',
      '}',
      'cluster {',
      '  routes = [',
      '    nats://a:6222 // first',
      '    "nats://b:6222"',
      '  ]',
      '  tls { verify: true }',
      '}',
      'token: $FROM_ENV',
      'motd: (',
      'hello',
      ')',
    ].join('\n');
    const config = only(parseConfig(text, 'n.conf', 'nats-conf'));
    assert.equal(config.member, 'n1');
    assert.deepEqual(table(config), {
      store: ['/data/js', 2, 1],
      server_name: ['n1', 3, 1],
      port: ['4222', 3, 19],
      listen: ['127.0.0.1:4222', 4, 1],
      jetstream: ['{}', 5, 1],
      'jetstream.store_dir': ['/data/js', 6, 3],
      'jetstream.max_mem': ['1000000000', 7, 3],
      'jetstream.max_file': ['1073741824', 7, 16],
      'jetstream.sync_interval': ['always', 8, 3],
      'jetstream.enabled': ['true', 9, 3],
      cluster: ['{}', 11, 1],
      'cluster.routes': ['nats://a:6222,nats://b:6222', 12, 3],
      'cluster.routes.0': ['nats://a:6222', 13, 5],
      'cluster.routes.1': ['nats://b:6222', 14, 5],
      'cluster.tls': ['{}', 16, 3],
      'cluster.tls.verify': ['true', 16, 9],
      token: ['$FROM_ENV', 18, 1],
      // nats keeps the new line after the opening parenthesis.
      motd: ['\nhello', 19, 1],
    });
  });

  test('include directives are read through the resolver, relative to the including file', () => {
    const files: Record<string, string> = {
      'conf/js.conf': 'jetstream { sync_interval: always }\n',
    };
    const config = only(
      parseNatsConf('port: 4222\ninclude ./js.conf\n', 'conf/main.conf', {
        resolveInclude: (path, from) => {
          const file = `${from.slice(0, from.lastIndexOf('/'))}/${path.replace(/^\.\//, '')}`;
          const text = files[file];
          return text === undefined ? undefined : { file, text };
        },
      }),
    );
    assert.deepEqual(
      config.settings.find((entry) => entry.key === 'jetstream.sync_interval')?.location,
      { file: 'conf/js.conf', line: 1, column: 13 },
    );
    assert.match(
      parseError('nats-conf', 'include missing.conf\n').message,
      /^f:1:1: cannot read the included file "missing\.conf"/,
    );
  });

  test('syntax errors are positioned', () => {
    assert.match(
      parseError('nats-conf', 'jetstream {\n  store_dir: /x\n').message,
      /^f:1:11: this block is never closed/,
    );
    assert.match(
      parseError('nats-conf', 'a {\n  token: 3secret\n}').message,
      /^f:2:11: unexpected "s" after a value/,
    );
    assert.match(parseError('nats-conf', 'port:\n').message, /^f:1:6: "port" has no value/);
    assert.match(parseError('nats-conf', 'a: "x\\q"').message, /^f:1:6: invalid escape "\\\\q"/);
    assert.match(
      parseError('nats-conf', 'a: [1, , 2]').message,
      /^f:1:8: unexpected "," in an array/,
    );
    assert.match(parseError('nats-conf', 'a: 5kbb x').message, /unknown size suffix "kbb"/);
    assert.match(
      parseError('nats-conf', `a: ${'['.repeat(100)}`).message,
      /nest deeper than 64 levels/,
    );
    assert.match(
      parseError('nats-conf', '# only a comment\n').message,
      /^f:1:1: the file holds no settings/,
    );
  });
});

describe('format detection', () => {
  const cases: [string, string, ConfigFormat][] = [
    ['zoo.cfg', 'anything', 'zoo.cfg'],
    ['conf/zoo.cfg.dynamic.100000000', 'server.1=a:1:2', 'zoo.cfg'],
    ['ensemble.cfg', 'tickTime=2000\ndataDir=/d', 'zoo.cfg'],
    ['server.properties', '', 'server.properties'],
    ['controller.cfg', 'process.roles=controller', 'server.properties'],
    ['etcd.yaml', 'apiVersion: v1\nkind: Pod', 'kubernetes'],
    ['etcd.conf.yml', 'name: a', 'etcd-yaml'],
    ['etcd.service', '[Service]', 'etcd-flags'],
    ['etcd.conf', 'ETCD_NAME=a\nETCD_DATA_DIR=/x', 'etcd-flags'],
    ['flags.txt', '--name=a\n--data-dir=/d', 'etcd-flags'],
    ['nats.conf', 'jetstream {\n}', 'nats-conf'],
    ['server.conf', 'listen: 0.0.0.0:4222', 'nats-conf'],
    ['config', 'data-dir: /x\nname: a', 'etcd-yaml'],
  ];
  for (const [file, text, format] of cases) {
    test(`${file} is ${format}`, () => {
      assert.equal(detectFormat(file, text), format);
    });
  }

  test('--kind narrows detection, and an unknown file asks for --format', () => {
    assert.equal(detectFormat('x.yaml', 'apiVersion: v1', 'etcd'), 'kubernetes');
    assert.equal(detectFormat('weird.txt', 'port: 4222', 'nats'), 'nats-conf');
    assert.throws(
      () => detectFormat('x.yaml', 'a: b', 'zookeeper'),
      (error: UsageError) =>
        error.code === 'PREFLIGHT_FORMAT_UNKNOWN' && error.actions[0]?.includes('zoo.cfg') === true,
    );
    assert.throws(
      () => detectFormat('notes.txt', 'hello world'),
      /cannot tell which configuration format/,
    );
  });
});

describe('fuzzing: bad input raises only UsageError', () => {
  const throwsOnlyUsageErrors = (format: ConfigFormat, text: string) => {
    try {
      parseConfig(text, 'fuzz', format, { resolveInclude: () => undefined });
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      assert.match(error.message, /^fuzz:\d+:\d+: /);
    }
  };
  const fixtureTexts = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
    .filter((path) => /\/[^/]+\.(sh|service|yaml|cfg|properties|conf|dynamic)$/.test(path))
    .map((path) => readFileSync(join(FIXTURES, path), 'utf8'));
  const syntax = fc.constantFrom(
    ...'abz019 \t\n\r=:;,#!/\\\'"{}[]()$-._@*'.split(''),
    '--name',
    'etcd ',
    'include ',
    'server.1=',
    'apiVersion: v1\n',
    'kind: Pod\n',
    '\\u00',
    'jetstream {',
    '1G',
    '- ',
  );

  for (const format of CONFIG_FORMATS) {
    test(`${format}: arbitrary text, format-shaped text and mutated fixtures`, () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 200 }), (text) => {
          throwsOnlyUsageErrors(format, text);
        }),
        { numRuns: 300 },
      );
      fc.assert(
        fc.property(fc.array(syntax, { maxLength: 80 }), (parts) => {
          throwsOnlyUsageErrors(format, parts.join(''));
        }),
        { numRuns: 500 },
      );
      fc.assert(
        fc.property(
          fc.constantFrom(...fixtureTexts),
          fc.nat(),
          fc.nat({ max: 20 }),
          fc.string({ maxLength: 4 }),
          (text, at, drop, insert) => {
            const cut = at % (text.length + 1);
            throwsOnlyUsageErrors(format, text.slice(0, cut) + insert + text.slice(cut + drop));
          },
        ),
        { numRuns: 300 },
      );
    });
  }
});
