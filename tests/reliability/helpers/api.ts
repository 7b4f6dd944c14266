import { contractFetch } from '../../helpers/contract';
import type { Task } from '../../../generated/types.gen';
import { tokenFor } from '../../helpers/tokens';

// Small HTTP helpers over a service URL (child process or in-process), every response checked
// against openapi.yaml by contractFetch.

export type { Task };

export const FULL = /^(1|true|yes)$/i.test(process.env.RELIABILITY_FULL ?? '');

export async function bearer(userId: string): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await tokenFor(userId)}` };
}

export function jsonInit(method: string, headers: Record<string, string>, body?: unknown): RequestInit {
  return {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
}

/** Every task of the caller, following the `Link: rel="next"` pages; contract-checked. */
export async function listAll(baseUrl: string, headers: Record<string, string>): Promise<Task[]> {
  const tasks: Task[] = [];
  let next: string | undefined = '/tasks?limit=100';
  while (next) {
    const res: Response = await contractFetch(`${baseUrl}${next}`, { headers, signal: AbortSignal.timeout(20_000) });
    if (res.status !== 200) throw new Error(`GET ${next} answered ${res.status}: ${await res.text()}`);
    tasks.push(...((await res.json()) as Task[]));
    const link = res.headers.get('link');
    const match = link ? /<([^>]+)>;\s*rel="next"/.exec(link) : null;
    next = match ? new URL(match[1], baseUrl).pathname + new URL(match[1], baseUrl).search : undefined;
  }
  return tasks;
}

/** A database row of `tasks` obeys the rules a Task promises (no half-written state). */
export function rowProblems(row: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const at = (k: string) => row[k];
  const title = at('title');
  if (typeof title !== 'string' || title.trim() === '' || title.length > 255) problems.push(`title ${JSON.stringify(title)}`);
  if (!['pending', 'in_progress', 'completed'].includes(String(at('status')))) problems.push(`status ${String(at('status'))}`);
  if (!['low', 'medium', 'high'].includes(String(at('priority')))) problems.push(`priority ${String(at('priority'))}`);
  if (at('completed') !== (at('status') === 'completed')) problems.push(`completed ${String(at('completed'))} with status ${String(at('status'))}`);
  if ((at('completed_at') !== null) !== (at('status') === 'completed')) problems.push(`completed_at ${String(at('completed_at'))} with status ${String(at('status'))}`);
  if (!(Number.isInteger(at('version')) && (at('version') as number) >= 1)) problems.push(`version ${String(at('version'))}`);
  const created = at('created_at') as Date | null;
  const updated = at('updated_at') as Date | null;
  if (!(created instanceof Date) || !(updated instanceof Date) || updated < created) problems.push(`timestamps ${String(created)} / ${String(updated)}`);
  return problems.map((p) => `task ${String(at('id'))}: ${p}`);
}
