import type { Context } from 'koa';
import { etagFor } from '../../core/etag';
import type { TaskRow } from '../../models/Task';
import type { TaskService } from '../../services/tasks';
import type { OperationHandler } from '../operations';

// Thin handlers: read the request, call the use case, set status, headers and body. One handler
// serves a route's three families (/tasks, /api/tasks, /api/{user_id}/tasks).

function sendTask(ctx: Context, task: TaskRow, status = 200) {
  ctx.status = status;
  ctx.set('ETag', etagFor(task.version));
  ctx.body = task;
}

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
  const list: OperationHandler<'listTasks'> = async ({ userId, query = {}, prefix }, ctx) => {
    const page = await tasks.list(userId, { ...query, limit: query.limit ?? 50 });
    if (page.next) ctx.set('Link', nextPageLink(prefix, { ...query, limit: query.limit ?? 50 }, page.next));
    ctx.body = page.tasks;
  };

  const create: OperationHandler<'createTask'> = async ({ userId, body, prefix }, ctx) => {
    const task = await tasks.create(userId, body);
    ctx.set('Location', `${prefix}/tasks/${task.id}`);
    sendTask(ctx, task, 201);
  };

  const get: OperationHandler<'getTask'> = async ({ userId, path }, ctx) => {
    sendTask(ctx, await tasks.get(userId, path.task_id));
  };

  const replace: OperationHandler<'replaceTask'> = async ({ userId, path, body, ifMatch }, ctx) => {
    sendTask(ctx, await tasks.replace(userId, path.task_id, body, ifMatch));
  };

  const update: OperationHandler<'updateTask'> = async ({ userId, path, body, ifMatch }, ctx) => {
    sendTask(ctx, await tasks.patch(userId, path.task_id, body, ifMatch));
  };

  const remove: OperationHandler<'deleteTask'> = async ({ userId, path, ifMatch }, ctx) => {
    await tasks.remove(userId, path.task_id, ifMatch);
    ctx.status = 204;
  };

  const toggle: OperationHandler<'toggleTask'> = async ({ userId, path, ifMatch }, ctx) => {
    sendTask(ctx, await tasks.toggle(userId, path.task_id, ifMatch));
  };

  const complete: OperationHandler<'completeTask'> = async ({ userId, path, body, ifMatch }, ctx) => {
    sendTask(ctx, await tasks.complete(userId, path.task_id, body?.completed ?? true, ifMatch));
  };

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
