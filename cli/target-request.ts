/** Turns the shared target, TLS and auth flags into the request ops/target.ts resolves. */
import type { SystemKind } from '../core/model.js';
import { parseDuration } from '../core/duration.js';
import { locateInventory } from '../ops/inventory-location.js';
import type { TargetRequest } from '../ops/target.js';

/** The values of `targetFlags` and `globalFlags` (cli/flags.ts) a command received. */
export interface TargetFlagValues {
  config?: string | undefined;
  cluster?: string | undefined;
  endpoints?: string | undefined;
  kind?: string | undefined;
  timeout?: string | undefined;
  cacert?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  'insecure-skip-tls-verify'?: boolean | undefined;
  user?: string | undefined;
  'password-env'?: string | undefined;
  'token-env'?: string | undefined;
  'monitor-urls'?: string | undefined;
  'kube-context'?: string | undefined;
  kubeconfig?: string | undefined;
  'use-cluster-secrets'?: boolean | undefined;
}

export function targetRequestFrom(flags: TargetFlagValues, signal?: AbortSignal): TargetRequest {
  return {
    ...definedOnly({
      cluster: flags.cluster,
      endpoints: flags.endpoints,
      monitorUrls: flags['monitor-urls'],
    }),
    // oclif has already checked --kind against SYSTEM_KINDS.
    ...(flags.kind !== undefined && { kind: flags.kind as SystemKind }),
    inventory: locateInventory(flags.config),
    tls: definedOnly({
      cacert: flags.cacert,
      cert: flags.cert,
      key: flags.key,
      insecureSkipVerify: flags['insecure-skip-tls-verify'] === true ? true : undefined,
    }),
    auth: definedOnly({
      user: flags.user,
      passwordEnv: flags['password-env'],
      tokenEnv: flags['token-env'],
    }),
    timeoutMs: parseDuration(flags.timeout ?? '3s', '--timeout'),
    ...(signal !== undefined && { signal }),
  };
}

function definedOnly<T extends Record<string, unknown>>(
  values: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
