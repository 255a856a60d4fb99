/** etcd preflight rules: membership size, Raft timing, quota, compaction, snapshots and TLS. */
import { settingOf, type PlannedConfig } from '../facts.js';
import {
  configFinding,
  configsOf,
  disagreements,
  formatBytes,
  isTrue,
  numberOf,
  preflightRule,
  REFERENCE,
  type PreflightRule,
} from './common.js';

/** The numbers the rules compare against; defaults are etcd's own (server/embed/config.go). */
export const ETCD_THRESHOLDS = {
  maxVoters: 7,
  defaultHeartbeatMs: 100,
  defaultElectionMs: 1000,
  minElectionToHeartbeat: 5,
  minElectionToRtt: 10,
  maxElectionMs: 50_000,
  defaultQuotaBytes: 2 * 1024 ** 3,
  maxQuotaBytes: 8 * 1024 ** 3,
  maxSnapshotCount: 100_000,
} as const;

const T = ETCD_THRESHOLDS;
const etcd = ['etcd'] as const;

/** Distinct member names of --initial-cluster (one member may list several peer URLs). */
export function initialClusterMembers(config: PlannedConfig): string[] | undefined {
  const value = settingOf(config, 'initial-cluster')?.value;
  if (value === undefined || value.trim() === '') return undefined;
  const names = value
    .split(',')
    .map((entry) => entry.split('=')[0]?.trim() ?? '')
    .filter((name) => name !== '');
  return [...new Set(names)];
}

export function heartbeatMs(config: PlannedConfig): number {
  return numberOf(config, 'heartbeat-interval', T.defaultHeartbeatMs);
}

export function electionMs(config: PlannedConfig): number {
  return numberOf(config, 'election-timeout', T.defaultElectionMs);
}

/** --quota-backend-bytes, where 0 (or less) means etcd's default of 2 GiB. */
export function quotaBytes(config: PlannedConfig): number {
  const quota = numberOf(config, 'quota-backend-bytes', 0);
  return quota <= 0 ? T.defaultQuotaBytes : quota;
}

const timingSetting = (config: PlannedConfig) =>
  settingOf(config, 'election-timeout') ?? settingOf(config, 'heartbeat-interval');

const size1 = preflightRule(
  {
    id: 'ETCD-SIZE-1',
    kinds: etcd,
    severity: 'warn',
    title: 'An odd number of voting members',
    why: 'A majority of an even-sized cluster is as large as that of the next odd size up, so the extra member adds a failure domain without adding fault tolerance (4 members tolerate 1 failure, like 3).',
    threshold: 'members in --initial-cluster: an odd number',
    source: `etcd-io/website content/en/docs/v3.6/faq.md l.41-67 (${REFERENCE} §3.1 E-SIZE-1)`,
    remedy: 'Plan 3 or 5 members; add or remove one in --initial-cluster on every member.',
  },
  (facts, info) =>
    configsOf(facts, 'etcd').flatMap((config) => {
      const members = initialClusterMembers(config);
      if (members === undefined || members.length % 2 === 1) return [];
      return [
        configFinding(
          info,
          config,
          settingOf(config, 'initial-cluster'),
          `--initial-cluster lists ${members.length} members, an even number: it tolerates no more failures than ${members.length - 1}`,
          { observed: members.length, threshold: 'odd' },
        ),
      ];
    }),
);

const size2 = preflightRule(
  {
    id: 'ETCD-SIZE-2',
    kinds: etcd,
    severity: 'warn',
    title: 'At most 7 voting members',
    why: 'Every write waits for a majority: more members mean more replication traffic and slower commits, and the etcd FAQ advises against clusters of more than 7.',
    threshold: `members in --initial-cluster <= ${T.maxVoters}`,
    source: `etcd-io/website content/en/docs/v3.6/faq.md l.41-67 (${REFERENCE} §3.1 E-SIZE-1)`,
    remedy: 'Use 5 members (tolerates 2 failures); serve extra readers with learners or a proxy.',
  },
  (facts, info) =>
    configsOf(facts, 'etcd').flatMap((config) => {
      const members = initialClusterMembers(config);
      if (members === undefined || members.length <= T.maxVoters) return [];
      return [
        configFinding(
          info,
          config,
          settingOf(config, 'initial-cluster'),
          `--initial-cluster lists ${members.length} members, more than ${T.maxVoters}`,
          { observed: members.length, threshold: T.maxVoters },
        ),
      ];
    }),
);

