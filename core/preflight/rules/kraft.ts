/** Kafka KRaft preflight rules: node roles, controller quorum size and lists, durability, timers. */
import { settingOf, type PlannedConfig } from '../facts.js';
import { parseBootstrapServers, parseVoters } from '../parsers/server-properties.js';
import {
  configFinding,
  configsOf,
  disagreements,
  isTrue,
  numberOf,
  preflightRule,
  REFERENCE,
  type PreflightRule,
} from './common.js';

const OPS = 'apache/kafka docs/ops.html @ 1eb7644';

export const KRAFT_THRESHOLDS = {
  recommendedControllers: 3,
  toleratedControllers: 5,
  minInsyncReplicas: 2,
  /** Defaults of QuorumConfig.java, compared across nodes by KRAFT-TIME-1. */
  quorumTimers: {
    'controller.quorum.election.timeout.ms': 1000,
    'controller.quorum.fetch.timeout.ms': 2000,
    'controller.quorum.election.backoff.max.ms': 1000,
    'controller.quorum.request.timeout.ms': 2000,
  },
} as const;

const T = KRAFT_THRESHOLDS;
const kraft = ['kraft'] as const;

function roles(config: PlannedConfig): string[] {
  return (settingOf(config, 'process.roles')?.value ?? '')
    .split(',')
    .map((role) => role.trim())
    .filter((role) => role !== '');
}

/** The controller quorum as this node knows it: static voters, else the bootstrap list. */
function controllerQuorum(config: PlannedConfig) {
  const voters = settingOf(config, 'controller.quorum.voters');
  const parsedVoters = voters === undefined ? undefined : parseVoters(voters.value);
  if (voters !== undefined && parsedVoters !== undefined && parsedVoters.length > 0) {
    return {
      entry: voters,
      ids: parsedVoters.map((voter) => voter.id),
      members: [...new Set(parsedVoters.map((voter) => `${voter.id}@${voter.address}`))],
    };
  }
  const bootstrap = settingOf(config, 'controller.quorum.bootstrap.servers');
  const servers = bootstrap === undefined ? undefined : parseBootstrapServers(bootstrap.value);
  if (bootstrap !== undefined && servers !== undefined && servers.length > 0) {
    return { entry: bootstrap, ids: undefined, members: [...new Set(servers)] };
  }
  return undefined;
}

const role1 = preflightRule(
  {
    id: 'KRAFT-ROLE-1',
    kinds: kraft,
    severity: 'critical',
    title: 'No combined broker and controller nodes',
    why: "A combined node shares memory, disk and GC pauses between client traffic and the metadata quorum: a busy broker delays controller elections, and the node cannot be restarted without affecting both. Kafka's operations guide rules combined mode out for production.",
    threshold: 'process.roles is controller or broker, never both',
    source: `${OPS} l.3766, l.3899-3905 (${REFERENCE} §3.3 K-ROLE-1)`,
    remedy:
      'Run dedicated controllers (process.roles=controller) and separate brokers (process.roles=broker).',
  },
  (facts, info) =>
    configsOf(facts, 'kraft').flatMap((config) => {
      const nodeRoles = roles(config);
      if (!(nodeRoles.includes('broker') && nodeRoles.includes('controller'))) return [];
      return [
        configFinding(
          info,
          config,
          settingOf(config, 'process.roles'),
          `process.roles=${settingOf(config, 'process.roles')?.value ?? ''}: a combined node`,
          { observed: 'broker,controller', threshold: 'one role' },
        ),
      ];
    }),
);

