import type { TestApp } from './test-app';

// One request to a test service, as a client sends it, through the contract-checked fetch
// (tests/helpers/contract.ts): a JSON body, or raw text or bytes for what a client should never
// send, a token, headers. The answer with its text and parsed JSON.

export interface Sent {
  res: Response;
  status: number;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface SendOptions {
  token?: string;
  /** A value sent as JSON (Content-Type: application/json unless `headers` say otherwise). */
  body?: unknown;
  /** Sent as it is, instead of `body`. */
  raw?: string | Buffer;
  headers?: Record<string, string>;
  /** A request not answered within this fails as a hang (default 20 s). */
  timeoutMs?: number;
}

export async function send(app: TestApp, method: string, path: string, opts: SendOptions = {}): Promise<Sent> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] = 'application/json';
  Object.assign(headers, opts.headers);
  const payload = opts.raw !== undefined ? (typeof opts.raw === 'string' ? opts.raw : new Uint8Array(opts.raw)) : opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const res = await app.request(path, { method, headers, body: payload, signal: AbortSignal.timeout(opts.timeoutMs ?? 20_000) });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return { res, status: res.status, text, json: type.includes('json') && text ? JSON.parse(text) : undefined };
}
