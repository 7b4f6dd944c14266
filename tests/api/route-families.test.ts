import fc from 'fast-check';
import { isStorableText } from '../../src/db/storable-text';
import { params, propertyTimeout } from '../fuzz/fuzz-kit';
import { send } from '../helpers/http';
import { walkPages } from '../helpers/paging';
import { startTestApp, type TestApp } from '../helpers/test-app';

// The URLs the service writes (Location on a create, Link to the next page) stay in the route
// family of the request, whatever the owner id in /api/{user_id}/tasks holds — "tasks" in it, a
// slash, a percent sign, any Unicode — and lead where they say. (An owner id of exactly "tasks"
// is the one the contract cannot tell apart: /api/tasks/tasks is /api/tasks/{task_id} first.)

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const ownerId = fc.oneof(
  fc.constantFrom('tasks-bot', 'a/tasks', '/tasks/x', 'api', '%2F', 'tasks?x=1', 'ü tasks 😀'),
  fc.string({ minLength: 1, maxLength: 30 }).filter(isStorableText),
  fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })).map(([a, b]) => `${a}tasks${b}`),
);

test(
  'Location and Link name the family the request came in on, for any owner id',
  async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(ownerId, async (owner) => {
        if (owner.trim() === '' || owner === 'tasks' || seen.has(owner)) return;
        seen.add(owner);
        const token = await app.createUser(owner);
        const family = `/api/${encodeURIComponent(owner)}/tasks`;
        const created = await Promise.all([1, 2, 3].map((i) => send(app, 'POST', family, { token, body: { title: `t${i}` } })));
        for (const sent of created) {
          expect(sent.status).toBe(201);
          expect(sent.res.headers.get('location')).toBe(`${family}/${sent.json.id}`);
          expect((await send(app, 'GET', sent.res.headers.get('location')!, { token })).status).toBe(200);
        }
        const pages = await walkPages(app, `${family}?limit=1`, token, family);
        expect(pages.flatMap((p) => p.tasks)).toHaveLength(3);
      }),
      params({ numRuns: Math.max(40, params().numRuns!) }),
    );
  },
  propertyTimeout(),
);
