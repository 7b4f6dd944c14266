import { registerAccount, uniqueEmail } from '../helpers/accounts';
import { engineName } from '../helpers/engine';
import { send } from '../helpers/http';
import { fillTemplate, operations } from '../helpers/spec';
import { startTestApp, type TestApp } from '../helpers/test-app';

// A deleted account is locked out at once, whatever the configuration: after DELETE /auth/me the
// same (unexpired) token gets 401 `Invalid token` on every authenticated operation, and writes
// racing the deletion get 201 or 401, never a 500, with and without Row Level Security.

const secured = operations.filter((op) => op.secured);

describe.each(['off', 'on'])(`DB_ROW_LEVEL_SECURITY=%s (${engineName})`, (rls) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ DB_ROW_LEVEL_SECURITY: rls, REGISTER_RATE_LIMIT: '0' });
  });
  afterAll(() => app.stop());

  const call = (method: string, path: string, token: string, body?: unknown) => send(app, method, path, { token, body });

  /** A new account, registered as a client would; its id and token. */
  async function register() {
    const session = await registerAccount(app, uniqueEmail(`gone-${rls}`));
    return { id: session.user.id, token: session.access_token };
  }

  test('after DELETE /auth/me, the same token is 401 Invalid token on every authenticated operation', async () => {
    const { id, token } = await register();
    const task = await call('POST', '/tasks', token, { title: 'left behind' });
    expect(task.status).toBe(201);
    expect((await call('DELETE', '/auth/me', token)).status).toBe(204);

    for (const op of secured) {
      const path = fillTemplate(op.template, { task_id: task.json.id, user_id: id });
      const body = op.requestBody ? (['POST', 'PUT'].includes(op.method) ? { title: 'after' } : {}) : undefined;
      const sent = await call(op.method, path, token, body);
      expect({ op: `${op.method} ${op.template}`, status: sent.status, detail: sent.json?.detail }).toEqual({
        op: `${op.method} ${op.template}`,
        status: 401,
        detail: 'Invalid token',
      });
    }
  });

  test('writes racing the deletion answer 201, 200 or 401, never 500', async () => {
    for (let round = 0; round < 5; round++) {
      const { token } = await register();
      const first = await call('POST', '/tasks', token, { title: 'first' });
      const writes = Array.from({ length: 24 }, (_, i) =>
        i % 3 === 0 ? call('PATCH', `/tasks/${first.json.id}/toggle`, token) : call('POST', '/tasks', token, { title: `racing ${i}` }),
      );
      const deletion = call('DELETE', '/auth/me', token);
      const statuses = (await Promise.all(writes)).map((s) => s.status);
      expect((await deletion).status).toBe(204);
      expect(statuses.filter((s) => ![200, 201, 401].includes(s))).toEqual([]);
      expect((await call('POST', '/tasks', token, { title: 'after' })).status).toBe(401);
    }
  });
});
