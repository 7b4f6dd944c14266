// The floor: the benchmark's workloads served by a bare node:http server. It verifies the same
// HS256 JWT with jose and runs the service's SQL with pg (same pool size) or PGlite, and nothing
// else: no framework, no validation, no ORM, no logging, no Row Level Security transaction.
// It is what this stack can reach on this machine, so the service is measured as a ratio to it.
//
// One database round trip per request on the happy path: the service's "does the token's user
// still exist" check is folded into each statement as AND EXISTS (…); only an empty result
// costs a second query (to tell 401 from an empty list or a 404).
//
// Routes (exactly the bench workloads): GET /ready, GET /tasks (limit, cursor; default sort
// -created_at), POST /tasks, GET /tasks/{id}, PATCH /tasks/{id} (title, description, priority,
// due_date). Environment: PORT, HOST, JWT_SECRET, and DATABASE_URL + DATABASE_SCHEMA +
// DB_POOL_MAX, or PGLITE_DIR.

import http from 'node:http';
import { jwtVerify } from 'jose';

type Row = Record<string, unknown> & { id: string; version: number; created_at: Date };
type Query = (text: string, params: unknown[]) => Promise<Row[]>;

const secret = new TextEncoder().encode(process.env.JWT_SECRET ?? '');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const USER_EXISTS = 'EXISTS (SELECT 1 FROM users WHERE id = $1)';

async function openDatabase(): Promise<Query> {
  if (process.env.PGLITE_DIR) {
    const { PGlite } = await import('@electric-sql/pglite');
    const db = new PGlite(process.env.PGLITE_DIR);
    await db.waitReady;
    return async (text, params) => (await db.query<Row>(text, params)).rows;
  }
  const { default: pg } = await import('pg');
  const schema = process.env.DATABASE_SCHEMA ?? 'public';
  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.DB_POOL_MAX ?? 10),
    options: `-c search_path=${schema}`,
    statement_timeout: 5000,
    keepAlive: true,
  });
  return async (text, params) => (await pool.query<Row>(text, params)).rows;
}

class HttpError extends Error {
  constructor(readonly status: number) {
    super(String(status));
  }
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (body && typeof body === 'object' && !Array.isArray(body)) return body;
  } catch {
    // fall through
  }
  throw new HttpError(400);
}

async function callerOf(req: http.IncomingMessage): Promise<string> {
  const match = /^Bearer +(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match) throw new HttpError(401);
  try {
    const { payload } = await jwtVerify(match[1], secret, { algorithms: ['HS256'] });
    if (typeof payload.sub === 'string' && payload.sub.length > 0) return payload.sub;
  } catch {
    // fall through
  }
  throw new HttpError(401);
}

