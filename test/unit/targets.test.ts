// parseEndpoints: the --endpoints syntax for ad-hoc targets.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { UsageError } from '../../core/errors.js';
import { SYSTEM_KINDS, type SystemKind } from '../../core/model.js';
import { parseEndpoints } from '../../core/targets.js';

function endpointsError(value: string, defaultKind?: SystemKind): UsageError {
  try {
    parseEndpoints(value, defaultKind);
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.equal(error.code, 'ENDPOINTS_INVALID');
    assert.ok(error.message.startsWith(`--endpoints "${value}": `), error.message);
    assert.equal(error.actions.length, 2);
    return error;
  }
  assert.fail(`expected ENDPOINTS_INVALID for ${value}`);
}

describe('parseEndpoints: valid', () => {
  test('etcd://h1:2379,h2:2379: kind etcd, both plain http', () => {
    assert.deepEqual(parseEndpoints('etcd://h1:2379,h2:2379'), {
      kind: 'etcd',
      endpoints: ['http://h1:2379', 'http://h2:2379'],
    });
  });

  test('etcd+https://h:1: TLS', () => {
    assert.deepEqual(parseEndpoints('etcd+https://h:1'), {
      kind: 'etcd',
      endpoints: ['https://h:1'],
    });
  });

  test('etcd+https:// carries https to the entries without a scheme', () => {
    assert.deepEqual(parseEndpoints('etcd+https://a:1,b:2').endpoints, [
      'https://a:1',
      'https://b:2',
    ]);
  });

  test('plain http(s) URLs take the kind from defaultKind', () => {
    assert.deepEqual(parseEndpoints('http://127.0.0.1:2379,http://127.0.0.1:22379', 'etcd'), {
      kind: 'etcd',
      endpoints: ['http://127.0.0.1:2379', 'http://127.0.0.1:22379'],
    });
    assert.deepEqual(parseEndpoints('https://zk:2181', 'zookeeper'), {
      kind: 'zookeeper',
      endpoints: ['https://zk:2181'],
    });
  });

  test('an explicit kind wins over a matching defaultKind; blanks and a trailing / are dropped', () => {
    assert.deepEqual(parseEndpoints(' etcd://a:1/ , ,b:2,', 'etcd'), {
      kind: 'etcd',
      endpoints: ['http://a:1', 'http://b:2'],
    });
  });

  test('bracketed IPv6 hosts', () => {
    assert.deepEqual(parseEndpoints('etcd://[::1]:2379').endpoints, ['http://[::1]:2379']);
  });

  test('every system kind is accepted as a scheme', () => {
    for (const kind of SYSTEM_KINDS) {
      assert.deepEqual(parseEndpoints(`${kind}://h:1`), { kind, endpoints: ['http://h:1'] });
    }
  });
});

describe('parseEndpoints: errors are UsageError ENDPOINTS_INVALID', () => {
  test('unknown scheme', () => {
    assert.match(endpointsError('foo://h:1').message, /unknown scheme "foo"$/);
    assert.match(endpointsError('etcd+grpc://h:1').message, /unknown transport "grpc"/);
  });

  test('mixed kinds', () => {
    assert.match(
      endpointsError('etcd://a:1,zookeeper://b:2').message,
      /mixes kinds etcd and zookeeper$/,
    );
  });

  test('not HOST:PORT', () => {
    assert.match(endpointsError('etcd://h1').message, /"etcd:\/\/h1" is not HOST:PORT$/);
    assert.match(endpointsError('etcd://a:1,b').message, /"b" is not HOST:PORT$/);
    endpointsError('etcd://h:1/v3');
    endpointsError('etcd://h:port');
    endpointsError('etcd://:2379');
  });

  test('a port above 65535 is not HOST:PORT', () => {
    endpointsError('etcd://h:99999');
    endpointsError('etcd://h:65536');
  });

  test('bare HOST:PORT entries take the kind from defaultKind (--kind)', () => {
    assert.deepEqual(parseEndpoints('127.0.0.1:2379,127.0.0.1:22379', 'etcd'), {
      kind: 'etcd',
      endpoints: ['http://127.0.0.1:2379', 'http://127.0.0.1:22379'],
    });
  });

  test('a KIND:// scheme contradicting defaultKind is refused whatever the order', () => {
    assert.match(
      endpointsError('http://a:1,zookeeper://b:2', 'etcd').message,
      /mixes kinds etcd and zookeeper$/,
    );
    assert.match(
      endpointsError('zookeeper://b:2,http://a:1', 'etcd').message,
      /mixes kinds etcd and zookeeper$/,
    );
  });

  test('no kind: bare http URLs without defaultKind', () => {
    assert.match(
      endpointsError('http://h:1').message,
      /cannot tell the system kind: prefix the first endpoint with KIND:\/\/ or pass --kind$/,
    );
    endpointsError('h:1,h:2');
  });

  test('empty input', () => {
    assert.match(endpointsError('').message, /no endpoints given$/);
    endpointsError(' , ');
  });
});

describe('parseEndpoints: property', () => {
  const host = fc.oneof(fc.domain(), fc.ipV4());
  const port = fc.integer({ min: 1, max: 65535 });
  const hostPort = fc.tuple(host, port);

  test('any list of valid host:port pairs keeps its length and every URL parses', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SYSTEM_KINDS),
        fc.boolean(),
        fc.array(hostPort, { minLength: 1, maxLength: 6 }),
        (kind, tls, pairs) => {
          const value = pairs
            .map(([h, p], index) =>
              index === 0 ? `${kind}${tls ? '+https' : ''}://${h}:${p}` : `${h}:${p}`,
            )
            .join(',');
          const target = parseEndpoints(value);
          assert.equal(target.kind, kind);
          assert.equal(target.endpoints.length, pairs.length);
          target.endpoints.forEach((endpoint, index) => {
            const url = new URL(endpoint);
            const [h, p] = pairs[index]!;
            assert.equal(url.protocol, tls ? 'https:' : 'http:');
            assert.equal(url.hostname, h.toLowerCase());
            const defaultPort = tls ? 443 : 80;
            assert.equal(url.port === '' ? defaultPort : Number(url.port), p);
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('parseEndpoints: default ports', () => {
  test('keeps an explicit default port (the counterexample fast-check found: https on 443)', () => {
    assert.deepEqual(parseEndpoints('etcd+https://a.aa:443,a.aa:1'), {
      kind: 'etcd',
      endpoints: ['https://a.aa:443', 'https://a.aa:1'],
    });
    assert.deepEqual(parseEndpoints('etcd://h:80').endpoints, ['http://h:80']);
  });
});