const size1 = preflightRule(
  {
    id: 'KRAFT-SIZE-1',
    kinds: kraft,
    severity: 'critical',
    title: '3 controllers (or 5)',
    why: 'The metadata quorum needs a majority of controllers: 1 controller has no fault tolerance, an even count adds none over the odd count below it, and more than 5 only slows commits.',
    threshold:
      'controllers in controller.quorum.voters (or bootstrap.servers): 3, or 5 (see KRAFT-SIZE-2)',
    source: `${OPS} l.3771, l.3899+ (${REFERENCE} §3.3 K-SIZE-1)`,
    remedy:
      'List exactly 3 controllers in controller.quorum.voters (or controller.quorum.bootstrap.servers) on every node.',
  },
  (facts, info) =>
    configsOf(facts, 'kraft').flatMap((config) => {
      const quorum = controllerQuorum(config);
      if (quorum === undefined) return [];
      const count = quorum.members.length;
      if (count === T.recommendedControllers || count === T.toleratedControllers) return [];
      return [
        configFinding(
          info,
          config,
          quorum.entry,
          `${count} controller(s) in ${quorum.entry.key}, not 3`,
          {
            observed: count,
            threshold: T.recommendedControllers,
          },
        ),
      ];
    }),
);

const size2 = preflightRule(
  {
    id: 'KRAFT-SIZE-2',
    kinds: kraft,
    severity: 'warn',
    title: '5 controllers only where needed',
    why: "[derived] Kafka's operations guide says production should use 3 controllers and more is not recommended in critical environments, yet also that operators typically pick 3 or 5: 5 is flagged as a warning, not a failure.",
    threshold: 'controllers: 3 (5 warns)',
    source: `[derived] ${OPS} l.3771 vs l.3899+ (${REFERENCE} §3.3 K-SIZE-1)`,
    remedy: 'Prefer 3 controllers unless you need to survive two controller failures at once.',
  },
  (facts, info) =>
    configsOf(facts, 'kraft').flatMap((config) => {
      const quorum = controllerQuorum(config);
      if (quorum?.members.length !== T.toleratedControllers) return [];
      return [
        configFinding(
          info,
          config,
          quorum.entry,
          `5 controllers in ${quorum.entry.key}: 3 are recommended`,
          {
            observed: 5,
            threshold: T.recommendedControllers,
          },
        ),
      ];
    }),
);

const boot1 = preflightRule(
  {
    id: 'KRAFT-BOOT-1',
    kinds: kraft,
    severity: 'critical',
    title: 'A complete controller list on every node',
    why: 'Every node must name every controller (controller.quorum.voters, or controller.quorum.bootstrap.servers with dynamic quorums): a node that misses one cannot find the leader after a failover, and a controller missing from its own voters list never joins the quorum.',
    threshold:
      'the list is set, includes every controller given (by node.id), and is the same on every node',
    source: `${OPS} l.3772-3780 (${REFERENCE} §3.3 K-SIZE-2)`,
    remedy:
      "Write the same controller.quorum.voters (id@host:port for every controller) into every node's server.properties.",
  },
  (facts, info) => {
    const configs = configsOf(facts, 'kraft');
    const findings = configs.flatMap((config) => {
      const quorum = controllerQuorum(config);
      if (quorum === undefined) {
        return [
          configFinding(
            info,
            config,
            undefined,
            'neither controller.quorum.voters nor controller.quorum.bootstrap.servers is set',
            { observed: 'unset', threshold: 'every controller' },
          ),
        ];
      }
      const controllerIds = configs
        .filter((other) => roles(other).includes('controller'))
        .map((other) => settingOf(other, 'node.id')?.value)
        .filter((id): id is string => id !== undefined);
      const missing =
        quorum.ids === undefined ? [] : controllerIds.filter((id) => !quorum.ids?.includes(id));
      if (missing.length === 0) return [];
      return [
        configFinding(
          info,
          config,
          quorum.entry,
          `controller.quorum.voters lacks controller node.id ${[...new Set(missing)].join(', ')}`,
          { observed: quorum.entry.value, threshold: 'every controller' },
        ),
      ];
    });
    const listed = configs.filter((config) => controllerQuorum(config) !== undefined);
    return [
      ...findings,
      ...disagreements(info, listed, 'the controller list', (config) => {
        const quorum = controllerQuorum(config);
        return { value: [...(quorum?.members ?? [])].sort().join(','), entry: quorum?.entry };
      }),
    ];
  },
);