/** The service's cursor format: base64url JSON naming the sort, the filters and the last row. */
function encodeCursor(last: Row): string {
  const payload = { v: 1, s: '-created_at', f: '||', k: last.created_at.toISOString(), id: last.id };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

function decodeCursor(raw: string): { k: string; id: string } {
  try {
    const payload = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (payload?.v === 1 && payload.s === '-created_at' && typeof payload.k === 'string' && UUID.test(payload.id)) return payload;
  } catch {
    // fall through
  }
  throw new HttpError(400);
}

function routes(query: Query) {
  /** After an empty result: a missing user is a 401 (as in the service), else the empty answer stands. */
  async function assertUser(userId: string) {
    const rows = await query('SELECT 1 AS id FROM users WHERE id = $1', [userId]);
    if (rows.length === 0) throw new HttpError(401);
  }

  async function list(userId: string, url: URL, res: http.ServerResponse) {
    const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50));
    const cursor = url.searchParams.get('cursor');
    const after = cursor === null ? undefined : decodeCursor(cursor);
    const rows = after
      ? await query(
          `SELECT * FROM tasks WHERE user_id = $1 AND ${USER_EXISTS} AND (created_at, id) < ($3::timestamptz, $4::uuid)
            ORDER BY created_at DESC, id DESC LIMIT $2`,
          [userId, limit + 1, after.k, after.id],
        )
      : await query(`SELECT * FROM tasks WHERE user_id = $1 AND ${USER_EXISTS} ORDER BY created_at DESC, id DESC LIMIT $2`, [
          userId,
          limit + 1,
        ]);
    if (rows.length === 0) await assertUser(userId);
    const page = rows.slice(0, limit);
    const headers: Record<string, string> = {};
    if (rows.length > limit) {
      headers.Link = `</tasks?limit=${limit}&cursor=${encodeCursor(page[page.length - 1])}>; rel="next"`;
    }
    send(res, 200, page, headers);
  }

  async function get(userId: string, taskId: string, res: http.ServerResponse) {
    const rows = await query(`SELECT * FROM tasks WHERE user_id = $1 AND id = $2 AND ${USER_EXISTS}`, [userId, taskId]);
    if (rows.length === 0) {
      await assertUser(userId);
      throw new HttpError(404);
    }
    send(res, 200, rows[0], { ETag: `"${rows[0].version}"` });
  }

  async function create(userId: string, body: Record<string, unknown>, res: http.ServerResponse) {
    if (typeof body.title !== 'string' || body.title.trim() === '') throw new HttpError(422);
    const status = body.status ?? (body.completed === true ? 'completed' : 'pending');
    const now = new Date();
    const rows = await query(
      `INSERT INTO tasks (user_id, title, description, status, priority, due_date, completed_at, created_at, updated_at)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $8 WHERE ${USER_EXISTS}
       RETURNING *`,
      [userId, body.title.trim(), body.description ?? null, status, body.priority ?? 'medium', body.due_date ?? null,
        status === 'completed' ? now : null, now],
    );
    if (rows.length === 0) throw new HttpError(401);
    send(res, 201, rows[0], { Location: `/tasks/${rows[0].id}`, ETag: `"${rows[0].version}"` });
  }

  async function patch(userId: string, taskId: string, body: Record<string, unknown>, res: http.ServerResponse) {
    const params: unknown[] = [userId, taskId];
    const sets: string[] = [];
    for (const column of ['title', 'description', 'priority', 'due_date']) {
      if (column in body) {
        params.push(body[column]);
        sets.push(`${column} = $${params.length}`);
      }
    }
    params.push(new Date());
    sets.push(`updated_at = $${params.length}`, 'version = version + 1');
    const rows = await query(
      `UPDATE tasks SET ${sets.join(', ')} WHERE user_id = $1 AND id = $2 AND ${USER_EXISTS} RETURNING *`,
      params,
    );
    if (rows.length === 0) {
      await assertUser(userId);
      throw new HttpError(404);
    }
    send(res, 200, rows[0], { ETag: `"${rows[0].version}"` });
  }

  return async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://baseline');
    if (url.pathname === '/ready' && req.method === 'GET') {
      await query('SELECT 1 AS id', []);
      return send(res, 200, { status: 'ok' });
    }
    if (url.pathname === '/tasks') {
      const userId = await callerOf(req);
      if (req.method === 'GET') return list(userId, url, res);
      if (req.method === 'POST') return create(userId, await readJson(req), res);
      throw new HttpError(405);
    }
    const match = /^\/tasks\/([^/]+)$/.exec(url.pathname);
    if (match) {
      const userId = await callerOf(req);
      if (!UUID.test(match[1])) throw new HttpError(404);
      if (req.method === 'GET') return get(userId, match[1], res);
      if (req.method === 'PATCH') return patch(userId, match[1], await readJson(req), res);
      throw new HttpError(405);
    }
    throw new HttpError(404);
  };
}

async function main() {
  const handle = routes(await openDatabase());
  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) process.stderr.write(`baseline: ${(err as Error).stack}\n`);
      if (!res.headersSent) send(res, status, { status });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000; // as the service
  const port = Number(process.env.PORT ?? 3001);
  server.listen(port, process.env.HOST ?? '127.0.0.1');
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`baseline failed to start: ${(err as Error).stack}\n`);
  process.exit(1);
});
