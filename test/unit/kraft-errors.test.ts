// Kafka error codes -> typed errors with exit codes and actions; the @platformatic/kafka loading path.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExitCode } from '../../core/exit-codes.js';
import {
  describeKafkaError,
  isLeadershipError,
  kafkaError,
  kafkaErrorName,
} from '../../systems/kraft/kafka-errors.js';
import { kafka, loadKafkaFiles, loadKafkaLibrary } from '../../systems/kraft/kafka-library.js';

describe('Kafka error codes', () => {
  test('each code of protocols.md 1.6 has a name, an exit code and something to do', () => {
    const expected: [number, string, number][] = [
      [-1, 'UNKNOWN_SERVER_ERROR', ExitCode.unreachable],
      [3, 'UNKNOWN_TOPIC_OR_PARTITION', ExitCode.usage],
      [6, 'NOT_LEADER_OR_FOLLOWER', ExitCode.unreachable],
      [7, 'REQUEST_TIMED_OUT', ExitCode.unreachable],
      [8, 'BROKER_NOT_AVAILABLE', ExitCode.unreachable],
      [31, 'CLUSTER_AUTHORIZATION_FAILED', ExitCode.usage],
      [33, 'UNSUPPORTED_SASL_MECHANISM', ExitCode.usage],
      [34, 'ILLEGAL_SASL_STATE', ExitCode.usage],
      [35, 'UNSUPPORTED_VERSION', ExitCode.usage],
      [41, 'NOT_CONTROLLER', ExitCode.unreachable],
      [42, 'INVALID_REQUEST', ExitCode.usage],
      [58, 'SASL_AUTHENTICATION_FAILED', ExitCode.usage],
      [74, 'FENCED_LEADER_EPOCH', ExitCode.unreachable],
      [75, 'UNKNOWN_LEADER_EPOCH', ExitCode.unreachable],
      [104, 'INCONSISTENT_CLUSTER_ID', ExitCode.usage],
      [114, 'MISMATCHED_ENDPOINT_TYPE', ExitCode.usage],
      [115, 'UNSUPPORTED_ENDPOINT_TYPE', ExitCode.usage],
      [125, 'INVALID_VOTER_KEY', ExitCode.usage],
      [126, 'DUPLICATE_VOTER', ExitCode.usage],
      [127, 'VOTER_NOT_FOUND', ExitCode.usage],
    ];
    for (const [code, name, exitCode] of expected) {
      const error = kafkaError(code, {
        api: 'AddRaftVoter',
        endpoint: 'c1:9093',
        serverMessage: 'x',
      });
      assert.equal(error.code, name);
      assert.equal(kafkaErrorName(code), name);
      // Our names agree with Kafka's own table, as platformatic ships it.
      assert.equal(kafka.errorNames[code], name, `platformatic names ${code}`);
      assert.equal(error.exitCode, exitCode, name);
      assert.ok(error.actions.length > 0, `${name} says what to do`);
      assert.match(
        error.message,
        new RegExp(`^AddRaftVoter on c1:9093 failed: ${name} \\(${code}\\)`),
      );
      assert.equal(error.details.kafkaErrorCode, code);
    }
  });

  test('leadership errors send us to another controller; REQUEST_TIMED_OUT does not', () => {
    assert.deepEqual([6, 7, 8, 31, 41, 74, 75, 126].filter(isLeadershipError), [6, 8, 41, 74, 75]);
  });

  test('codes outside the table keep Kafka\u2019s name, or a numbered one', () => {
    assert.equal(kafkaErrorName(10), 'MESSAGE_TOO_LARGE');
    assert.equal(kafkaErrorName(31337), 'KAFKA_ERROR_31337');
    assert.equal(kafkaError(31337, { api: 'DescribeQuorum' }).exitCode, ExitCode.unreachable);
    assert.equal(
      describeKafkaError(126, null),
      'DUPLICATE_VOTER (126): a voter with this ID is already in the quorum',
    );
    assert.match(describeKafkaError(126, 'Voter 3 exists'), /\(server: Voter 3 exists\)$/);
  });
});

describe('@platformatic/kafka loading', () => {
  test('the files we load are the very modules the package entry point exports', async () => {
    // loadKafkaFiles throws instead of falling back: a moved file fails here, not silently slow.
    const files = await loadKafkaFiles();
    const entry = await loadKafkaLibrary('entry-point');
    assert.equal(files.Reader, entry.Reader);
    assert.equal(files.Writer, entry.Writer);
    assert.equal(files.ResponseError, entry.ResponseError);
    assert.equal(files.errorNames, entry.errorNames);
    for (const key of ['apiVersions', 'describeCluster', 'describeQuorum'] as const) {
      assert.equal(files[key].length, entry[key].length);
      files[key].forEach((codec, version) => {
        assert.equal(codec.parseResponse, entry[key][version]?.parseResponse, `${key} v${version}`);
        assert.equal(codec.createRequest, entry[key][version]?.createRequest, `${key} v${version}`);
      });
    }
    assert.equal(kafka.describeQuorum[2].parseResponse, entry.describeQuorum[2].parseResponse);
    assert.equal((await loadKafkaLibrary('files')).Reader, entry.Reader);
  });
});
