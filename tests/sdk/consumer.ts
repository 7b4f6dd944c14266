// A consumer of the generated SDK, written as someone outside this repository would write it:
// everything comes from generated/ (what `npm run generate` produces from openapi.yaml), nothing
// from src/ or the test helpers, and it compiles under `tsc --strict` (tests/sdk/tsconfig.json).
// tests/sdk/journey.test.ts runs it against a live service.

import { createClient, type Client } from '../../generated/client/index.js';
import {
  completeTask,
  createTask,
  deleteTask,
  getMe,
  getTask,
  listTasks,
  login,
  register,
  replaceTask,
  toggleTask,
  updateTask,
  type ListTasksErrors,
  type ListTasksResponses,
  type Problem,
  type Task,
  type TaskCreateWritable,
  type User,
} from '../../generated/index.js';

/** A failed call, carrying the service's problem+json (RFC 9457) body, typed. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`${status} ${problem.title}: ${problem.detail}`);
  }

  /** The fields a 422 names, as `location:field rule` (e.g. `body:/title maxLength`). */
  get fieldErrors(): string[] {
    return (this.problem.errors ?? []).map((e) => `${e.location}:${e.field} ${e.rule}`);
  }
}

/**
 * The SDK answers `{ data, error, response }`: `error` is set (and typed as the operation's
 * error bodies, all `Problem` here) exactly when the status is not a success, so checking it
 * narrows `data` to the success type. `response` is missing only when no answer came at all.
 */
function unwrap<R extends { data?: unknown; error?: Problem; response?: Response }>(result: R): { value: Exclude<R['data'], undefined>; response: Response } {
  if (!result.response) throw new Error('no answer from the service');
  if (result.error !== undefined) throw new ApiError(result.response.status, result.error);
  return { value: result.data as Exclude<R['data'], undefined>, response: result.response };
}

/** The next page's URL from a `Link: <…>; rel="next"` header, if there is one. */
export function nextLink(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (match && /(^|;)\s*rel="?next"?\s*(;|$)/i.test(match[2]!)) return match[1];
  }
  return undefined;
}

export class TaskApi {
  private constructor(
    private readonly client: Client,
    readonly baseUrl: string,
  ) {}

  /** Registers an account and returns a client signed in as it. */
  static async register(baseUrl: string, email: string, password: string): Promise<{ api: TaskApi; user: User }> {
    const anonymous = createClient({ baseUrl });
    const { value: session } = unwrap(await register({ client: anonymous, body: { email, password } }));
    return { api: new TaskApi(createClient({ baseUrl, auth: session.access_token }), baseUrl), user: session.user };
  }

  /** Logs in and returns a client signed in as that account. */
  static async login(baseUrl: string, email: string, password: string): Promise<TaskApi> {
    const anonymous = createClient({ baseUrl });
    const { value: session } = unwrap(await login({ client: anonymous, body: { email, password } }));
    if (session.token_type !== 'bearer') throw new Error(`unexpected token type ${session.token_type}`);
    return new TaskApi(createClient({ baseUrl, auth: session.access_token }), baseUrl);
  }

  /** A client with a token obtained elsewhere (another identity provider, say). */
  static withToken(baseUrl: string, token: string): TaskApi {
    return new TaskApi(createClient({ baseUrl, auth: token }), baseUrl);
  }

  async me(): Promise<User> {
    return unwrap(await getMe({ client: this.client })).value;
  }

  async create(task: TaskCreateWritable): Promise<{ task: Task; etag: string; location: string }> {
    const { value, response } = unwrap(await createTask({ client: this.client, body: task }));
    return { task: value, etag: response.headers.get('etag') ?? '', location: response.headers.get('location') ?? '' };
  }

  async get(id: string): Promise<{ task: Task; etag: string }> {
    const { value, response } = unwrap(await getTask({ client: this.client, path: { task_id: id } }));
    return { task: value, etag: response.headers.get('etag') ?? '' };
  }

  /** A partial update, only if the task is still at `etag` (else ApiError 412). */
  async rename(id: string, title: string, etag: string): Promise<Task> {
    return unwrap(await updateTask({ client: this.client, path: { task_id: id }, headers: { 'If-Match': etag }, body: { title } })).value;
  }

  async replace(id: string, task: TaskCreateWritable): Promise<Task> {
    return unwrap(await replaceTask({ client: this.client, path: { task_id: id }, body: task })).value;
  }

  async complete(id: string, completed = true): Promise<Task> {
    return unwrap(await completeTask({ client: this.client, path: { task_id: id }, body: { completed } })).value;
  }

  async toggle(id: string): Promise<Task> {
    return unwrap(await toggleTask({ client: this.client, path: { task_id: id } })).value;
  }

  async remove(id: string): Promise<void> {
    unwrap(await deleteTask({ client: this.client, path: { task_id: id } }));
  }

  /**
   * Every task matching the filters, page by page: the first page from `listTasks`, each next
   * one from the URL in its `Link` header, as given (it carries the cursor, size, sort and
   * filters), through the same client. Returns the tasks and how many pages it took.
   */
  async all(query: NonNullable<Parameters<typeof listTasks>[0]>['query'] = {}): Promise<{ tasks: Task[]; pages: number }> {
    const tasks: Task[] = [];
    let page = unwrap(await listTasks({ client: this.client, query }));
    let pages = 1;
    tasks.push(...page.value);
    for (let next = nextLink(page.response?.headers.get('link')); next; next = nextLink(page.response?.headers.get('link'))) {
      const url = new URL(next, this.baseUrl);
      page = unwrap(
        await this.client.get<ListTasksResponses, ListTasksErrors>({
          url: `${url.pathname}${url.search}`,
          security: [{ scheme: 'bearer', type: 'http' }],
        }),
      );
      pages += 1;
      tasks.push(...page.value);
    }
    return { tasks, pages };
  }
}
