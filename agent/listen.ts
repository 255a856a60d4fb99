/** The agent's listen address: parsing `host:port` and telling loopback from the network. */
import { isIP } from 'node:net';
import { UsageError } from '../core/errors.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export const DEFAULT_LISTEN: ListenAddress = { host: '127.0.0.1', port: 9464 };

/** `127.0.0.1:9464`, `[::1]:9464`, `localhost:0` (0: any free port). */
export function parseListenAddress(value: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !Number.isInteger(port) || port > 65535) {
    throw new UsageError('LISTEN_INVALID', `--listen "${value}" is not HOST:PORT`, {
      actions: [
        'e.g. --listen 127.0.0.1:9464 (loopback, the default) or --listen 0.0.0.0:9464 with --token-env',
      ],
    });
  }
  return { host, port };
}

/** Whether only this machine can connect to `host`. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

export function formatListenAddress({ host, port }: ListenAddress): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
