import { PROBLEM_TYPES, problemTypeUri, type ProblemTypeName } from '../../src/core/problem-types';
import { deref, document } from '../helpers/spec';
import { startTestApp, type TestApp } from '../helpers/test-app';

// Every problem has a stable `type` naming its kind (src/core/problem-types.ts): the contract lists
// the same kinds, its examples use them with their status, and the service serves a page for each.
// (Every problem any test sees is checked for a known kind of its status: tests/helpers/contract.ts.)

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const names = Object.keys(PROBLEM_TYPES) as ProblemTypeName[];

test('the contract lists exactly the kinds of problem the service has, with their status', () => {
  const problem = deref<{ properties: { type: { description: string } } }>(document.components!.schemas!.Problem as never);
  const listed = [...problem.properties.type.description.matchAll(/`\/problems\/([a-z-]+)` \((\d{3})\)/g)].map((m) => [m[1], Number(m[2])]);
  expect(listed).toEqual(names.map((name) => [name, PROBLEM_TYPES[name].status]));
});

test("every problem example in the contract has a listed kind of the example's status", () => {
  const examples: { type: string; status: number }[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.type === 'string' && typeof record.status === 'number' && typeof record.detail === 'string') examples.push(record as never);
      Object.values(record).forEach(visit);
    }
  };
  visit(document);
  expect(examples.length).toBeGreaterThan(20);
  for (const { type, status } of examples) {
    const name = type.replace('/problems/', '') as ProblemTypeName;
    expect({ type, status: PROBLEM_TYPES[name]?.status }).toEqual({ type, status });
  }
});

test.each(names)('GET /problems/%s is a page saying what the problem means and what to do', async (name) => {
  const res = await app.request(problemTypeUri(name));
  const html = await res.text();
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(html).toContain(`/problems/${name}`);
  expect(html).toContain('What to do');
});

test('GET /problems lists every kind, and an unknown kind is a route-not-found problem', async () => {
  const index = await (await app.request('/problems')).text();
  for (const name of names) expect(index).toContain(`href="/problems/${name}"`);
  const unknown = await app.request('/problems/no-such-kind');
  expect(unknown.status).toBe(404);
  expect((await unknown.json()).type).toBe('/problems/route-not-found');
});
