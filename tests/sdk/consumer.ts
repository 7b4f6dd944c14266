// A consumer of the SDK package, written as someone outside this repository would write it: it
// imports only `@task-api/sdk` (mapped to sdk/src here; tests/sdk/package.test.ts compiles this
// same file against the packed tarball, as ES modules and as CommonJS) and compiles under
// `tsc --strict` (tests/sdk/tsconfig.json). tests/sdk/journey.test.ts runs it against a live service.
//
// An application's own thin layer over the package: errors and paging are the package's
// (TaskApiError, itemsOf); this only names the calls the application makes.

import {
  completeTask,
  createTask,
  createTaskApiClient,
  deleteTask,
  getMe,
  getTask,
  listTasks,
  login,
  pagesOf,
  register,
  replaceTask,
  toggleTask,
  updateTask,
  type Client,
  type ListOptions,
  type Task,
  type TaskApiClientConfig,
  type TaskCreateWritable,
  type User,
} from '@task-api/sdk';

/** Where the service is (and, if need be, the fetch to reach it with): the client config without a token. */
export type Connection = Omit<TaskApiClientConfig, 'auth'>;

export class TaskApi {
  private constructor(private readonly client: Client) {}

  /** Registers an account and returns a client signed in as it. */
  static async register(connection: Connection, email: string, password: string): Promise<{ api: TaskApi; user: User }> {
    const { data: session } = await register({ client: createTaskApiClient(connection), body: { email, password }, throwOnError: true });
    return { api: TaskApi.withToken(connection, session.access_token), user: session.user };
  }

  /** Logs in and returns a client signed in as that account. */
  static async login(connection: Connection, email: string, password: string): Promise<TaskApi> {
    const { data: session } = await login({ client: createTaskApiClient(connection), body: { email, password }, throwOnError: true });
    return TaskApi.withToken(connection, session.access_token);
  }

  /** A client with a token obtained elsewhere (another identity provider, say). */
  static withToken(connection: Connection, token: string): TaskApi {
    return new TaskApi(createTaskApiClient({ ...connection, auth: token }));
  }

  async me(): Promise<User> {
    return (await getMe({ client: this.client, throwOnError: true })).data;
  }

  async create(task: TaskCreateWritable): Promise<{ task: Task; etag: string; location: string }> {
    const { data, response } = await createTask({ client: this.client, body: task, throwOnError: true });
    return { task: data, etag: response.headers.get('etag') ?? '', location: response.headers.get('location') ?? '' };
  }

  async get(id: string): Promise<{ task: Task; etag: string }> {
    const { data, response } = await getTask({ client: this.client, path: { task_id: id }, throwOnError: true });
    return { task: data, etag: response.headers.get('etag') ?? '' };
  }

  /** A partial update, only if the task is still at `etag` (else a TaskApiError, 412). */
  async rename(id: string, title: string, etag: string): Promise<Task> {
    return (await updateTask({ client: this.client, path: { task_id: id }, headers: { 'If-Match': etag }, body: { title }, throwOnError: true })).data;
  }

  async replace(id: string, task: TaskCreateWritable): Promise<Task> {
    return (await replaceTask({ client: this.client, path: { task_id: id }, body: task, throwOnError: true })).data;
  }

  async complete(id: string, completed = true): Promise<Task> {
    return (await completeTask({ client: this.client, path: { task_id: id }, body: { completed }, throwOnError: true })).data;
  }

  async toggle(id: string): Promise<Task> {
    return (await toggleTask({ client: this.client, path: { task_id: id }, throwOnError: true })).data;
  }

  async remove(id: string): Promise<void> {
    await deleteTask({ client: this.client, path: { task_id: id }, throwOnError: true });
  }

  /** Every task matching the filters, and how many pages that took. */
  async all(query: ListOptions<typeof listTasks>['query'] = {}): Promise<{ tasks: Task[]; pages: number }> {
    const tasks: Task[] = [];
    let pages = 0;
    for await (const page of pagesOf(listTasks, { client: this.client, query })) {
      pages += 1;
      tasks.push(...page.items);
    }
    return { tasks, pages };
  }
}
