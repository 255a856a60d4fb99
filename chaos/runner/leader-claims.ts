/** Who leads, from what each member last said: the highest term wins, else the most named. */

export interface MemberClaim {
  /** The member it says leads; null: it names none (a follower that does not say, or no leader). */
  leader: string | null;
  /** Raft term or ZAB epoch of the claim, where the member reports one. */
  term?: number;
}

/**
 * An old leader cut off from its peers may go on naming itself for a while after the others
 * elected a new one at a higher term: the highest term wins. Without terms (NATS), the leader
 * most members name wins, and a tie is no agreed leader.
 */
export function agreedLeader(
  claims: Iterable<MemberClaim>,
): { leader: string; term?: number } | undefined {
  const named = [...claims].filter(
    (claim): claim is MemberClaim & { leader: string } => claim.leader !== null,
  );
  if (named.length === 0) return undefined;
  const withTerm = named.filter((claim) => claim.term !== undefined);
  if (withTerm.length > 0) {
    const best = withTerm.reduce((a, b) => ((b.term ?? 0) > (a.term ?? 0) ? b : a));
    return { leader: best.leader, ...(best.term !== undefined && { term: best.term }) };
  }
  const votes = new Map<string, number>();
  for (const claim of named) votes.set(claim.leader, (votes.get(claim.leader) ?? 0) + 1);
  const ranked = [...votes.entries()].sort((a, b) => b[1] - a[1]);
  const [first, second] = ranked;
  if (first === undefined || (second !== undefined && second[1] === first[1])) return undefined;
  return { leader: first[0] };
}