const time1 = preflightRule(
  {
    id: 'ETCD-TIME-1',
    kinds: etcd,
    severity: 'critical',
    title: 'Election timeout at least 5 x the heartbeat interval',
    why: 'etcd refuses to start when --election-timeout is less than 5 x --heartbeat-interval: followers would call elections between two heartbeats of a healthy leader.',
    threshold: `election-timeout >= ${T.minElectionToHeartbeat} x heartbeat-interval (defaults 1000 ms and 100 ms)`,
    source: `etcd-io/etcd server/embed/config.go l.987-989 (${REFERENCE} §3.1 E-TIME-3)`,
    remedy: 'Raise --election-timeout to 10 x --heartbeat-interval (e.g. 100 ms and 1000 ms).',
  },
  (facts, info) =>
    configsOf(facts, 'etcd').flatMap((config) => {
      const heartbeat = heartbeatMs(config);
      const election = electionMs(config);
      if (election >= T.minElectionToHeartbeat * heartbeat) return [];
      return [
        configFinding(
          info,
          config,
          timingSetting(config),
          `election-timeout ${election} ms is less than ${T.minElectionToHeartbeat} x heartbeat-interval ${heartbeat} ms (${T.minElectionToHeartbeat * heartbeat} ms): etcd will not start`,
          { observed: election, threshold: T.minElectionToHeartbeat * heartbeat },
        ),
      ];
    }),
);

const time2 = preflightRule(
  {
    id: 'ETCD-TIME-2',
    kinds: etcd,
    severity: 'warn',
    title: 'Election timeout at least 10 x the round trip to peers',
    why: 'A leader whose heartbeats take longer than the election timeout to arrive is deposed while healthy; the etcd tuning guide asks for an election timeout of at least 10 x the round trip time.',
    threshold: `election-timeout >= ${T.minElectionToRtt} x the slowest measured peer RTT (needs --host)`,
    source: `etcd-io/website content/en/docs/v3.6/tuning.md l.20-22 (${REFERENCE} §3.1 E-TIME-2)`,
    remedy:
      'Raise --election-timeout (and --heartbeat-interval with it) to cover the measured RTT, or bring members closer.',
  },
  (facts, info) => {
    const rtts = (facts.host?.peerRtts ?? []).flatMap((peer) =>
      peer.rttMs === undefined ? [] : [peer.rttMs],
    );
    if (rtts.length === 0) return [];
    const slowest = Math.max(...rtts);
    return configsOf(facts, 'etcd').flatMap((config) => {
      const election = electionMs(config);
      if (election >= T.minElectionToRtt * slowest) return [];
      return [
        configFinding(
          info,
          config,
          timingSetting(config),
          `election-timeout ${election} ms is less than ${T.minElectionToRtt} x the slowest peer RTT ${slowest.toFixed(1)} ms`,
          { observed: election, threshold: Math.ceil(T.minElectionToRtt * slowest) },
        ),
      ];
    });
  },
  'host',
);

const time3 = preflightRule(
  {
    id: 'ETCD-TIME-3',
    kinds: etcd,
    severity: 'warn',
    title: 'The same heartbeat and election timeout on every member',
    why: 'Members with different timers disagree on when a leader is lost: the impatient ones start needless elections. The tuning guide asks for the same values cluster-wide.',
    threshold: 'heartbeat-interval and election-timeout equal in every configuration given',
    source: `etcd-io/website content/en/docs/v3.6/tuning.md l.24 (${REFERENCE} §3.1 E-TIME-4)`,
    remedy: 'Set the same --heartbeat-interval and --election-timeout on every member.',
  },
  (facts, info) =>
    disagreements(info, configsOf(facts, 'etcd'), 'heartbeat/election', (config) => ({
      value: `${heartbeatMs(config)}/${electionMs(config)} ms`,
      entry: timingSetting(config),
    })),
  'several configs',
);

