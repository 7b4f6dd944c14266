import { contractFetch } from '../../helpers/contract';
import { bearer, jsonInit, type Task } from './api';

// Steady mixed traffic from several users (create, read one of mine, list mine), each answer
// checked against the contract and against the caller: a task that comes back must be the one
// asked for and belong to the caller. Every request is bounded on the test side so that a hang
// shows up as `hung` rather than as a jest timeout.

export interface Outcome {
  op: 'create' | 'read' | 'list';
  /** The phase current when the request was sent. */
  phase: string;
  /** The phase current when its answer (or error) came back. */
  answeredIn?: string;
  status?: number;
  retryAfter?: string | null;
  contentType?: string | null;
  /** Network error, contract violation, or `hung` (no answer within the test-side bound). */
  error?: string;
  /** The answer is well-formed but not what the caller asked for (another user's row, another id). */
  wrong?: string;
}

export interface Traffic {
  outcomes: Outcome[];
  /** Ids of created tasks, per user (201 received). */
  created: Map<string, Task[]>;
  phase: string;
  /** Resolves once at least `n` answers with a status in `statuses` arrived in the current phase. */
  until(n: number, statuses: number[], ms?: number): Promise<void>;
  stop(): Promise<Outcome[]>;
}

export async function startTraffic(baseUrl: string, users: string[], workers: number, boundMs = 15_000): Promise<Traffic> {
  const headers = Object.fromEntries(await Promise.all(users.map(async (u) => [u, await bearer(u)] as const)));
  const created = new Map<string, Task[]>(users.map((u) => [u, []]));
  const outcomes: Outcome[] = [];
  let running = true;
  let counter = 0;
  const listeners = new Set<() => void>();

  const traffic: Traffic = {
    outcomes,
    created,
    phase: 'before',
    until(n, statuses, ms = 30_000) {
      const phase = traffic.phase;
      const count = () => outcomes.filter((o) => o.phase === phase && o.status !== undefined && statuses.includes(o.status)).length;
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (count() >= n) {
            done();
            resolve();
          }
        };
        const timer = setTimeout(() => {
          done();
          const seen = outcomes.filter((o) => o.phase === phase).map((o) => o.status ?? o.error);
          reject(new Error(`fewer than ${n} answers ${statuses.join('/')} in phase ${phase} within ${ms} ms; saw ${JSON.stringify(seen.slice(-20))}`));
        }, ms);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async stop() {
      running = false;
      await Promise.all(loops);
      return outcomes;
    },
  };

  async function once(w: number) {
    const userId = users[w % users.length];
    const mine = created.get(userId)!;
    const n = counter++;
    const op: Outcome['op'] = mine.length === 0 || n % 3 === 0 ? 'create' : n % 3 === 1 ? 'read' : 'list';
    const outcome: Outcome = { op, phase: traffic.phase };
    const target = mine[n % Math.max(1, mine.length)];
    const title = `traffic ${w}-${n}`;
    try {
      const res =
        op === 'create'
          ? await contractFetch(`${baseUrl}/tasks`, { ...jsonInit('POST', headers[userId], { title }), signal: AbortSignal.timeout(boundMs) })
          : op === 'read'
            ? await contractFetch(`${baseUrl}/tasks/${target.id}`, { headers: headers[userId], signal: AbortSignal.timeout(boundMs) })
            : await contractFetch(`${baseUrl}/tasks?limit=10`, { headers: headers[userId], signal: AbortSignal.timeout(boundMs) });
      outcome.status = res.status;
      outcome.retryAfter = res.headers.get('retry-after');
      outcome.contentType = res.headers.get('content-type');
      const body = await res.json();
      if (res.status === 201) {
        if (body.user_id !== userId || body.title !== title) outcome.wrong = `created ${JSON.stringify(body)} for ${userId} ${title}`;
        else mine.push(body);
      } else if (res.status === 200 && op === 'read') {
        if (body.id !== target.id || body.user_id !== userId) outcome.wrong = `read ${target.id} as ${userId}, got ${JSON.stringify(body)}`;
      } else if (res.status === 200 && op === 'list') {
        if (!Array.isArray(body) || body.some((t: Task) => t.user_id !== userId)) outcome.wrong = `list as ${userId}: ${JSON.stringify(body).slice(0, 300)}`;
      }
    } catch (err) {
      const e = err as Error;
      outcome.error = e.name === 'TimeoutError' || e.name === 'AbortError' ? 'hung' : `${e.message} ${String((e as { cause?: unknown }).cause ?? '')}`;
    }
    outcome.answeredIn = traffic.phase;
    outcomes.push(outcome);
    listeners.forEach((l) => l());
  }

  const loops = Array.from({ length: workers }, async (_, w) => {
    while (running) {
      await once(w);
      // Failing requests come back fast: pace them so the log is not flooded during an outage.
      if (outcomes[outcomes.length - 1]?.status !== undefined && outcomes[outcomes.length - 1].status! >= 500) {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  });
  return traffic;
}

/** Counts of statuses (or errors) per phase, for readable failure messages. */
export function summary(outcomes: Outcome[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const o of outcomes) {
    const key = o.error ? `error: ${o.error.slice(0, 80)}` : String(o.status);
    out[o.phase] ??= {};
    out[o.phase][key] = (out[o.phase][key] ?? 0) + 1;
  }
  return out;
}
