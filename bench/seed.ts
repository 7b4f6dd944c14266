// Seeds a fresh database for the benchmark: users and skewed tasks in bulk (INSERT … SELECT
// over generate_series, secondary indexes and the primary key built once after the load), then
// VACUUM ANALYZE. The schema comes from the service's own migrations, so the tables, indexes,
// Row Level Security policy and role are exactly what the service runs on.
//
// Standalone: npx tsx bench/seed.ts [--quick] [--engine pg|pglite]   (keeps what it seeds)

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { loadConfig } from '../src/core/config';
import { createKnex } from '../src/db/knex';
import { migrateToLatest } from '../migrations';
import { encodeCursor, parseSort } from '../src/services/cursor';
import { parseOptions, type DataProfile, type Engine } from './options';

export interface SeedTarget {
  engine: Engine;
  /** PostgreSQL: the server and the (fresh) schema to create. */
  databaseUrl?: string;
  schema?: string;
  /** PGlite: the DATA_DIR to create (the database lives in DATA_DIR/pglite). */
  dataDir?: string;
}

export interface TypicalUser {
  userId: string;
  count: number;
  taskIds: string[];
}

export interface HeavyUser {
  userId: string;
  count: number;
  /** A cursor (the service's format, default sort, no filters) half-way down this user's list. */
  deepCursor: string;
  deepOffset: number;
}

export interface Fixtures {
  users: number;
  tasks: number;
  seconds: { migrate: number; users: number; tasks: number; indexes: number; vacuum: number; total: number };
  /** Users near the median task count (more than one page each), with some of their task ids. */
  typical: TypicalUser[];
  heavy: HeavyUser[];
  oneK: { userId: string; count: number };
  largest: { userId: string; count: number };
}

export const userIdOf = (index: number) => `user-${String(index + 1).padStart(5, '0')}`;

/**
 * Tasks per user, in user order: the heavy users, then one with exactly `oneK`, then the rest on
 * a 1/(rank + K) curve (a long tail: the head has about 9× the tasks of the tail).
 */
export function taskCounts(profile: DataProfile): number[] {
  const counts = [...profile.heavy, profile.oneK];
  const rest = profile.users - counts.length;
  const tailTotal = profile.tasks - counts.reduce((a, b) => a + b, 0);
  if (rest < 0 || tailTotal < 0 || (rest === 0 && tailTotal > 0)) throw new Error('data profile does not add up');
  if (rest === 0) return counts;
  const k = Math.max(1, rest / 8);
  const weights = Array.from({ length: rest }, (_, r) => 1 / (r + k));
  const total = weights.reduce((a, b) => a + b, 0);
  const tail = weights.map((w) => Math.floor(tailTotal * (w / total)));
  let remaining = tailTotal - tail.reduce((a, b) => a + b, 0);
  for (let i = 0; remaining > 0; i = (i + 1) % rest, remaining--) tail[i]++;
  return [...counts, ...tail];
}

const elapsed = (since: number) => Math.round((performance.now() - since) / 10) / 100;

/** The migrated, empty database of a target, as a knex instance of the service's own configuration. */
export function knexFor(target: SeedTarget): Knex {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DB_STATEMENT_TIMEOUT_MS: '600000', // bulk loads and index builds take longer than requests
    ...(target.engine === 'pg'
      ? { DATABASE_URL: target.databaseUrl, DATABASE_SCHEMA: target.schema, DB_POOL_MAX: '2' }
      : { DATA_DIR: target.dataDir }),
  });
  return createKnex(config);
}

