import type { Knex } from 'knex';
import { Model } from 'objection';
import { isUniqueViolation } from '../db/errors';

// The users table, and every statement that reaches it. Each is one shape, so each is written
// here as SQL, the idiom of the model's single-shape statements (see Task); nothing outside
// src/models builds a query on this table (eslint.config.mjs says so).

/** An account as anyone may see it. */
export interface PublicUser {
  id: string;
  email: string | null;
  created_at: Date;
}

/** What logging in needs of an account. */
export interface Credentials extends PublicUser {
  password_hash: string | null;
}

/** What provisioning a token's subject came to. */
export type Provisioned = 'created' | 'exists' | 'deleted';

/** Undoes a provisioning whose account was deleted after its token was issued. */
class StillDeleted extends Error {}

export class User extends Model {
  static tableName = 'users';

  id!: string;
  email!: string | null;
  password_hash!: string | null;
  /** Registered here (email and password): only this service's own tokens act for it. */
  local!: boolean;
  created_at!: Date;
  updated_at!: Date;

  /** Whether the account exists; `db` may be a transaction (PGlite has one connection). */
  static async existsById(id: string, db: Knex): Promise<boolean> {
    const { rows } = await db.raw('SELECT 1 FROM "users" WHERE "id" = ?', [id]);
    return rows.length > 0;
  }

  /** The account, as anyone may see it, or undefined. */
  static async findPublic(db: Knex, id: string): Promise<PublicUser | undefined> {
    const { rows } = await db.raw('SELECT "id", "email", "created_at" FROM "users" WHERE "id" = ?', [id]);
    return rows[0];
  }

  /** The account registered with this email (already lower-cased), or undefined. */
  static async findByEmail(db: Knex, email: string): Promise<Credentials | undefined> {
    const { rows } = await db.raw('SELECT "id", "email", "created_at", "password_hash" FROM "users" WHERE lower("email") = ?', [email]);
    return rows[0];
  }

  /** Whether the account is registered here (true), known from a provider's tokens only (false), or none (undefined). */
  static async isLocal(db: Knex, id: string): Promise<boolean | undefined> {
    const { rows } = await db.raw('SELECT "local" FROM "users" WHERE "id" = ?', [id]);
    return rows[0]?.local;
  }

  /** A new account registered here. Throws the driver's unique violation when the email is taken. */
  static async insertLocal(db: Knex, user: { id: string; email: string; password_hash: string }): Promise<PublicUser> {
    const { rows } = await db.raw(
      'INSERT INTO "users" ("id", "email", "password_hash", "local") VALUES (?, ?, ?, true) RETURNING "id", "email", "created_at"',
      [user.id, user.email, user.password_hash],
    );
    return rows[0];
  }

  /**
   * Deletes the account (its tasks go with it: ON DELETE CASCADE) and, in the same transaction,
   * records when, so no token issued before then can provision it again. Whether it existed.
   */
  static async deleteRecorded(db: Knex, id: string): Promise<boolean> {
    return db.transaction(async (trx) => {
      const { rows } = await trx.raw('DELETE FROM "users" WHERE "id" = ? RETURNING "id"', [id]);
      if (rows.length === 0) return false;
      await trx.raw(
        'INSERT INTO "deleted_users" ("id", "deleted_at") VALUES (?, ?) ON CONFLICT ("id") DO UPDATE SET "deleted_at" = EXCLUDED."deleted_at"',
        [id, new Date()],
      );
      return true;
    });
  }

  /**
   * Creates the row for a trusted token's subject on first use; a no-op when it exists. An
   * account deleted after the token was issued (`issuedAt`, seconds; unknown counts as before)
   * stays deleted: 'deleted', and nothing is created. The row is inserted first and the deletion
   * looked up after, in one transaction, so a deletion committed meanwhile is seen. An email that
   * already belongs to another account is left out.
   */
  static async provision(db: Knex, subject: { id: string; email: string | undefined; issuedAt: number | undefined }): Promise<Provisioned> {
    const insert = (conn: Knex, email: string | null) =>
      conn.raw('INSERT INTO "users" ("id", "email") VALUES (?, ?) ON CONFLICT ("id") DO NOTHING RETURNING "id"', [subject.id, email]);
    try {
      return await db.transaction(async (trx) => {
        let inserted: { rows: unknown[] };
        try {
          inserted = await trx.transaction((savepoint) => insert(savepoint, subject.email ?? null));
        } catch (err) {
          if (!isUniqueViolation(err)) throw err; // the email is another account's
          inserted = await insert(trx, null);
        }
        if (inserted.rows.length === 0) return 'exists';
        const { rows } = await trx.raw('SELECT "deleted_at" FROM "deleted_users" WHERE "id" = ?', [subject.id]);
        const deletedAt = (rows[0]?.deleted_at as Date | undefined)?.getTime();
        if (deletedAt !== undefined && (subject.issuedAt === undefined || subject.issuedAt * 1000 <= deletedAt)) throw new StillDeleted();
        return 'created';
      });
    } catch (err) {
      if (err instanceof StillDeleted) return 'deleted';
      throw err;
    }
  }
}
