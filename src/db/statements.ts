import type { Knex } from 'knex';

// The statements of a request's hot path as named (prepared) statements: PostgreSQL then parses
// and plans each once per connection and reuses it, instead of doing both on every call, which
// costs more than executing them (docs/performance.md). The name stands for the exact SQL text,
// one name per text for the life of the process, as the pg driver requires.
//
// Off on PGlite (its query API has no named statements) and with DB_PREPARED_STATEMENTS=off, for
// a pooler in transaction mode that cannot carry them from one transaction to the next
// (PgBouncer before 1.21; see docs/scaling.md).

/** The key, in knex's configuration, saying whether this database takes named statements. */
export const NAMED_STATEMENTS = 'taskApiNamedStatements';

/**
 * The texts named so far. Statements are built from fixed fragments and placeholders only, so
 * their number is small and bounded; past this many, something is building texts with data in
 * them, and those run unnamed rather than growing every connection's statement cache.
 */
const MAX_NAMES = 1000;
const names = new Map<string, string>();

/** The name standing for `sql`, the same for the life of the process; undefined past MAX_NAMES texts. */
export function statementName(sql: string): string | undefined {
  let name = names.get(sql);
  if (name === undefined && names.size < MAX_NAMES) {
    name = `task_api_${names.size + 1}`;
    names.set(sql, name);
  }
  return name;
}

/** Whether `db` (a knex instance or a transaction of one) takes named statements. */
function takesNamedStatements(db: Knex): boolean {
  return (db.client.config as Record<string, unknown>)[NAMED_STATEMENTS] === true;
}

/** `db.raw(sql, bindings)`, as a named statement where the database takes them. */
export function prepared(db: Knex, sql: string, bindings: readonly Knex.Value[]): Knex.Raw {
  const query = db.raw(sql, bindings as Knex.Value[]);
  const name = takesNamedStatements(db) ? statementName(sql) : undefined;
  return name === undefined ? query : query.options({ name });
}
