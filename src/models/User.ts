import { Model } from 'objection';

export class User extends Model {
  static tableName = 'users';

  id!: string;
  email!: string | null;
  password_hash!: string | null;
  created_at!: Date;
  updated_at!: Date;
}
