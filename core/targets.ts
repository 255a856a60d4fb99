/** Ad-hoc targets from `--endpoints`: `etcd://h1:2379,h2:2379` or plain `http(s)://` URLs. */
import { UsageError } from './errors.js';
import { isSystemKind, SYSTEM_KINDS, type SystemKind } from './model.js';

export interface EndpointsTarget {
  kind: SystemKind;
  /** Client URLs with http/https schemes (or tcp/nats for systems that speak TCP). */
  endpoints: string[];
}

/**
 * `KIND://host:port` means plain HTTP, `KIND+https://host:port` TLS; an entry without a
 * scheme takes the transport of the entry before it. `http(s)://` and bare entries get
 * their kind from `defaultKind` (the --kind flag) or from a KIND:// entry in the list.
 */
export function parseEndpoints(value: string, defaultKind?: SystemKind): EndpointsTarget {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const fail = (problem: string): never => {
    throw new UsageError('ENDPOINTS_INVALID', `--endpoints "${value}": ${problem}`, {
      actions: [
        'write KIND://HOST:PORT[,HOST:PORT...], e.g. --endpoints etcd://127.0.0.1:2379,127.0.0.1:22379',
        `KIND is one of ${SYSTEM_KINDS.join(', ')}; use KIND+https:// for TLS`,
      ],
    });
  };
  if (entries.length === 0) return fail('no endpoints given');

  let kind: SystemKind | undefined = defaultKind;
  let transport: string | undefined;
  const endpoints = entries.map((entry) => {
    const match = /^([a-z][a-z0-9+.-]*):\/\/(.+)$/.exec(entry);
    let hostPort = entry;
    if (match !== null) {
      const [scheme = '', rest = ''] = [match[1], match[2]];
      const [first = '', second] = scheme.split('+');
      if (first === 'http' || first === 'https') {
        transport = first;
      } else if (isSystemKind(first)) {
        if (kind !== undefined && kind !== first) fail(`mixes kinds ${kind} and ${first}`);
        kind = first;
        transport = second ?? 'http';
        if (transport !== 'http' && transport !== 'https')
          fail(`unknown transport "${transport}" (use http or https)`);
      } else {
        fail(`unknown scheme "${scheme}"`);
      }
      hostPort = rest;
    } else if (transport === undefined) {
      transport = 'http';
    }
    if (!/^[^/:\s]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(hostPort.replace(/\/$/, ''))) {
      fail(`"${entry}" is not HOST:PORT`);
    }
    const url = `${transport ?? 'http'}://${hostPort.replace(/\/$/, '')}`;
    // From the text: URL drops a scheme's default port (https://h:443 has port '').
    const port = Number(/:(\d{1,5})\/?$/.exec(hostPort)?.[1] ?? 0);
    if (!(port >= 1 && port <= 65535)) fail(`"${entry}": the port must be between 1 and 65535`);
    return url;
  });
  if (kind === undefined)
    return fail(
      'cannot tell the system kind: prefix the first endpoint with KIND:// or pass --kind',
    );
  return { kind, endpoints };
}
