import type { Task } from '../../generated/types.gen';
import { send } from './http';
import type { TestApp } from './test-app';

/** A task created as `token`'s user (in the family `collection`, /tasks by default); the 201 is asserted. */
export async function createTask(app: TestApp, token: string, body: Record<string, unknown> = { title: 'A task' }, collection = '/tasks'): Promise<Task> {
  const created = await send(app, 'POST', collection, { token, body });
  if (created.status !== 201) throw new Error(`POST ${collection} answered ${created.status}: ${created.text.slice(0, 300)}`);
  return created.json as Task;
}
