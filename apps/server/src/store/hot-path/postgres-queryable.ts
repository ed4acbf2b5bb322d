/** A pg pool or a transaction's client: what a hand-written PostgreSQL statement runs on. */
import type pg from 'pg';

export type Queryable = Pick<pg.PoolClient, 'query'>;
