/** Kafka protocol error codes met on the controller APIs, turned into our typed errors with actions. */
import {
  UnreachableError,
  UnsupportedOperationError,
  UsageError,
  type QuorumctlError,
} from '../../core/errors.js';
import { kafka } from './kafka-library.js';

type ErrorClass = typeof UsageError | typeof UnsupportedOperationError | typeof UnreachableError;

interface KafkaErrorInfo {
  name: string;
  /** What it means for the controller APIs, in the operator's words. */
  meaning: string;
  /** Worth asking another controller or asking again (Kafka's RetriableException family). */
  retriable: boolean;
  type: ErrorClass;
  actions: string[];
}

const LEADERLESS_ACTIONS = [
  'list every controller in --endpoints (or the inventory) so the leader can be found',
  'if an election is running, retry in a few seconds; check that a majority of controllers is up',
];

const SASL_ACTIONS = [
  'quorumctl does not speak SASL yet: use a PLAINTEXT or SSL (mutual TLS) listener, or the JMX exporter',
];

/** Sources: apache/kafka Errors.java, KafkaRaftClient, AddVoterHandler, RemoveVoterHandler. */
const KNOWN: Readonly<Record<number, KafkaErrorInfo>> = {
  [-1]: {
    name: 'UNKNOWN_SERVER_ERROR',
    meaning: 'the server failed unexpectedly',
    retriable: false,
    type: UnreachableError,
    actions: ['look for the stack trace in the controller log (server.log)'],
  },
  3: {
    name: 'UNKNOWN_TOPIC_OR_PARTITION',
    meaning: 'this server does not host the __cluster_metadata partition (not a KRaft server?)',
    retriable: false,
    type: UsageError,
    actions: [
      'point quorumctl at a KRaft controller listener (controller.listener.names) or a KRaft broker',
    ],
  },
  6: {
    name: 'NOT_LEADER_OR_FOLLOWER',
    meaning: 'this controller is not the quorum leader',
    retriable: true,
    type: UnreachableError,
    actions: LEADERLESS_ACTIONS,
  },
  7: {
    name: 'REQUEST_TIMED_OUT',
    meaning:
      'the leader could not finish in time: the high watermark is not yet known after an election, another voter change is in flight, or the new voter has not caught up',
    retriable: true,
    type: UnreachableError,
    actions: [
      'wait until the new controller has caught up (quorumctl status: its lag reaches 0), then retry',
      'only one voter change runs at a time: let the previous one commit first',
    ],
  },
  8: {
    name: 'BROKER_NOT_AVAILABLE',
    meaning: 'the controller is shutting down',
    retriable: true,
    type: UnreachableError,
    actions: LEADERLESS_ACTIONS,
  },
  31: {
    name: 'CLUSTER_AUTHORIZATION_FAILED',
    meaning: 'the principal lacks the ACL this API needs on the CLUSTER resource',
    retriable: false,
    type: UsageError,
    actions: [
      'DescribeQuorum needs DESCRIBE on CLUSTER; DescribeCluster on a controller and Add/RemoveRaftVoter need ALTER on CLUSTER',
      'grant them with kafka-acls.sh --add --cluster --operation DESCRIBE (or ALTER) --allow-principal ...',
    ],
  },
  33: {
    name: 'UNSUPPORTED_SASL_MECHANISM',
    meaning: 'the listener requires SASL',
    retriable: false,
    type: UsageError,
    actions: SASL_ACTIONS,
  },
  34: {
    name: 'ILLEGAL_SASL_STATE',
    meaning: 'the listener requires SASL authentication first',
    retriable: false,
    type: UsageError,
    actions: SASL_ACTIONS,
  },
  35: {
    name: 'UNSUPPORTED_VERSION',
    meaning:
      'the server does not support this API version; for AddRaftVoter, the quorum is static (kraft.version 0)',
    retriable: false,
    type: UnsupportedOperationError,
    actions: [
      'dynamic controller membership needs kraft.version 1 (Kafka 3.9+): check with kafka-features.sh describe',
      'a static quorum (controller.quorum.voters) is changed by editing the configuration and restarting',
    ],
  },
  41: {
    name: 'NOT_CONTROLLER',
    meaning: 'this server is not the active controller',
    retriable: true,
    type: UnreachableError,
    actions: LEADERLESS_ACTIONS,
  },
  42: {
    name: 'INVALID_REQUEST',
    meaning:
      'the server rejected the request (missing directory ID, no endpoint for the controller listener, or the new voter cannot support the kraft.version)',
    retriable: false,
    type: UsageError,
    actions: [
      'give the directory ID from the new controller\u2019s meta.properties and its controller listener endpoint',
    ],
  },
  58: {
    name: 'SASL_AUTHENTICATION_FAILED',
    meaning: 'SASL authentication failed',
    retriable: false,
    type: UsageError,
    actions: SASL_ACTIONS,
  },
  74: {
    name: 'FENCED_LEADER_EPOCH',
    meaning: 'the leader epoch moved on while the request was in flight',
    retriable: true,
    type: UnreachableError,
    actions: LEADERLESS_ACTIONS,
  },
  75: {
    name: 'UNKNOWN_LEADER_EPOCH',
    meaning: 'this controller has not caught up with the current leader epoch',
    retriable: true,
    type: UnreachableError,
    actions: LEADERLESS_ACTIONS,
  },
  104: {
    name: 'INCONSISTENT_CLUSTER_ID',
    meaning: 'the cluster ID in the request is not this cluster\u2019s',
    retriable: false,
    type: UsageError,
    actions: ['check the cluster ID: quorumctl status -o json shows it as clusterId'],
  },
  114: {
    name: 'MISMATCHED_ENDPOINT_TYPE',
    meaning: 'the endpoint type asked for does not match this listener (broker vs controller)',
    retriable: false,
    type: UsageError,
    actions: ['use the controller listener for controllers and a broker listener for brokers'],
  },
  115: {
    name: 'UNSUPPORTED_ENDPOINT_TYPE',
    meaning: 'this server cannot describe that endpoint type',
    retriable: false,
    type: UsageError,
    actions: ['describing controllers needs Kafka 3.7+ (KIP-919)'],
  },
  125: {
    name: 'INVALID_VOTER_KEY',
    meaning: 'the voter ID and directory ID do not match the receiving replica',
    retriable: false,
    type: UsageError,
    actions: ['take the directory ID from quorumctl status (directoryId) or meta.properties'],
  },
  126: {
    name: 'DUPLICATE_VOTER',
    meaning: 'a voter with this ID is already in the quorum',
    retriable: false,
    type: UsageError,
    actions: ['quorumctl status lists the current voters'],
  },
  127: {
    name: 'VOTER_NOT_FOUND',
    meaning: 'no voter with this ID and directory ID is in the quorum',
    retriable: false,
    type: UsageError,
    actions: ['quorumctl status lists the current voters with their directory IDs'],
  },
};