const dur1 = preflightRule(
  {
    id: 'KRAFT-DUR-1',
    kinds: kraft,
    severity: 'critical',
    title: 'Unclean leader election off',
    why: 'With unclean leader election a replica that missed writes can become leader: acknowledged messages are silently lost.',
    threshold: 'unclean.leader.election.enable=false (the default)',
    source: `apache/kafka docs/design.html l.429-450 (${REFERENCE} §3.3 K-DUR-1)`,
    remedy:
      'Remove unclean.leader.election.enable=true; recover an offline partition by hand if you must.',
  },
  (facts, info) =>
    configsOf(facts, 'kraft').flatMap((config) => {
      const entry = settingOf(config, 'unclean.leader.election.enable');
      if (!isTrue(entry?.value)) return [];
      return [
        configFinding(
          info,
          config,
          entry,
          'unclean.leader.election.enable=true: out-of-sync replicas may become leaders',
          {
            observed: 'true',
            threshold: 'false',
          },
        ),
      ];
    }),
);

const dur2 = preflightRule(
  {
    id: 'KRAFT-DUR-2',
    kinds: kraft,
    severity: 'warn',
    title: 'min.insync.replicas of at least 2 on brokers',
    why: 'With min.insync.replicas=1 (the default) a write acknowledged with acks=all may live on the leader alone and be lost with it.',
    threshold: `min.insync.replicas >= ${T.minInsyncReplicas} on brokers (producers on acks=all)`,
    source: `apache/kafka docs/design.html l.429-450 (${REFERENCE} §3.3 K-DUR-1)`,
    remedy: 'Set min.insync.replicas=2 with a replication factor of 3, and acks=all in producers.',
  },
  (facts, info) =>
    configsOf(facts, 'kraft').flatMap((config) => {
      if (!roles(config).includes('broker')) return [];
      const replicas = numberOf(config, 'min.insync.replicas', 1);
      if (replicas >= T.minInsyncReplicas) return [];
      return [
        configFinding(
          info,
          config,
          settingOf(config, 'min.insync.replicas') ?? settingOf(config, 'process.roles'),
          `min.insync.replicas is ${replicas}: an acknowledged write may exist on one replica only`,
          { observed: replicas, threshold: T.minInsyncReplicas },
        ),
      ];
    }),
);

const time1 = preflightRule(
  {
    id: 'KRAFT-TIME-1',
    kinds: kraft,
    severity: 'warn',
    title: 'The same quorum timers on every node',
    why: 'Nodes with different election and fetch timeouts disagree on when the active controller is lost: the impatient ones start elections the others consider needless.',
    threshold: `${Object.keys(T.quorumTimers).join(', ')} equal on every node given`,
    source: `apache/kafka raft/src/main/java/org/apache/kafka/raft/QuorumConfig.java l.73-100 (${REFERENCE} §3.3 K-TIME-1)`,
    remedy:
      'Set the controller.quorum.* timers identically on every node (or leave them all at the defaults).',
  },
  (facts, info) =>
    disagreements(info, configsOf(facts, 'kraft'), 'the quorum timers', (config) => ({
      value: Object.entries(T.quorumTimers)
        .map(
          ([key, fallback]) =>
            `${key.replace('controller.quorum.', '')}=${numberOf(config, key, fallback)}`,
        )
        .join(' '),
      entry: Object.keys(T.quorumTimers)
        .map((key) => settingOf(config, key))
        .find((entry) => entry !== undefined),
    })),
  'several configs',
);

export const KRAFT_RULES: readonly PreflightRule[] = [
  role1,
  size1,
  size2,
  boot1,
  dur1,
  dur2,
  time1,
];
