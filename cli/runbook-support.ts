/**
 * What the runbook commands share: flags, loading, parameters, and one execution path for
 * `run` and `resume` (target, adapter, operations, progress, journal, exit code).
 */
import { Flags } from '@oclif/core';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { UsageError } from '../core/errors.js';
import type { ClusterTarget } from '../core/ports.js';
import type { RunRecord } from '../core/runbook/journal.js';
import type { ParameterValue, Runbook } from '../core/runbook/model.js';
import { runCheck } from '../ops/check.js';
import { runRunbook, type RunResult } from '../runbooks/engine/engine.js';
import { JournalStore } from '../runbooks/engine/journal-store.js';
import { loadRunbook } from '../runbooks/engine/library.js';
import { defaultStateDir } from '../sandbox/index.js';
import type { OutputFormat } from './flags.js';
import { withMembershipTarget, type MembershipFlagValues } from './membership-target.js';
import { askYesNo, isInteractive } from './mutation.js';
import { interruptSignal } from './render/backup-command.js';
import { createProgressSink } from './render/progress.js';
import { renderRunJunit } from './render/runbook.js';
import { buildRunbookOperations, runbookOperationNames } from './runbook-operations.js';

export const paramFlag = {
  param: Flags.string({
    char: 'p',
    multiple: true,
    default: [],
    description: 'A runbook parameter as NAME=VALUE (repeatable).',
    helpGroup: 'RUNBOOK',
  }),
};

export const executionFlags = {
  yes: Flags.boolean({
    char: 'y',
    description:
      'Confirm every `confirm:` step without asking (required for them when no terminal is attached).',
    helpGroup: 'RUNBOOK',
  }),
  'allow-shell': Flags.boolean({
    description: 'Allow `shell:` steps (refused otherwise, before any step runs).',
    helpGroup: 'RUNBOOK',
  }),
  junit: Flags.string({
    description: 'Also write the run as a JUnit XML file (one testcase per step), for CI.',
    helpGroup: 'RUNBOOK',
  }),
};

export function loadRunbookArgument(nameOrFile: string): Promise<Runbook> {
  return loadRunbook(nameOrFile, runbookOperationNames());
}

export function journalStore(): JournalStore {
  return new JournalStore(defaultStateDir());
}

/** The runbook must apply to the target's kind. */
export function assertApplies(runbook: Runbook, target: ClusterTarget): void {
  if (runbook.kinds.length > 0 && !runbook.kinds.includes(target.kind)) {
    throw new UsageError(
      'RUNBOOK_KIND_MISMATCH',
      `runbook "${runbook.name}" is for ${runbook.kinds.join(', ')}; ${target.name} is ${target.kind}`,
      { actions: ['quorumctl runbook list shows which runbooks apply to which kinds'] },
    );
  }
}

export interface ExecuteRequest {
  runbook: Runbook;
  params: Record<string, ParameterValue>;
  flags: MembershipFlagValues & {
    yes: boolean;
    'allow-shell': boolean;
    junit?: string | undefined;
  };
  format: OutputFormat;
  toolVersion: string;
  resume?: RunRecord;
}

/** Runs (or resumes) a runbook against the flags' target; always closes what it opened. */
export async function executeRunbook(request: ExecuteRequest): Promise<RunResult> {
  const interrupt = interruptSignal();
  const progress = createProgressSink({ format: request.format });
  try {
    return await withMembershipTarget(request.flags, async (opened) => {
      const { target, adapter } = opened;
      assertApplies(request.runbook, target);
      const result = await runRunbook({
        runbook: request.runbook,
        params: request.params,
        registry: buildRunbookOperations({ opened, toolVersion: request.toolVersion }),
        context: {
          cluster: target.name,
          kind: target.kind,
          adapter,
          signal: interrupt.signal,
          progress,
        },
        journal: journalStore(),
        hooks: {
          ...(isInteractive() && { confirm: askYesNo }),
          runShell,
          runCheck: () => runCheck(adapter, { windowMs: 0, failOn: 'critical' }),
          now: () => new Date(),
        },
        yes: request.flags.yes,
        allowShell: request.flags['allow-shell'],
        user: userInfo().username,
        ...(request.resume !== undefined && { resume: request.resume }),
      });
      if (request.flags.junit !== undefined) {
        await writeFile(request.flags.junit, renderRunJunit(result.record));
      }
      return result;
    });
  } finally {
    await progress.close();
    interrupt.release();
  }
}

/** `sh -c`, output captured (the last lines end up in the journal), killed on interrupt. */
function runShell(
  command: string,
  signal: AbortSignal,
): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { signal, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-64 * 1024);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ exitCode: code ?? 1, output });
    });
  });
}
