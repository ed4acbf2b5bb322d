/** Types every sub-client shares (client.ts, alerts-client.ts). */

/** An id, or for apps also the `appName`. */
export type Ref = number | string;

export interface ListOptions {
  namespace?: string | undefined;
  /** The `nextCursor` of the previous page. */
  cursor?: string | undefined;
  limit?: number | undefined;
}
