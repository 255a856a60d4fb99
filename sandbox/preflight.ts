/** Checks before anything is started: member count, installed server, and no live sandbox of the same name. */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import { sandboxLayout } from './layout.js';
import { withLiveness } from './liveness.js';
import { findExecutable } from './processes.js';
import type { ServerKind } from './server-kind.js';
import { readRecord } from './state.js';

export function assertMemberCount(server: ServerKind, count: number): void {
  if (!server.allowedMembers.includes(count)) {
    throw new UsageError(
      'SANDBOX_MEMBERS_INVALID',
      `a ${server.kind} sandbox cannot have ${count} members (allowed: ${server.allowedMembers.join(', ')})`,
      { actions: [`use --members ${server.allowedMembers.join(' or ')}`] },
    );
  }
}

export function assertInstalled(server: ServerKind, path?: string): void {
  const missing = [
    ...(findExecutable(server.executable, path) === undefined
      ? [`${server.executable} (not on PATH)`]
      : []),
    ...(server.requiredFiles ?? []).filter((file) => !existsSync(file)),
  ];
  if (missing.length > 0) {
    throw new UsageError(
      'SERVER_NOT_INSTALLED',
      `a ${server.kind} sandbox needs ${missing.join(', ')}`,
      {
        actions: [
          `as root: apt-get update && apt-get install -y ${server.debianPackage}`,
          'or run make setup',
        ],
        details: { missing },
      },
    );
  }
}

/** A name whose processes all died may be reused (its leftovers are removed); one with a live process may not. */
export async function clearDeadSandbox(stateDir: string, name: string): Promise<void> {
  const layout = sandboxLayout(stateDir, name);
  const existing = await readRecord(stateDir, name);
  if (existing !== undefined) {
    const listing = withLiveness(existing);
    if (listing.state !== 'stopped') {
      throw new UsageError(
        'SANDBOX_EXISTS',
        `sandbox "${name}" is already running (${existing.kind}, ${existing.members.length} members, state ${existing.dir})`,
        {
          actions: [
            `quorumctl sandbox down ${name}`,
            'or pick another name: quorumctl sandbox up OTHER-NAME',
          ],
          details: { liveness: listing.liveness },
        },
      );
    }
  }
  await rm(layout.dir, { recursive: true, force: true });
}