async function loadTasks(trx: Knex.Transaction, engine: Engine, counts: number[], superuser: boolean) {
  // Foreign-key triggers off for the load (we insert only users that exist); needs a superuser.
  if (superuser) await trx.raw('SET LOCAL session_replication_role = replica');
  if (engine === 'pg') {
    await trx.raw("SET LOCAL maintenance_work_mem = '256MB'");
    await trx.raw("SET LOCAL work_mem = '256MB'");
    await trx.raw('SET LOCAL synchronous_commit = off');
  }
  await trx.raw('SELECT setseed(0.42)');
  await trx.raw('CREATE TEMP TABLE bench_counts (user_id text NOT NULL, n integer NOT NULL) ON COMMIT DROP');
  for (let i = 0; i < counts.length; i += 2000) {
    const values = counts
      .slice(i, i + 2000)
      .map((n, j) => `('${userIdOf(i + j)}', ${n})`)
      .join(',');
    await trx.raw(`INSERT INTO bench_counts (user_id, n) VALUES ${values}`);
  }
  // Rows are inserted in creation order, so users' tasks interleave on the heap as they would
  // in a live table (a per-user clustered heap would flatter every read).
  await trx.raw(`
    INSERT INTO tasks (user_id, title, description, status, priority, due_date, completed_at, created_at, updated_at)
    SELECT user_id,
           'Task ' || g || ' of ' || user_id,
           CASE WHEN r1 < 0.4 THEN 'Notes for task ' || g || ': ' || repeat('lorem ipsum ', 1 + g % 8) END,
           st::task_status,
           (CASE WHEN r2 < 0.3 THEN 'low' WHEN r2 < 0.8 THEN 'medium' ELSE 'high' END)::task_priority,
           CASE WHEN r3 >= 0.4 THEN created + r3 * interval '120 days' - interval '30 days' END,
           CASE WHEN st = 'completed' THEN LEAST(created + r2 * interval '2 days', now()) END,
           created,
           LEAST(created + r1 * interval '5 days', now())
      FROM (SELECT user_id, g, r1, r2, r3,
                   CASE WHEN r4 < 0.5 THEN 'pending' WHEN r4 < 0.7 THEN 'in_progress' ELSE 'completed' END AS st,
                   now() - r5 * interval '730 days' AS created
              FROM (SELECT c.user_id, g, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5
                      FROM bench_counts c CROSS JOIN LATERAL generate_series(1, c.n) AS g) AS raw) AS s
     ORDER BY created`);
}

const CACHE = path.join(__dirname, 'results', 'cache');

/**
 * A migrated, empty PGlite DATA_DIR, made once per version of the migrations and of PGlite and
 * kept in bench/results/cache: creating a PGlite database (its initdb) takes seconds.
 */
async function pgliteTemplate(): Promise<string> {
  const migrations = path.join(__dirname, '..', 'migrations');
  const hash = crypto.createHash('sha256');
  for (const file of fs.readdirSync(migrations).sort()) hash.update(file).update(fs.readFileSync(path.join(migrations, file)));
  hash.update(fs.readFileSync(path.join(__dirname, '..', 'node_modules', '@electric-sql', 'pglite', 'package.json')));
  const dir = path.join(CACHE, `pglite-${hash.digest('hex').slice(0, 16)}`);
  if (fs.existsSync(dir)) return dir;
  const building = `${dir}.${process.pid}.tmp`;
  fs.mkdirSync(building, { recursive: true });
  const knex = knexFor({ engine: 'pglite', dataDir: building });
  try {
    await migrateToLatest(knex, 'public');
  } finally {
    await knex.destroy();
  }
  try {
    fs.renameSync(building, dir);
  } catch {
    fs.rmSync(building, { recursive: true, force: true }); // another run made it first
  }
  return dir;
}

