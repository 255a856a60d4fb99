/**
 * The KRaft adapter's addMember/removeMember against the schema-driven fake controller
 * quorum (real TCP): the bytes on the wire re-encode identically through Kafka's own message
 * schemas, the fields are what the request asked for, and refusals are typed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isQuorumctlError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { AddMemberRequest, ClusterAdapter, ConnectOptions } from '../../core/ports.js';
import { KraftAdapter } from '../../systems/kraft/adapter.js';
import {
  decodeMessage,
  directoryIdFor,
  encodeMessage,
  FakeApi,
  FakeKraftCluster,
  responseFrame,
  type DecodedRequest,
  type FakeClusterOptions,
} from '../support/kraft-fake-controller.js';

const OPTIONS: ConnectOptions = { timeoutMs: 1000 };
const THREE: FakeClusterOptions = { nodeIds: [3000, 3001, 3002], leaderId: 3001 };
const NEW_VOTER: AddMemberRequest = {
  name: '3003',
  role: 'voter',
  directoryId: directoryIdFor(3003),
  peerUrls: ['CONTROLLER://controller-4.internal:9093'],
};

type Membership = ClusterAdapter & Required<Pick<ClusterAdapter, 'addMember' | 'removeMember'>>;

async function withCluster(
  options: FakeClusterOptions,
  use: (cluster: FakeKraftCluster, adapter: Membership, wire: DecodedRequest[]) => Promise<void>,
): Promise<void> {
  const cluster = await FakeKraftCluster.start(options);
  const wire: DecodedRequest[] = [];
  for (const controller of cluster.controllers) {
    controller.script = (request) => {
      if (request.apiKey === FakeApi.AddRaftVoter || request.apiKey === FakeApi.RemoveRaftVoter)
        wire.push(request);
      return undefined;
    };
  }
  const adapter = new KraftAdapter(
    {
      name: 'fake',
      kind: 'kraft',
      endpoints: cluster.controllers.map((controller) => controller.url),
    },
    OPTIONS,
  );
  try {
    assert.ok(adapter.capabilities.has('membership'));
    await use(cluster, adapter, wire);
  } finally {
    await cluster.stop();
  }
}

/** The raw body, decoded and re-encoded through Kafka's schema, is the same bytes. */
function assertSchemaExact(request: DecodedRequest | undefined, schema: string) {
  assert.ok(request !== undefined, `no ${schema} on the wire`);
  const decoded = decodeMessage(schema, request.apiVersion, request.rawBody);
  assert.deepEqual(encodeMessage(schema, request.apiVersion, decoded), request.rawBody);
  return decoded;
}