const time4 = preflightRule(
  {
    id: 'ETCD-TIME-4',
    kinds: etcd,
    severity: 'critical',
    title: 'Election timeout at most 50 s',
    why: 'etcd refuses an --election-timeout above 50000 ms; a timeout that long also leaves the cluster without a leader for minutes after a crash.',
    threshold: `election-timeout <= ${T.maxElectionMs} ms`,
    source: `etcd-io/etcd server/embed/config.go l.113 (maxElectionMs), l.520-521 (${REFERENCE} §3.1 E-TIME-2)`,
    remedy:
      'Lower --election-timeout to 10 x the peer RTT (1000 ms on a LAN, a few seconds across regions).',
  },
  (facts, info) =>
    configsOf(facts, 'etcd').flatMap((config) => {
      const election = electionMs(config);
      if (election <= T.maxElectionMs) return [];
      return [
        configFinding(
          info,
          config,
          settingOf(config, 'election-timeout'),
          `election-timeout ${election} ms is above etcd's maximum of ${T.maxElectionMs} ms: etcd will not start`,
          { observed: election, threshold: T.maxElectionMs },
        ),
      ];
    }),
);

const quota1 = preflightRule(
  {
    id: 'ETCD-QUOTA-1',
    kinds: etcd,
    severity: 'warn',
    title: 'Backend quota at most 8 GiB',
    why: 'Above 8 GiB the bbolt database is slow to snapshot, defragment and send to a new member; etcd itself warns that the quota exceeds the suggested maximum.',
    threshold: `quota-backend-bytes <= 8 GiB (${T.maxQuotaBytes}); default 2 GiB`,
    source: `etcd-io/etcd server/storage/quota.go l.30-33, 106; etcd-io/website dev-guide/limit.md (${REFERENCE} §3.1 E-QUOTA-1)`,
    remedy:
      'Keep --quota-backend-bytes at 8 GiB or less; compact and defragment instead of growing the quota.',
  },
  (facts, info) =>
    configsOf(facts, 'etcd').flatMap((config) => {
      const quota = quotaBytes(config);
      if (quota <= T.maxQuotaBytes) return [];
      return [
        configFinding(
          info,
          config,
          settingOf(config, 'quota-backend-bytes'),
          `quota-backend-bytes ${quota} (${formatBytes(quota)}) is above 8 GiB`,
          { observed: quota, threshold: T.maxQuotaBytes },
        ),
      ];
    }),
);

const compact1 = preflightRule(
  {
    id: 'ETCD-COMPACT-1',
    kinds: etcd,
    severity: 'warn',
    title: 'Automatic compaction on',
    why: 'etcd keeps every revision of every key until it is compacted; with --auto-compaction-retention at its default of 0 nothing is compacted and the database grows until it hits the quota (NOSPACE alarm: the cluster refuses writes).',
    threshold: 'auto-compaction-retention set and not 0 (e.g. 1h periodic, or a revision count)',
    source: `etcd-io/etcd server/embed/config.go l.71-72; etcd-io/website op-guide/maintenance.md l.45-85 (${REFERENCE} §3.1 E-COMPACT-1)`,
    remedy:
      'Set --auto-compaction-mode=periodic --auto-compaction-retention=1h (or a revision count with mode revision).',
  },
  (facts, info) =>
    configsOf(facts, 'etcd').flatMap((config) => {
      const entry = settingOf(config, 'auto-compaction-retention');
      const retention = entry?.value.trim() ?? '';
      const amount = parseFloat(retention);
      if (retention !== '' && !(Number.isFinite(amount) && amount === 0)) return [];
      return [
        configFinding(
          info,
          config,
          entry,
          entry === undefined
            ? 'auto-compaction-retention is not set: etcd never compacts its history'
            : `auto-compaction-retention is ${JSON.stringify(retention)}: automatic compaction is off`,
          { observed: retention === '' ? 'unset' : retention, threshold: 'not 0' },
        ),
      ];
    }),
);