/** Seeds `target` (which must not exist yet) with `profile`; returns what the workloads need. */
export async function seed(target: SeedTarget, profile: DataProfile): Promise<Fixtures> {
  const started = performance.now();
  if (target.engine === 'pglite') fs.cpSync(await pgliteTemplate(), target.dataDir!, { recursive: true });
  const knex = knexFor(target);
  try {
    let t = performance.now();
    await migrateToLatest(knex, target.engine === 'pg' ? target.schema! : 'public');
    const seconds = { migrate: elapsed(t), users: 0, tasks: 0, indexes: 0, vacuum: 0, total: 0 };
    const counts = taskCounts(profile);

    await knex.transaction(async (trx) => {
      const { rows } = await trx.raw('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
      const superuser = rows[0]?.rolsuper === true;
      t = performance.now();
      await trx.raw(
        `INSERT INTO users (id, email, created_at, updated_at)
         SELECT 'user-' || lpad(g::text, 5, '0'), 'user-' || lpad(g::text, 5, '0') || '@bench.example',
                now() - interval '800 days', now() - interval '800 days'
           FROM generate_series(1, ?::int) AS g`,
        [profile.users],
      );
      seconds.users = elapsed(t);

      // Build the secondary indexes and the primary key once, after the load.
      const { rows: indexes } = await trx.raw(
        `SELECT indexname, indexdef FROM pg_indexes
          WHERE schemaname = current_schema() AND tablename = 'tasks' AND indexname <> 'tasks_pkey'`,
      );
      const { rows: pkeys } = await trx.raw(
        `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint
          WHERE conrelid = 'tasks'::regclass AND conname = 'tasks_pkey'`,
      );
      for (const index of indexes) await trx.raw(`DROP INDEX ${index.indexname}`);
      await trx.raw('ALTER TABLE tasks DROP CONSTRAINT tasks_pkey');

      t = performance.now();
      await loadTasks(trx, target.engine, counts, superuser);
      seconds.tasks = elapsed(t);

      t = performance.now();
      await trx.raw(`ALTER TABLE tasks ADD CONSTRAINT tasks_pkey ${pkeys[0].def}`);
      for (const index of indexes) await trx.raw(index.indexdef);
      seconds.indexes = elapsed(t);
    });

    t = performance.now();
    await knex.raw('VACUUM ANALYZE users');
    await knex.raw('VACUUM ANALYZE tasks');
    seconds.vacuum = elapsed(t);

    const fixtures = await fixturesOf(knex, counts, profile);
    seconds.total = elapsed(started);
    return { ...fixtures, seconds };
  } finally {
    await knex.destroy();
  }
}

async function fixturesOf(knex: Knex, counts: number[], profile: DataProfile): Promise<Omit<Fixtures, 'seconds'>> {
  const heavyCount = profile.heavy.length;
  // Typical users: near the median, each with more than one page of tasks.
  const candidates = counts
    .map((count, index) => ({ userId: userIdOf(index), count, index }))
    .filter((u) => u.index > heavyCount && u.count > 51 && u.count <= 400);
  const step = Math.max(1, Math.floor(candidates.length / 200));
  const typical: TypicalUser[] = candidates
    .filter((_, i) => i % step === 0)
    .slice(0, 200)
    .map((u) => ({ userId: u.userId, count: u.count, taskIds: [] }));
  const byId = new Map(typical.map((u) => [u.userId, u]));
  const { rows } = typical.length === 0 ? { rows: [] } : await knex.raw(
    `SELECT user_id, id FROM (
       SELECT user_id, id, row_number() OVER (PARTITION BY user_id ORDER BY id) AS rn
         FROM tasks WHERE user_id IN (${typical.map(() => '?').join(',')})) AS t
      WHERE rn <= 10`,
    typical.map((u) => u.userId),
  );
  for (const row of rows) byId.get(row.user_id)!.taskIds.push(row.id);

  const sort = parseSort('-created_at');
  const heavy: HeavyUser[] = [];
  for (let i = 0; i < heavyCount; i++) {
    const userId = userIdOf(i);
    const deepOffset = Math.floor(counts[i] / 2);
    const { rows: at } = await knex.raw(
      'SELECT created_at, id FROM tasks WHERE user_id = ? ORDER BY created_at DESC, id DESC OFFSET ? LIMIT 1',
      [userId, deepOffset],
    );
    const position = { value: new Date(at[0].created_at).toISOString(), id: at[0].id as string };
    // '||' is the filter key of a list without status, priority or completed filters.
    heavy.push({ userId, count: counts[i], deepOffset, deepCursor: encodeCursor(sort, '||', position) });
  }
  const largestIndex = counts.indexOf(Math.max(...counts));
  return {
    users: profile.users,
    tasks: profile.tasks,
    typical,
    heavy,
    oneK: { userId: userIdOf(heavyCount), count: counts[heavyCount] },
    largest: { userId: userIdOf(largestIndex), count: counts[largestIndex] },
  };
}

/** Drops what `seed` created. */
export async function dropTarget(target: SeedTarget): Promise<void> {
  if (target.engine === 'pglite') {
    fs.rmSync(target.dataDir!, { recursive: true, force: true });
    return;
  }
  const knex = knexFor(target);
  try {
    await knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [target.schema!]);
  } finally {
    await knex.destroy();
  }
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const stamp = `${Date.now().toString(36)}_${process.pid}`;
  const target: SeedTarget =
    options.engine === 'pg'
      ? { engine: 'pg', databaseUrl: options.databaseUrl, schema: `bench_${stamp}` }
      : { engine: 'pglite', dataDir: path.join(os.tmpdir(), `task-api-bench-${stamp}`) };
  const fixtures = await seed(target, options.data[options.engine]).catch(async (err) => {
    await dropTarget(target);
    throw err;
  });
  const where = target.engine === 'pg' ? `schema ${target.schema}` : `DATA_DIR=${target.dataDir}`;
  process.stdout.write(
    `seeded ${fixtures.users} users, ${fixtures.tasks} tasks into ${where} in ${fixtures.seconds.total} s ` +
      `${JSON.stringify(fixtures.seconds)}\nlargest user ${fixtures.largest.userId} (${fixtures.largest.count} tasks), ` +
      `${fixtures.typical.length} typical users (median ${fixtures.typical[fixtures.typical.length >> 1]?.count} tasks)\n`,
  );
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
