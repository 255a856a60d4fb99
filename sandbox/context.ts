/** Where quorumctl's own adapters reach a sandbox: what `sandbox up` writes into the inventory. */
import type { SandboxRecord } from './types.js';

export interface SandboxTarget {
  endpoints: string[];
  monitorUrls?: string[];
}

export function sandboxTarget(record: SandboxRecord): SandboxTarget {
  switch (record.kind) {
    case 'etcd':
      return { endpoints: record.endpoints };
    // The NATS adapter reads the monitoring port; it learns client URLs from /varz.
    case 'nats':
      return { endpoints: record.monitorUrls ?? record.endpoints };
    // Four-letter words go to the client port; the AdminServer is the fallback.
    case 'zookeeper':
      return {
        endpoints: record.endpoints,
        ...(record.monitorUrls !== undefined && { monitorUrls: record.monitorUrls }),
      };
  }
}