describe(
  'KRaft controller membership through the adapter (fake quorum)',
  { timeout: 60_000 },
  () => {
    test('add: AddRaftVoter v1 at the leader with the voter, directory ID and listener', async () => {
      await withCluster(THREE, async (cluster, adapter, wire) => {
        const added = await adapter.addMember(NEW_VOTER);
        assert.deepEqual(added, { id: '3003', name: '3003' });
        assert.equal(wire.length, 1);
        assert.equal(wire[0]?.apiVersion, 1);
        const body = assertSchemaExact(wire[0], 'AddRaftVoterRequest');
        assert.deepEqual(body, {
          ClusterId: null,
          TimeoutMs: 10_000,
          VoterId: 3003,
          VoterDirectoryId: directoryIdFor(3003),
          Listeners: [{ Name: 'CONTROLLER', Host: 'controller-4.internal', Port: 9093 }],
          AckWhenCommitted: true,
        });
        assert.equal(
          cluster.requests.find((request) => request.apiKey === FakeApi.AddRaftVoter)?.nodeId,
          3001,
          'sent to the leader',
        );
        const status = await adapter.status();
        assert.ok(status.members.some((member) => member.id === '3003' && member.voter));

        await assert.rejects(adapter.addMember(NEW_VOTER), (error: unknown) => {
          assert.ok(isQuorumctlError(error));
          assert.equal(error.code, 'DUPLICATE_VOTER');
          assert.equal(error.exitCode, ExitCode.usage);
          return true;
        });
        // The operator's name is kept: the executor finds the added member by it.
        const named = await adapter.addMember({ ...NEW_VOTER, name: 'c4', id: '3004' });
        assert.deepEqual(named, { id: '3004', name: 'c4' });
      });
    });

    test('add: refused before sending without a directory ID, as a learner, or with a bad listener', async () => {
      await withCluster(THREE, async (_cluster, adapter, wire) => {
        const { directoryId: _omitted, ...withoutDirectory } = NEW_VOTER;
        const refusals: [AddMemberRequest, string][] = [
          [withoutDirectory, 'DIRECTORY_ID_REQUIRED'],
          [{ ...NEW_VOTER, role: 'learner' }, 'KRAFT_OBSERVER_BY_START'],
          [{ ...NEW_VOTER, peerUrls: ['controller-4:9093'] }, 'BAD_LISTENER'],
          [{ ...NEW_VOTER, name: 'controller-4' }, 'BAD_VOTER_ID'],
        ];
        for (const [request, code] of refusals) {
          await assert.rejects(adapter.addMember(request), (error: unknown) => {
            assert.ok(isQuorumctlError(error));
            assert.equal(error.code, code);
            assert.equal(error.exitCode, ExitCode.usage);
            assert.ok(error.actions.length > 0);
            return true;
          });
        }
        assert.equal(wire.length, 0);
      });
    });

    test('remove: RemoveRaftVoter with the directory ID DescribeQuorum reported', async () => {
      await withCluster(THREE, async (cluster, adapter, wire) => {
        await adapter.removeMember({ id: '3002', name: '3002', endpoint: '' });
        const body = assertSchemaExact(wire[0], 'RemoveRaftVoterRequest');
        assert.deepEqual(body, {
          ClusterId: cluster.state.clusterId,
          VoterId: 3002,
          VoterDirectoryId: directoryIdFor(3002),
        });
        assert.deepEqual(
          cluster.state.voters.map((voter) => voter.id),
          [3000, 3001],
        );
        await assert.rejects(adapter.removeMember({ id: '3002', name: '3002', endpoint: '' }), {
          code: 'MEMBER_NOT_FOUND',
        });
        assert.equal(wire.length, 1, 'an unknown voter is refused before sending');
      });
    });

    test('remove: refused with the arithmetic (exit 4) when the voters left would lack a majority', async () => {
      await withCluster(THREE, async (cluster, adapter, wire) => {
        await cluster.controller(3002).stop();
        await assert.rejects(
          adapter.removeMember({ id: '3000', name: '3000', endpoint: '' }),
          (error: unknown) => {
            assert.ok(isQuorumctlError(error));
            assert.equal(error.exitCode, ExitCode.unsafe);
            assert.match(
              error.message,
              /removing 3000 leaves 1 of 2 healthy voters; majority of 2 is 2/,
            );
            return true;
          },
        );
        assert.equal(wire.length, 0);
        // Removing the dead voter instead is safe: 2 of 2 healthy.
        await adapter.removeMember({ id: '3002', name: '3002', endpoint: '' });
        assert.deepEqual(
          cluster.state.voters.map((voter) => voter.id),
          [3000, 3001],
        );
      });
    });

    test('remove: the leader\u2019s VOTER_NOT_FOUND and REQUEST_TIMED_OUT become typed errors', async () => {
      await withCluster(THREE, async (cluster, adapter) => {
        const answers = [127, 7];
        for (const controller of cluster.controllers) {
          controller.script = (request) => {
            if (request.apiKey !== FakeApi.RemoveRaftVoter) return undefined;
            return responseFrame(
              request,
              encodeMessage('RemoveRaftVoterResponse', request.apiVersion, {
                ThrottleTimeMs: 0,
                ErrorCode: answers.shift() ?? 0,
                ErrorMessage: 'scripted',
              }),
            );
          };
        }
        const ref = { id: '3000', name: '3000', endpoint: '' };
        await assert.rejects(adapter.removeMember(ref), (error: unknown) => {
          assert.ok(isQuorumctlError(error));
          assert.equal(error.code, 'VOTER_NOT_FOUND');
          assert.equal(error.exitCode, ExitCode.usage);
          return true;
        });
        await assert.rejects(adapter.removeMember(ref), (error: unknown) => {
          assert.ok(isQuorumctlError(error));
          assert.equal(error.code, 'REQUEST_TIMED_OUT');
          assert.equal(error.exitCode, ExitCode.unreachable);
          assert.match(error.actions.join('\n'), /one voter change runs at a time/);
          return true;
        });
      });
    });

    test('no leader transfer: KRaft has no API for it', async () => {
      await withCluster(THREE, (_cluster, adapter) => {
        assert.equal(adapter.capabilities.has('transferLeader'), false);
        assert.equal('transferLeader' in adapter, false);
        return Promise.resolve();
      });
    });
  },
);
