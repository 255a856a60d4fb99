/** The one table of process exit codes; documented in README and every command's --help. */
export const ExitCode = {
  ok: 0,
  /** Checks found failures, health is degraded or critical, or a drill verdict is FAIL. */
  findings: 1,
  /** Usage error, bad input, or a capability the system lacks. */
  usage: 2,
  /** Cannot reach the cluster or agent. */
  unreachable: 3,
  /** Refused as unsafe (quorum guard). */
  unsafe: 4,
  partial: 5,
  /** No verdict could be reached in time: the linearizability checker timed out (UNKNOWN). */
  noVerdict: 6,
  /** The credentials lack a permission: Kubernetes RBAC said 403 (or 401). */
  forbidden: 7,
  internal: 70,
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODE_HELP = `EXIT CODES
  0    ok
  1    checks found failures (health degraded or critical)
  2    usage error, bad input, or a capability the system lacks
  3    cannot reach the cluster or agent
  4    refused as unsafe (quorum guard)
  5    partial success
  6    no verdict in time (linearizability checker timed out: UNKNOWN)
  7    not permitted (Kubernetes RBAC: the message names the missing verb and resource)
  70   internal error (a bug: please report it with --debug output)
  130  interrupted`;
