/**
 * Which runs recovery takes: those whose lease expired, or (`includeLive`, at a start after a
 * crash) every run not leased to this node. A run with no lease at all is held by nobody: it
 * counts as expired, or it would never run.
 */
export const LEASE_EXPIRED = 'lease_expires_at IS NULL OR lease_expires_at < @now';
export const LEASE_NOT_OURS = `${LEASE_EXPIRED} OR lease_owner IS NOT @owner`;

export interface RecoverParams {
  now: number;
  owner: string;
  leaseExpiresAt: number;
}
