/** The FaultInjector for sandboxes: record in the journal, then apply; undo, then forget. */
import { randomBytes } from 'node:crypto';
import { PartialFailureError, describeCause } from '../../core/errors.js';
import { readTarget, type FaultDriver } from './driver.js';
import { healNewestFirst } from './heal-each.js';
import { appendRecord, readJournal, removeRecord } from './journal.js';
import { isolateDriver, partitionDriver } from './network-faults.js';
import { killDriver, pauseDriver } from './process-faults.js';
import { latencyDriver, lossDriver } from './shaping-faults.js';
import type {
  FaultInjector,
  FaultKind,
  FaultRecord,
  FaultScope,
  FaultSpec,
  HealReport,
} from './types.js';

const DRIVERS: Record<FaultKind, FaultDriver> = {
  kill: killDriver,
  pause: pauseDriver,
  isolate: isolateDriver,
  partition: partitionDriver,
  latency: latencyDriver,
  loss: lossDriver,
};

export function faultDriver(kind: FaultKind): FaultDriver {
  return DRIVERS[kind];
}

/** Short, unique, and safe inside an iptables comment: `isolate-3f9a01c2`. */
export function newFaultId(kind: FaultKind): string {
  return `${kind}-${randomBytes(4).toString('hex')}`;
}

export class SandboxFaultInjector implements FaultInjector {
  constructor(private readonly scope: FaultScope) {}

  async inject(spec: FaultSpec): Promise<FaultRecord> {
    const target = await readTarget(this.scope);
    const driver = faultDriver(spec.kind);
    const id = newFaultId(spec.kind);
    const undo = await driver.plan(spec, target, id);
    const record: FaultRecord = {
      id,
      scope: { stateDir: this.scope.stateDir, sandbox: this.scope.sandbox },
      spec,
      appliedAt: new Date().toISOString(),
      ownerPid: process.pid,
      undo,
    };
    try {
      await appendRecord(this.scope.stateDir, record);
    } catch (cause) {
      await driver.release?.(id);
      throw cause;
    }
    try {
      await driver.apply(record, target);
    } catch (cause) {
      // Half-applied: undo what got through; the record stays if even that fails.
      await this.heal(record).catch((undoCause: unknown) => {
        throw new PartialFailureError(
          'FAULT_UNDO_FAILED',
          `${spec.kind} fault ${id} failed (${describeCause(cause)}) and could not be undone: ${describeCause(undoCause)}`,
          { actions: [`quorumctl chaos heal --sandbox ${this.scope.sandbox}`], cause },
        );
      });
      throw cause;
    }
    return record;
  }

  async heal(record: FaultRecord): Promise<void> {
    const driver = faultDriver(record.spec.kind);
    await driver.undo(record);
    await driver.release?.(record.id);
    await removeRecord(record.scope.stateDir, record.id);
  }

  async healAll(): Promise<HealReport> {
    return healNewestFirst(await this.active(), (record) => this.heal(record));
  }

  async active(): Promise<FaultRecord[]> {
    return (await readJournal(this.scope.stateDir)).filter(
      (record) => record.scope.sandbox === this.scope.sandbox,
    );
  }
}
