/** Every number the check rules compare against, in one place (data, not code). */
import { DEFAULT_HEALTH_THRESHOLDS, type HealthThresholds } from '../health.js';
import type { SystemKind } from '../model.js';

export const CHECK_THRESHOLDS = {
  /**
   * What `health` judges with. NATS storage follows natscli's `server check jetstream`
   * (warn 75 %, critical 90 %) instead of the etcd mixin's 80 % / 95 %.
   */
  health: {
    default: DEFAULT_HEALTH_THRESHOLDS,
    nats: { ...DEFAULT_HEALTH_THRESHOLDS, quotaWarnRatio: 0.75, quotaCriticalRatio: 0.9 },
  } satisfies { default: HealthThresholds } & Partial<Record<SystemKind, HealthThresholds>>,
  /** Fewer observations than this in the window: the p99 is taken over the member's lifetime. */
  minWindowObservations: 20,
  /** Leader elections within the window (any election during a seconds-long check is news). */
  leaderChangesWarn: 1,
  maxVoters: 7,
  tls: { warnDays: 30 },
  etcd: {
    walFsyncP99WarnSeconds: 0.01,
    walFsyncP99CriticalSeconds: 1,
    backendCommitP99WarnSeconds: 0.025,
    failedProposalsWarn: 5,
    /** The etcd mixin's etcdExcessiveDatabaseGrowth looks 4 hours ahead. */
    quotaEtaWarnSeconds: 4 * 60 * 60,
    fragmentationMinDbBytes: 100 * 1024 * 1024,
    fragmentationMaxInUseRatio: 0.5,
  },
  zookeeper: {
    outstandingRequestsWarn: 10,
    latencyAvgWarnMs: 10,
    latencyAvgCriticalMs: 100,
    /** The default minSessionTimeout: 2 x the default tickTime of 2000 ms. */
    latencyMaxWarnMs: 4000,
  },
  kraft: {
    /** controller.quorum.fetch.timeout.ms default: a voter this far behind would stand for election. */
    lagTimeWarnMs: 2000,
  },
} as const;

export type CheckThresholds = typeof CHECK_THRESHOLDS;

export function healthThresholdsFor(kind: SystemKind): HealthThresholds {
  return kind === 'nats' ? CHECK_THRESHOLDS.health.nats : CHECK_THRESHOLDS.health.default;
}