export const KafkaErrorCode = {
  NONE: 0,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  BROKER_NOT_AVAILABLE: 8,
  CLUSTER_AUTHORIZATION_FAILED: 31,
  UNSUPPORTED_VERSION: 35,
  NOT_CONTROLLER: 41,
  INVALID_REQUEST: 42,
  FENCED_LEADER_EPOCH: 74,
  UNKNOWN_LEADER_EPOCH: 75,
  INCONSISTENT_CLUSTER_ID: 104,
  MISMATCHED_ENDPOINT_TYPE: 114,
  UNSUPPORTED_ENDPOINT_TYPE: 115,
  DUPLICATE_VOTER: 126,
  VOTER_NOT_FOUND: 127,
} as const;

export function kafkaErrorName(code: number): string {
  return KNOWN[code]?.name ?? kafka.errorNames[code] ?? `KAFKA_ERROR_${code}`;
}

/** The answer came from the wrong controller, or during an election: ask another one. */
export function isLeadershipError(code: number): boolean {
  return KNOWN[code]?.retriable === true && code !== KafkaErrorCode.REQUEST_TIMED_OUT;
}

export interface KafkaErrorContext {
  /** e.g. `DescribeQuorum`. */
  api: string;
  endpoint?: string;
  serverMessage?: string | null;
}

/** `NOT_LEADER_OR_FOLLOWER (6): this controller is not the quorum leader (server: ...)`. */
export function describeKafkaError(code: number, serverMessage?: string | null): string {
  const meaning = KNOWN[code]?.meaning;
  const server =
    serverMessage !== undefined && serverMessage !== null && serverMessage !== ''
      ? ` (server: ${serverMessage})`
      : '';
  return `${kafkaErrorName(code)} (${code})${meaning === undefined ? '' : `: ${meaning}`}${server}`;
}

export function kafkaError(code: number, context: KafkaErrorContext): QuorumctlError {
  const info = KNOWN[code];
  const type = info?.type ?? UnreachableError;
  const where = context.endpoint === undefined ? '' : ` on ${context.endpoint}`;
  return new type(
    kafkaErrorName(code),
    `${context.api}${where} failed: ${describeKafkaError(code, context.serverMessage)}`,
    {
      actions: info?.actions ?? ['look at the controller log for this error'],
      details: {
        api: context.api,
        kafkaErrorCode: code,
        ...(context.endpoint !== undefined && { endpoint: context.endpoint }),
        ...(context.serverMessage != null && { serverMessage: context.serverMessage }),
      },
    },
  );
}
