/** What the manager needs to know to run one kind of server. */
import type { SandboxKind, SandboxMember } from './types.js';

export interface MemberSlot {
  name: string;
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
  /** Members not ready yet, each with why. */
  waitingFor: string[];
}

export interface ServerKind {
  kind: SandboxKind;
  /** Executable looked up on PATH, and the Debian package that ships it. */
  executable: string;
  debianPackage: string;
  /** A string in the process command line that identifies the server (PID reuse guard). */
  processMarker: string;
  allowedMembers: readonly number[];
  portNames: readonly string[];
  plan(input: { sandbox: string; confDir: string; members: MemberSlot[] }): MemberLaunch[];
  probe(members: readonly SandboxMember[]): Promise<Readiness>;
  version(members: readonly SandboxMember[]): Promise<string>;
}
