import crypto from 'node:crypto';
import * as sdk from '../../generated/sdk.gen';
import { callerScope, rlsAvailable } from '../../src/db/scope';
import { engineName } from '../helpers/engine';
import { startTestApp, type TestApp } from '../helpers/test-app';

// Defense in depth: with Row Level Security, the database itself hides other users' tasks
// from a query issued in a caller's scope, even one that forgot its `WHERE user_id`.

let app: TestApp;
let aliceTask: string;
let bobTask: string;

beforeAll(async () => {
  app = await startTestApp();
  const alice = await app.clientFor('alice');
  const bob = await app.clientFor('bob');
  aliceTask = (await sdk.createTask({ client: alice, body: { title: "alice's" } })).data!.id;
  bobTask = (await sdk.createTask({ client: bob, body: { title: "bob's" } })).data!.id;
});
afterAll(() => app.stop());

describe(`row level security on ${engineName}`, () => {
  test('the service can take the role the policy applies to', async () => {
    expect(await rlsAvailable(app.knex)).toBe(true);
  });

  test("an unscoped query in alice's scope returns only her tasks", async () => {
    const scope = callerScope(app.knex, true);
    const rows = await scope.run('alice', (db) => db('tasks').select('id', 'user_id'));
    expect(rows).toEqual([{ id: aliceTask, user_id: 'alice' }]);
  });

  test("another user's task cannot be read, changed or deleted by id in a caller's scope", async () => {
    const scope = callerScope(app.knex, true);
    await scope.transaction('bob', async (trx) => {
      expect(await trx('tasks').where('id', aliceTask)).toEqual([]);
      expect(await trx('tasks').where('id', aliceTask).update({ title: 'hijacked' })).toBe(0);
      expect(await trx('tasks').where('id', aliceTask).delete().returning('id')).toEqual([]);
    });
    const owner = await app.knex('tasks').where('id', aliceTask).first();
    expect(owner.title).toBe("alice's");
  });

  test("a row for another user cannot be written in a caller's scope", async () => {
    const scope = callerScope(app.knex, true);
    await expect(scope.run('bob', (db) => db('tasks').insert({ user_id: 'alice', title: 'planted' }))).rejects.toMatchObject({
      message: expect.stringContaining('row-level security'),
    });
  });

  test('outside any scope (the table owner) every row is visible, so the checks above can fail', async () => {
    const ids = (await app.knex('tasks').select('id')).map((r: { id: string }) => r.id).sort();
    expect(ids).toEqual([aliceTask, bobTask].sort());
  });

  test('the 403 mode probe still sees tasks of other owners (through its SECURITY DEFINER function)', async () => {
    const scope = callerScope(app.knex, true);
    const found = await scope.run('bob', (db) => db.raw('select task_exists(?::uuid) as found', [aliceTask]));
    expect(found.rows[0].found).toBe(true);
  });
  test("the probe pins its search_path: a caller's own `tasks` table cannot stand in for the real one", async () => {
    const schema = (await app.knex.raw('select current_schema() as s')).rows[0].s as string;
    const decoy = `decoy_${crypto.randomBytes(4).toString('hex')}`;
    const planted = crypto.randomUUID();
    await app.knex.raw('CREATE SCHEMA ??', [decoy]);
    try {
      await app.knex.raw('CREATE TABLE ??.tasks (id uuid)', [decoy]);
      await app.knex.raw('INSERT INTO ??.tasks VALUES (?)', [decoy, planted]);
      const found = await app.knex.transaction(async (trx) => {
        await trx.raw(`select set_config('search_path', ?, true)`, [`${decoy}, ${schema}`]);
        return (await trx.raw('select ??.task_exists(?::uuid) as planted, ??.task_exists(?::uuid) as real', [schema, planted, schema, aliceTask])).rows[0];
      });
      expect(found).toEqual({ planted: false, real: true });
    } finally {
      await app.knex.raw('DROP SCHEMA ?? CASCADE', [decoy]);
    }
  });

  test('only the service may call the probe: not PUBLIC, and not any other role', async () => {
    const schema = (await app.knex.raw('select current_schema() as s')).rows[0].s as string;
    const outsider = `outsider_${crypto.randomBytes(4).toString('hex')}`;
    await app.knex.raw(`CREATE ROLE ${outsider} NOLOGIN`);
    try {
      const { rows } = await app.knex.raw(
        `select has_function_privilege(?, ?, 'EXECUTE') as outsider, has_function_privilege('task_api_app', ?, 'EXECUTE') as app,
                (select proconfig from pg_proc p join pg_namespace n on n.oid = p.pronamespace where proname = 'task_exists' and nspname = ?) as config`,
        [outsider, `${schema}.task_exists(uuid)`, `${schema}.task_exists(uuid)`, schema],
      );
      expect(rows[0].outsider).toBe(false);
      expect(rows[0].app).toBe(true);
      expect(rows[0].config).toEqual([expect.stringMatching(/^search_path=/)]);
    } finally {
      await app.knex.raw(`DROP ROLE ${outsider}`);
    }
  });
});

describe('the service with DB_ROW_LEVEL_SECURITY=on', () => {
  let secured: TestApp;
  beforeAll(async () => {
    secured = await startTestApp({ DB_ROW_LEVEL_SECURITY: 'on' });
  });
  afterAll(() => secured.stop());

  test('every task operation works inside the policy, and users stay apart', async () => {
    const carol = await secured.clientFor('carol');
    const dave = await secured.clientFor('dave');
    const created = (await sdk.createTask({ client: carol, body: { title: 'under RLS' } })).data!;
    expect((await sdk.listTasks({ client: carol })).data!.map((t) => t.id)).toEqual([created.id]);
    expect((await sdk.getTask({ client: carol, path: { task_id: created.id } })).data!.title).toBe('under RLS');
    expect((await sdk.updateTask({ client: carol, path: { task_id: created.id }, body: { priority: 'high' } })).data!.version).toBe(2);
    expect((await sdk.toggleTask({ client: carol, path: { task_id: created.id } })).data!.completed).toBe(true);
    expect((await sdk.listTasks({ client: dave })).data).toEqual([]);
    expect((await sdk.getTask({ client: dave, path: { task_id: created.id } })).response?.status).toBe(404);
    expect((await sdk.deleteTask({ client: dave, path: { task_id: created.id } })).response?.status).toBe(404);
    expect((await sdk.deleteTask({ client: carol, path: { task_id: created.id } })).response?.status).toBe(204);
  });

  test('the 403 mode works under the policy too', async () => {
    const strict = await startTestApp({ DB_ROW_LEVEL_SECURITY: 'on', CROSS_USER_TASK_STATUS: '403' });
    try {
      const erin = await strict.clientFor('erin');
      const frank = await strict.clientFor('frank');
      const task = (await sdk.createTask({ client: erin, body: { title: "erin's" } })).data!;
      expect((await sdk.getTask({ client: frank, path: { task_id: task.id } })).response?.status).toBe(403);
      expect((await sdk.getTask({ client: frank, path: { task_id: '7d444840-9dc0-11d1-b245-5ffdce74fad2' } })).response?.status).toBe(404);
    } finally {
      await strict.stop();
    }
  });
});
