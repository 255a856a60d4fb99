/** Quorum arithmetic for majority-based consensus; learners and observers never count. */

/** Votes needed to elect a leader or commit an entry among `voters` voting members. */
export function majority(voters: number): number {
  assertCount(voters, 'voters');
  return Math.floor(voters / 2) + 1;
}

/** How many voters may fail while a healthy cluster of `voters` keeps quorum. */
export function faultTolerance(voters: number): number {
  return voters === 0 ? 0 : voters - majority(voters);
}

/**
 * How many more voters may fail before quorum is lost, given how many are healthy now.
 * Negative when quorum is already lost: -1 means one more voter must come back.
 */
export function quorumMargin(voters: number, healthyVoters: number): number {
  assertCount(healthyVoters, 'healthyVoters');
  if (healthyVoters > voters) {
    throw new RangeError(`healthyVoters (${healthyVoters}) exceeds voters (${voters})`);
  }
  return voters === 0 ? -1 : healthyVoters - majority(voters);
}

export interface QuorumSummary {
  voters: number;
  healthyVoters: number;
  majority: number;
  faultTolerance: number;
  quorumMargin: number;
  hasQuorum: boolean;
}

export function summarizeQuorum(voters: number, healthyVoters: number): QuorumSummary {
  const margin = quorumMargin(voters, healthyVoters);
  return {
    voters,
    healthyVoters,
    majority: voters === 0 ? 0 : majority(voters),
    faultTolerance: faultTolerance(voters),
    quorumMargin: margin,
    hasQuorum: margin >= 0,
  };
}

function assertCount(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}
