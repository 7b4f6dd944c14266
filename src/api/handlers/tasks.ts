import { etagFor } from '../../core/etag';
import type { TaskRow } from '../../models/Task';
import type { TaskService } from '../../services/tasks';
import type { Family, OperationHandler } from '../operations';

// Thin handlers: read the request, call the use case, answer status, headers and body. One handler
// serves a route's three families (/tasks, /api/tasks, /api/{user_id}/tasks).

/** A task with its ETag. */
const taskReply = (task: TaskRow, status: 200 | 201 = 200, headers: Record<string, string> = {}) => ({
  status,
  headers: { ...headers, ETag: etagFor(task.version) },
  body: task,
});

/** The URL of the next page: same family, same filters, the new cursor. */
function nextPageLink(prefix: string, query: Record<string, unknown>, cursor: string): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && name !== 'cursor') params.set(name, String(value));
  }
  params.set('cursor', cursor);
  return `<${prefix}/tasks?${params.toString()}>; rel="next"`;
}

export function taskHandlers(tasks: TaskService) {
  const list: OperationHandler<Family<'listTasks'>> = async ({ userId, query = {}, prefix }) => {
    const page = await tasks.list(userId, { ...query, limit: query.limit ?? 50 });
    const headers: Record<string, string> = page.next ? { Link: nextPageLink(prefix, { ...query, limit: query.limit ?? 50 }, page.next) } : {};
    return { headers, body: page.tasks };
  };

  const create: OperationHandler<Family<'createTask'>> = async ({ userId, body, prefix }) => {
    const task = await tasks.create(userId, body);
    return taskReply(task, 201, { Location: `${prefix}/tasks/${task.id}` });
  };

  const get: OperationHandler<Family<'getTask'>> = async ({ userId, path }) => taskReply(await tasks.get(userId, path.task_id));

  const replace: OperationHandler<Family<'replaceTask'>> = async ({ userId, path, body, ifMatch }) => taskReply(await tasks.replace(userId, path.task_id, body, ifMatch));

  const update: OperationHandler<Family<'updateTask'>> = async ({ userId, path, body, ifMatch }) => taskReply(await tasks.patch(userId, path.task_id, body, ifMatch));

  const remove: OperationHandler<Family<'deleteTask'>> = async ({ userId, path, ifMatch }) => {
    await tasks.remove(userId, path.task_id, ifMatch);
    return { status: 204 };
  };

  const toggle: OperationHandler<Family<'toggleTask'>> = async ({ userId, path, ifMatch }) => taskReply(await tasks.toggle(userId, path.task_id, ifMatch));

  const complete: OperationHandler<Family<'completeTask'>> = async ({ userId, path, body, ifMatch }) =>
    taskReply(await tasks.complete(userId, path.task_id, body?.completed ?? true, ifMatch));

  return {
    listTasks: list, listTasksApi: list, listTasksForUser: list,
    createTask: create, createTaskApi: create, createTaskForUser: create,
    getTask: get, getTaskApi: get, getTaskForUser: get,
    replaceTask: replace, replaceTaskApi: replace, replaceTaskForUser: replace,
    updateTask: update, updateTaskApi: update, updateTaskForUser: update,
    deleteTask: remove, deleteTaskApi: remove, deleteTaskForUser: remove,
    toggleTask: toggle, toggleTaskApi: toggle, toggleTaskForUser: toggle,
    completeTask: complete, completeTaskApi: complete, completeTaskForUser: complete,
  };
}
