/**
 * Faults as data: what to inject into which sandbox members, and the record of each applied
 * fault, written to a state file BEFORE it is applied so `chaos heal` can always undo it.
 */

export type FaultKind =
  /** SIGKILL the members; healed by starting them again. */
  | 'kill'
  /** SIGSTOP the members (a GC pause); healed by SIGCONT. */
  | 'pause'
  /** Cut the members off from every other member (iptables DROP in their netns). */
  | 'isolate'
  /** Split the members into groups that cannot reach each other (a bridge member may see both). */
  | 'partition'
  /** Delay peer traffic of the members through the userspace proxy. */
  | 'latency'
  /** Drop a share of peer traffic of the members through the userspace proxy. */
  | 'loss';

export interface FaultSpec {
  kind: FaultKind;
  /** Member names the fault acts on (kill, pause, isolate, latency, loss). */
  members: string[];
  /** partition: groups of member names; a member in two groups is a bridge. */
  groups?: string[][];
  latencyMs?: number;
  lossPercent?: number;
}

/** The sandbox a fault is applied to: its name and the state dir that holds its record. */
export interface FaultScope {
  stateDir: string;
  sandbox: string;
}

/** Serializable record of one applied fault: enough to undo it from another process. */
export interface FaultRecord {
  id: string;
  scope: FaultScope;
  spec: FaultSpec;
  appliedAt: string;
  /** The runner's pid: a record whose runner is gone was left by a crash. */
  ownerPid: number;
  /** Kind-specific undo data: pids paused, netns and iptables rules added, proxy pids, ... */
  undo: Record<string, unknown>;
}

export interface HealReport {
  healed: FaultRecord[];
  failed: { record: FaultRecord; error: string }[];
}

/** What the drill runner uses; `chaos/faults/` implements it for sandboxes. */
export interface FaultInjector {
  /** Records the fault in the state file, then applies it. */
  inject(spec: FaultSpec): Promise<FaultRecord>;
  /** Undoes one fault and removes its record. */
  heal(record: FaultRecord): Promise<void>;
  /** Undoes every recorded fault of the scope (normal exit, signal, or a crashed runner). */
  healAll(): Promise<HealReport>;
  /** The faults currently recorded for the scope. */
  active(): Promise<FaultRecord[]>;
}
