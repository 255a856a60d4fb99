/** What one monitoring endpoint told us: the raw answers the pure mappings start from. */
import type { MemberError } from '../../core/model.js';
import type { Healthz, Jsz, MetaClusterInfo, Routez, Varz } from './monitoring-types.js';

export type ServerProbe = ReachedServer | UnreachedServer;

export interface ReachedServer {
  endpoint: string;
  reachable: true;
  varz: Varz;
  jsz?: Jsz;
  healthz?: Healthz;
  routez?: Routez;
  /** Calls that failed although /varz answered, e.g. `/jsz: no answer within 2000 ms`. */
  problems: string[];
}

export interface UnreachedServer {
  endpoint: string;
  reachable: false;
  error: MemberError;
}

/** The server's configured name (the meta group knows servers by it), else its ID. */
export function serverNameOf(probe: ReachedServer): string {
  return probe.varz.server_name ?? probe.varz.server_id ?? probe.endpoint;
}

/** The meta group as this server sees it (/varz has it too, so a failed /jsz loses nothing). */
export function metaOf(probe: ReachedServer): MetaClusterInfo | undefined {
  return probe.varz.jetstream?.meta ?? probe.jsz?.meta_cluster;
}

/** An empty leader name means none, as nats-server omits or blanks it. */
export function leaderNameOf(info: { leader?: string } | undefined): string | undefined {
  return info?.leader === undefined || info.leader === '' ? undefined : info.leader;
}

/** JetStream is off when /varz has no JetStream config (or /jsz says disabled). */
export function jetStreamEnabled(probe: ReachedServer): boolean {
  return probe.varz.jetstream?.config !== undefined && probe.jsz?.disabled !== true;
}
