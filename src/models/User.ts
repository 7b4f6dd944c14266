import type { Knex } from 'knex';
import { Model } from 'objection';

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
    return (await User.query(db).select('id').findById(id)) !== undefined;
  }
}
