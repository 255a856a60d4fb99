/** What the manager needs to know to run one kind of server. */
import type { SandboxKind, SandboxMember } from './types.js';

export interface MemberSlot {
  name: string;
  /** The address the member listens on: 127.0.0.1, or its private address in a netns sandbox. */
  host: string;
  /** The network namespace the member runs in (`sandbox up --netns`). */
  netns?: string;
  ports: Record<string, number>;
  dataDir: string;
  logFile: string;
}

export interface MemberLaunch {
  name: string;
  command: string;
  args: string[];
  /** Config files to write before the start. */
  files: { path: string; content: string }[];
  clientUrl: string;
  monitorUrl?: string;
}

export interface Readiness {
  ready: boolean;
  /** Names of the members not ready yet (all of them when the cluster as a whole lacks a leader). */
  notReady: string[];
  /** Why, one line each, e.g. "n2: /healthz 503" or "no JetStream meta leader yet". */
  waitingFor: string[];
}

export interface ServerKind {
  kind: SandboxKind;
  /** Executable looked up on PATH, and the Debian package that ships it. */
  executable: string;
  debianPackage: string;
  /** Files the server needs besides the executable (ZooKeeper's jars come from its package, java from another). */
  requiredFiles?: readonly string[];
  /** Environment variables with this prefix are not passed on: the server would read them as settings. */
  settingsEnvPrefix?: string;
  /** A string in the process command line that identifies the server (PID reuse guard). */
  processMarker: string;
  allowedMembers: readonly number[];
  portNames: readonly string[];
  plan(input: { sandbox: string; confDir: string; members: MemberSlot[] }): MemberLaunch[];
  /**
   * The launch of a member joining the running sandbox (membership changes), given the
   * members it joins. Kinds without it cannot grow a sandbox.
   */
  planJoin?(input: {
    sandbox: string;
    confDir: string;
    members: MemberSlot[];
    joining: MemberSlot;
    role: 'voter' | 'learner' | 'observer';
  }): MemberLaunch;
  /** Never throws: a member that does not answer yet is a reason in `waitingFor`. */
  probe(members: readonly SandboxMember[]): Promise<Readiness>;
  version(members: readonly SandboxMember[]): Promise<string>;
  /**
   * The order to stop members in, wave by wave, when stopping them all at once is slow
   * (etcd). Without it every member gets SIGTERM at the same time.
   */
  shutdownWaves?(members: readonly SandboxMember[]): Promise<SandboxMember[][]>;
}

/** One member not ready yet, and why. */
export interface MemberProblem {
  member: string;
  why: string;
}

export function readinessOf(problems: readonly MemberProblem[]): Readiness {
  return {
    ready: problems.length === 0,
    notReady: problems.map((problem) => problem.member),
    waitingFor: problems.map((problem) => `${problem.member}: ${problem.why}`),
  };
}

/** Every member answers, but the cluster as a whole is not there yet (no leader, two leaders). */
export function clusterNotReady(members: readonly SandboxMember[], why: string): Readiness {
  return { ready: false, notReady: members.map((member) => member.name), waitingFor: [why] };
}