const snap1 = preflightRule(
  {
    id: 'ETCD-SNAP-1',
    kinds: etcd,
    severity: 'warn',
    title: 'Snapshot count at most 100,000',
    why: 'etcd keeps the Raft entries since its last snapshot in memory and replays them after a restart; a higher --snapshot-count means more memory and slower recovery (the default is 10,000 since v3.6, 100,000 before).',
    threshold: `snapshot-count <= ${T.maxSnapshotCount}`,
    source: `etcd-io/etcd server/etcdserver/server.go l.78 (v3.6.14 vs v3.5); etcd-io/website tuning.md l.46 (${REFERENCE} §3.1 E-SNAP-1)`,
    remedy: 'Leave --snapshot-count at the default of your version, or at most 100000.',
  },
  (facts, info) =>
    configsOf(facts, 'etcd').flatMap((config) => {
      const entry = settingOf(config, 'snapshot-count');
      const count = numberOf(config, 'snapshot-count', 0);
      if (entry === undefined || count <= T.maxSnapshotCount) return [];
      return [
        configFinding(
          info,
          config,
          entry,
          `snapshot-count ${count} is above ${T.maxSnapshotCount}: more memory and a longer replay after restarts`,
          { observed: count, threshold: T.maxSnapshotCount },
        ),
      ];
    }),
);

/** TLS rules follow kube-bench's CIS etcd section (cfg/cis-1.12/etcd.yaml, checks 2.1-2.6). */
const CIS = 'aquasecurity/kube-bench cfg/cis-1.12/etcd.yaml';

function plainHttpUrls(config: PlannedConfig, keys: readonly string[]) {
  return keys.flatMap((key) => {
    const entry = settingOf(config, key);
    if (entry === undefined) return [];
    return entry.value
      .split(',')
      .filter((url) => url.trim().toLowerCase().startsWith('http://'))
      .map((url) => ({ entry, url: url.trim() }));
  });
}

function certificateRule(id: string, side: 'client' | 'peer', cis: string): PreflightRule {
  const prefix = side === 'peer' ? 'peer-' : '';
  const urlKeys =
    side === 'peer'
      ? ['listen-peer-urls', 'initial-advertise-peer-urls']
      : ['listen-client-urls', 'advertise-client-urls'];
  return preflightRule(
    {
      id,
      kinds: etcd,
      severity: 'critical',
      title: `TLS on the ${side} port`,
      why:
        side === 'client'
          ? 'Without TLS every key, lease and credential travels in clear text, and anyone on the network can read and write the whole keyspace.'
          : 'Without peer TLS the Raft traffic (every write) is readable and a rogue host can join the replication stream.',
      threshold: `--${prefix}cert-file and --${prefix}key-file set; ${urlKeys.join(' and ')} use https://`,
      source: `${CIS} check ${cis} (${REFERENCE} §3.1 E-TLS-${side === 'client' ? 1 : 4})`,
      remedy: `Issue a certificate for each member and set --${prefix}cert-file, --${prefix}key-file and https:// ${side} URLs.`,
    },
    (facts, info) =>
      configsOf(facts, 'etcd').flatMap((config) => {
        const missing = [`${prefix}cert-file`, `${prefix}key-file`].filter(
          (key) => (settingOf(config, key)?.value.trim() ?? '') === '',
        );
        const plain = plainHttpUrls(config, urlKeys);
        if (missing.length === 0 && plain.length === 0) return [];
        const reasons = [
          ...(missing.length > 0
            ? [`${missing.map((key) => `--${key}`).join(' and ')} not set`]
            : []),
          ...plain.map(({ entry, url }) => `--${entry.key} has ${url}`),
        ];
        return [
          configFinding(
            info,
            config,
            plain[0]?.entry,
            `${side} traffic is not encrypted: ${reasons.join('; ')}`,
            { observed: missing.length > 0 ? 'no certificate' : 'http://', threshold: 'TLS' },
          ),
        ];
      }),
  );
}

