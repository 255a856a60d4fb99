/** The TiKV adapter: PD's members are the control quorum, TiKV regions the data groups. */
import { assembleClusterStatus } from '../../core/cluster-status.js';
import { describeCause, type QuorumctlError } from '../../core/errors.js';
import {
  clusterUnreachable,
  credentialsRejected,
  everyAttemptRejectedCredentials,
} from '../../core/unreachable.js';
import type { ClusterStatus, MemberError } from '../../core/model.js';
import type {
  Capability,
  ClusterAdapter,
  ClusterTarget,
  ConnectOptions,
} from '../../core/ports.js';
import { HttpTransportError } from '../transport/http.js';
import { PdClient } from './pd-client.js';
import {
  idOf,
  pdMemberStatuses,
  regionSummary,
  storeAttributes,
  unavailableStoreIds,
  type PdEndpointProbe,
} from './pd-status.js';
import type { PdRegion, PdRegionsResponse } from './pd-types.js';

const CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>(['status']);

/** PD's lists of unhealthy regions that matter for Raft: a voter down, behind, or missing. */
const REGION_CHECKS = ['down-peer', 'pending-peer', 'miss-peer'] as const;

export function connect(target: ClusterTarget, options: ConnectOptions): ClusterAdapter {
  return new TikvAdapter(target, options);
}

class TikvAdapter implements ClusterAdapter {
  readonly kind = 'tikv' as const;
  readonly capabilities = CAPABILITIES;
  private readonly pd: PdClient;

  constructor(
    private readonly target: ClusterTarget,
    options: ConnectOptions,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.pd = new PdClient(options);
  }

  /**
   * Every given PD endpoint is asked for `/health` (which checks every member); the rest is
   * read from one that answered: the member list from any PD, stores and regions through the
   * PD leader (followers forward those calls).
   */
  async status(): Promise<ClusterStatus> {
    const probes = await Promise.all(this.target.endpoints.map((endpoint) => this.probe(endpoint)));
    const answering = probes.filter((probe) => probe.answered);
    if (answering.length === 0) throw this.unreachable(probes);
    const withHealth = answering.find((probe) => probe.health !== undefined);
    const source = (withHealth ?? answering[0] ?? probes[0])?.endpoint ?? '';
    const others = answering.map((probe) => probe.endpoint).filter((e) => e !== source);

    const [members, stores, count, replicate, ...checks] = await Promise.all([
      firstAnswer([source, ...others], (endpoint) => this.pd.members(endpoint)),
      optional(this.pd.stores(source)),
      optional(this.pd.regionCount(source)),
      optional(this.pd.replicationConfig(source)),
      ...REGION_CHECKS.map((check) => optional(this.pd.regionsWith(source, check))),
    ]);
    const storeList = stores?.stores ?? [];
    // A region that lost its quorum elects no leader and sends PD no heartbeats, so it is in
    // no check list: it is found among the regions of the stores PD lost.
    const ofLostStores = await Promise.all(
      unavailableStoreIds(storeList).map((id) => optional(this.pd.regionsOfStore(source, id))),
    );
    const regionLists = [...checks, ...ofLostStores];
    const regionsKnown = count !== undefined || regionLists.some((list) => list !== undefined);
    const clusterId = idOf(members?.header?.cluster_id);

    return assembleClusterStatus({
      cluster: this.target.name,
      kind: 'tikv',
      ...(clusterId !== undefined && { clusterId }),
      members: pdMemberStatuses({
        probes,
        ...(members !== undefined && { members }),
        ...(withHealth?.health !== undefined && { health: withHealth.health }),
      }),
      ...(regionsKnown && {
        groups: regionSummary({
          ...(count?.count !== undefined && { regionCount: count.count }),
          problemRegions: regionLists.flatMap(regionsOf),
          stores: storeList,
          ...(replicate?.['max-replicas'] !== undefined && {
            maxReplicas: replicate['max-replicas'],
          }),
        }),
      }),
      ...(stores !== undefined && { attributes: storeAttributes(storeList) }),
      observedAt: this.now(),
    });
  }

  async close(): Promise<void> {
    // Every call uses its own short-lived connection: nothing to release.
  }

  /** Any HTTP answer but a refusal means the PD process is up, even when it cannot check health. */
  private async probe(endpoint: string): Promise<PdEndpointProbe> {
    try {
      return { endpoint, answered: true, health: await this.pd.health(endpoint) };
    } catch (cause) {
      if (cause instanceof HttpTransportError && cause.code.startsWith('HTTP_'))
        return { endpoint, answered: true };
      return { endpoint, answered: false, error: memberError(cause) };
    }
  }

  private unreachable(probes: PdEndpointProbe[]): QuorumctlError {
    const attempts = probes.map((probe) =>
      probe.answered
        ? { endpoint: probe.endpoint }
        : { endpoint: probe.endpoint, error: probe.error },
    );
    if (everyAttemptRejectedCredentials(attempts)) {
      return credentialsRejected({
        system: 'TiKV',
        cluster: this.target.name,
        reason:
          attempts.find((attempt) => attempt.error)?.error?.message ?? 'PD refused the request',
        endpoints: this.target.endpoints,
        actions: [
          'PD has no user accounts: a 401/403 comes from TLS client-certificate checks or a proxy in front of PD',
          'pass --cacert/--cert/--key with a certificate PD trusts (PD security.cert-allowed-cn), or a token for the proxy (--token-env)',
        ],
      });
    }
    return clusterUnreachable({
      system: 'TiKV',
      cluster: this.target.name,
      noun: 'PD endpoint',
      attempts,
      actions: [
        'the endpoints must be PD client URLs (port 2379 by default), e.g. --endpoints tikv://pd-1:2379',
        'check that the PD members are running (tiup cluster display, or kubectl get pods -l app.kubernetes.io/component=pd)',
        'for TLS clusters pass --cacert/--cert/--key and use tikv+https:// endpoints',
      ],
    });
  }
}

function regionsOf(list: PdRegionsResponse | undefined): PdRegion[] {
  return list?.regions ?? [];
}

/** Region and store views are extras: without them the members are still worth showing. */
async function optional<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch {
    return undefined;
  }
}

async function firstAnswer<T>(
  endpoints: string[],
  call: (endpoint: string) => Promise<T>,
): Promise<T | undefined> {
  for (const endpoint of endpoints) {
    try {
      return await call(endpoint);
    } catch {
      // Try the next endpoint that answered.
    }
  }
  return undefined;
}

function memberError(cause: unknown): MemberError {
  if (cause instanceof HttpTransportError) return { code: cause.code, message: cause.message };
  return { code: 'UNKNOWN', message: describeCause(cause) };
}
