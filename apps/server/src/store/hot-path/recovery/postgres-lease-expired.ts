/**
 * Which runs recovery takes: lease expired (a run with none is held by nobody), or, `includeLive`
 * ($2, at a start after a crash), every run not leased to this node ($3). $1 is now.
 */
export const LEASE_EXPIRED = `(lease_expires_at IS NULL OR lease_expires_at < $1::bigint
                        OR ($2::boolean AND lease_owner IS DISTINCT FROM $3::text))`;

export interface RecoverParams {
  now: number;
  includeLive: boolean;
  owner: string;
  leaseExpiresAt: number;
}
