/**
 * A Kysely query built and compiled once per database, its parameters bound at each call: for
 * the statements written once for both dialects that run at every run's end (a workflow node's
 * end), where building and compiling a query costs more than running it on SQLite (~20-40 µs
 * against a few µs). The query is built with a stand-in for each argument; each stand-in must
 * come out as one parameter of the compiled query (an argument used to decide the query's shape,
 * or transformed before it is bound, is refused at the first call).
 */
import type { CompiledQuery, Kysely } from 'kysely';
import type { Database } from './db-schema.js';

interface Compilable {
  compile(): CompiledQuery;
}

interface Shape {
  sql: CompiledQuery;
  /** For each parameter, the argument it takes (-1: a constant of the query, kept). */
  slots: number[];
}

const standIn = (index: number): string => `\u0000query-shape-argument-${index}\u0000`;

export function queryShape<A extends readonly unknown[]>(
  build: (db: Kysely<Database>, ...args: A) => Compilable,
): (db: Kysely<Database>, ...args: A) => CompiledQuery {
  const shapes = new WeakMap<Kysely<Database>, Shape>();
  return (db, ...args) => {
    let shape = shapes.get(db);
    if (shape === undefined) {
      shape = compileShape(db, build, args.length);
      shapes.set(db, shape);
    }
    const { sql, slots } = shape;
    return { ...sql, parameters: slots.map((slot, i) => (slot < 0 ? sql.parameters[i] : args[slot])) };
  };
}

function compileShape<A extends readonly unknown[]>(
  db: Kysely<Database>,
  build: (db: Kysely<Database>, ...args: A) => Compilable,
  arity: number,
): Shape {
  const standIns = Array.from({ length: arity }, (_, i) => standIn(i));
  const sql = build(db, ...(standIns as unknown as A)).compile();
  const slots = sql.parameters.map((p) => standIns.indexOf(p as string));
  for (let i = 0; i < arity; i++) {
    if (slots.filter((slot) => slot === i).length !== 1) {
      throw new Error(`query shape: argument ${i} is not bound as exactly one parameter`);
    }
  }
  return { sql, slots };
}