function clientCertAuthRule(id: string, side: 'client' | 'peer', cis: string): PreflightRule {
  const key = side === 'peer' ? 'peer-client-cert-auth' : 'client-cert-auth';
  return preflightRule(
    {
      id,
      kinds: etcd,
      severity: 'critical',
      title: `Certificate authentication of ${side === 'peer' ? 'peers' : 'clients'}`,
      why:
        side === 'client'
          ? 'With TLS but without client certificate checks, any client that reaches the port can read and write (unless etcd auth is on); kube-bench fails this check.'
          : 'Without peer certificate checks any host that reaches the peer port can pose as a member.',
      threshold: `--${key}=true`,
      source: `${CIS} check ${cis} (${REFERENCE} §3.1 E-TLS-${side === 'client' ? 2 : 5})`,
      remedy: `Set --${key}=true and --${side === 'peer' ? 'peer-' : ''}trusted-ca-file to the CA that signs the ${side === 'peer' ? 'members' : 'clients'}.`,
    },
    (facts, info) =>
      configsOf(facts, 'etcd').flatMap((config) => {
        const entry = settingOf(config, key);
        if (isTrue(entry?.value)) return [];
        return [
          configFinding(
            info,
            config,
            entry,
            entry === undefined
              ? `--${key} is not set: ${side === 'peer' ? 'peers' : 'clients'} are not asked for a certificate`
              : `--${key}=${entry.value}: ${side === 'peer' ? 'peers' : 'clients'} are not asked for a certificate`,
            { observed: entry?.value ?? 'unset', threshold: 'true' },
          ),
        ];
      }),
  );
}

function autoTlsRule(id: string, side: 'client' | 'peer', cis: string): PreflightRule {
  const key = side === 'peer' ? 'peer-auto-tls' : 'auto-tls';
  return preflightRule(
    {
      id,
      kinds: etcd,
      severity: 'critical',
      title: `No self-signed ${side} certificates (--${key})`,
      why: `--${key} makes etcd generate self-signed certificates that nobody can verify: the traffic is encrypted but anyone can impersonate a ${side === 'peer' ? 'member' : 'server'}.`,
      threshold: `--${key} absent or false`,
      source: `${CIS} check ${cis} (${REFERENCE} §3.1 E-TLS-${side === 'client' ? 3 : 6})`,
      remedy: `Remove --${key} and use certificates signed by your own CA.`,
    },
    (facts, info) =>
      configsOf(facts, 'etcd').flatMap((config) => {
        const entry = settingOf(config, key);
        if (!isTrue(entry?.value)) return [];
        return [
          configFinding(
            info,
            config,
            entry,
            `--${key} is on: ${side} certificates are self-signed`,
            {
              observed: 'true',
              threshold: 'false',
            },
          ),
        ];
      }),
  );
}

export const ETCD_RULES: readonly PreflightRule[] = [
  size1,
  size2,
  time1,
  time2,
  time3,
  time4,
  quota1,
  compact1,
  snap1,
  certificateRule('ETCD-TLS-1', 'client', '2.1'),
  clientCertAuthRule('ETCD-TLS-2', 'client', '2.2'),
  autoTlsRule('ETCD-TLS-3', 'client', '2.3'),
  certificateRule('ETCD-TLS-4', 'peer', '2.4'),
  clientCertAuthRule('ETCD-TLS-5', 'peer', '2.5'),
  autoTlsRule('ETCD-TLS-6', 'peer', '2.6'),
];
