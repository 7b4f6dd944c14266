import type fc from 'fast-check';
import type { TestApp } from '../helpers/test-app';

// Settings and HTTP plumbing shared by the fuzz suites.
//
//   FUZZ_SEED              seed of every property (default 20261130: CI runs the same cases each time)
//   FUZZ_RUNS              cases per property (default 25; try FUZZ_RUNS=500 locally)
//   FUZZ_REQUEST_TIMEOUT_MS  a request not answered within this fails as a hang (default 15000)
//   FUZZ_SHRINK=1          on a failure, shrink to the smallest failing case (slower; off in CI)

function integerFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return value;
}

export const FUZZ = {
  seed: integerFromEnv('FUZZ_SEED', 20261130),
  runs: Math.max(1, integerFromEnv('FUZZ_RUNS', 25)),
  requestTimeoutMs: Math.max(1, integerFromEnv('FUZZ_REQUEST_TIMEOUT_MS', 15000)),
  shrink: process.env.FUZZ_SHRINK === '1',
};

/** fast-check parameters for every property: deterministic seed, configurable size. */
export function params<T>(extra: fc.Parameters<T> = {}): fc.Parameters<T> {
  return { seed: FUZZ.seed, numRuns: FUZZ.runs, endOnFailure: !FUZZ.shrink, ...extra };
}

/** Generous per-test time: every case waits for real requests on a shared two-core machine. */
export const propertyTimeout = () => 60_000 + FUZZ.runs * 4 * FUZZ.requestTimeoutMs;

export interface Answer {
  status: number;
  type: string;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
}

export interface Send {
  method: string;
  path: string;
  token?: string;
  /** A value to send as JSON, or raw text with `raw: true`. */
  body?: unknown;
  raw?: boolean;
  contentType?: string;
  headers?: Record<string, string>;
}

/**
 * One request through the contract-checked fetch (tests/helpers/contract.ts: the answer must be
 * one openapi.yaml declares, with a body of its schema). A request not answered in time fails
 * the case as a hang.
 */
export async function send(app: TestApp, req: Send): Promise<Answer> {
  const headers: Record<string, string> = { ...req.headers };
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  let body: string | undefined;
  if (req.body !== undefined) {
    body = req.raw ? String(req.body) : JSON.stringify(req.body);
    headers['content-type'] = req.contentType ?? 'application/json';
  }
  let res: Response;
  try {
    res = await app.request(req.path, { method: req.method, headers, body, signal: AbortSignal.timeout(FUZZ.requestTimeoutMs) });
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') {
      throw new Error(`${req.method} ${req.path} got no answer within ${FUZZ.requestTimeoutMs} ms: the service hangs on it`);
    }
    // fetch reuses keep-alive connections: a reset here may come from how the previous request
    // on the same connection was answered (e.g. a 413 that said keep-alive, then closed).
    const cause = (error as Error).cause as { code?: string; message?: string } | undefined;
    throw new Error(`${req.method} ${req.path} got no answer: the connection failed (${cause?.code ?? cause?.message ?? String(error)})`, { cause: error });
  }
  const text = await res.text();
  const type = (res.headers.get('content-type') ?? '').split(';')[0].trim();
  return { status: res.status, type, text, json: type.includes('json') && text ? JSON.parse(text) : undefined, headers: res.headers };
}

const show = (value: unknown) => {
  const text = String(JSON.stringify(value));
  return text.length > 600 ? `${text.slice(0, 600)}… (${text.length} characters)` : text;
};

/** A refusal: 4xx, problem+json whose status is the response's. Never a 5xx. */
export function expectRefused(answer: Answer, what: string, allowed: number[] = []): void {
  const ok = answer.status >= 400 && answer.status < 500 && (allowed.length === 0 || allowed.includes(answer.status));
  if (!ok || answer.type !== 'application/problem+json' || answer.json?.status !== answer.status) {
    throw new Error(`${what}: expected a 4xx problem+json${allowed.length ? ` (${allowed.join('/')})` : ''}, got ${answer.status} ${answer.type} ${answer.text.slice(0, 400)}`);
  }
}

/** An acceptance with the given status. */
export function expectAccepted(answer: Answer, status: number, what: string): void {
  if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${answer.text.slice(0, 600)}`);
}

export { show };
