// Load: the workloads as request generators, autocannon bouts against one target at a time
// (each response's latency recorded, so rounds merge into exact percentiles), and the
// realistic-users profile (people with think time, not a saturating load).

import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { cpuMs, sampleRss, type Target } from './procs';
import type { WorkloadName } from './options';
import type { Fixtures } from './seed';

export interface RequestSpec {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export type Generator = () => RequestSpec;
export type LoadName = WorkloadName | 'list-1k' | 'list-largest';

export interface LoadContext {
  fixtures: Fixtures;
  tokens: Map<string, string>;
}

const PRIORITIES = ['low', 'medium', 'high'];
const json = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

// Each generator's patches carry their own mark (this process's, then a counter), so a patch
// never repeats one of an earlier bout or run on the same data: a repeat would change nothing,
// which the service answers through its no-op path (the baseline writes regardless), and the
// workload is meant to measure writes.
const processMark = randomUUID().slice(0, 8);
let generation = 0;

/** The requests of one workload, in a fixed order (the same sequence for every target, patch titles aside). */
export function generator(load: LoadName, { fixtures, tokens }: LoadContext): Generator {
  const run = `${processMark}.${++generation}`;
  const typical = fixtures.typical;
  const pairs = typical.flatMap((u) => u.taskIds.map((taskId) => ({ userId: u.userId, taskId })));
  const token = (userId: string) => tokens.get(userId)!;
  let i = 0;
  const listOf = (userId: string): RequestSpec => ({ method: 'GET', path: '/tasks?limit=50', headers: bearer(token(userId)) });
  switch (load) {
    case 'list':
      return () => listOf(typical[i++ % typical.length].userId);
    case 'list-1k':
      return () => listOf(fixtures.oneK.userId);
    case 'list-largest':
      return () => listOf(fixtures.largest.userId);
    case 'deep':
      return () => {
        const user = fixtures.heavy[i++ % fixtures.heavy.length];
        return { method: 'GET', path: `/tasks?limit=50&cursor=${user.deepCursor}`, headers: bearer(token(user.userId)) };
      };
    case 'get':
      return () => {
        const { userId, taskId } = pairs[i++ % pairs.length];
        return { method: 'GET', path: `/tasks/${taskId}`, headers: bearer(token(userId)) };
      };
    case 'create':
      return () => {
        const n = i++;
        const userId = typical[n % typical.length].userId;
        const body = { title: `Bench task ${n}`, priority: PRIORITIES[n % 3], due_date: '2027-03-01T12:00:00.000Z' };
        return { method: 'POST', path: '/tasks', headers: json(token(userId)), body: JSON.stringify(body) };
      };
    case 'patch':
      return () => {
        // A different task each time (stride through every fixture task): no lock queue on one row.
        const n = i++;
        const { userId, taskId } = pairs[(n * 7) % pairs.length];
        const body = { title: `Patched ${run}.${n}`, priority: PRIORITIES[n % 3] };
        return { method: 'PATCH', path: `/tasks/${taskId}`, headers: json(token(userId)), body: JSON.stringify(body) };
      };
    case 'mixed': {
      // 70 % list, 20 % get, 10 % writes (half create, half patch), interleaved.
      const list = generator('list', { fixtures, tokens });
      const get = generator('get', { fixtures, tokens });
      const create = generator('create', { fixtures, tokens });
      const patch = generator('patch', { fixtures, tokens });
      return () => {
        const slot = i++ % 20;
        if (slot < 14) return list();
        if (slot < 18) return get();
        return slot === 18 ? create() : patch();
      };
    }
  }
}

/** One bout: what autocannon and /proc saw, with every latency kept for merging. */
export interface RawBout {
  seconds: number;
  /** Every response's latency but each connection's first (see firstLatencies). */
  latencies: number[];
  /**
   * The first response of each connection, kept out of the percentiles. autocannon opens all its
   * connections when a bout starts, and a busy load generator gets the last of them connected
   * over several hundred ms; each first request carries that wait. At 100 connections they are
   * 1–2 % of a bout's responses, so they alone made the p99 (of service and baseline alike).
   */
  firstLatencies: number[];
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  resets: number;
  peakRssMb: number;
  /** The target's RSS every 200 ms through the bout, in MB. */
  rssSamplesMb: number[];
  cpuMs: number;
}

export interface Stats {
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** p99 and max of the connections' first responses (kept out of the percentiles above). */
  firstResponseP99: number;
  firstResponseMax: number;
  errors: number;
  non2xx: number;
  timeouts: number;
  statuses: Record<string, number>;
  peakRssMb: number;
  /** CPU time of the target process per request, in µs (less sensitive to a busy machine than req/s). */
  cpuUsPerRequest: number;
  bouts: number;
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Merges bouts of the same target and workload (A/B rounds) into one row. */
export function merge(bouts: RawBout[]): Stats {
  const sorted = Float64Array.from(bouts.flatMap((b) => b.latencies)).sort();
  const firsts = Float64Array.from(bouts.flatMap((b) => b.firstLatencies)).sort();
  const statuses: Record<string, number> = {};
  for (const b of bouts) for (const [code, n] of Object.entries(b.statuses)) statuses[code] = (statuses[code] ?? 0) + n;
  const requests = sorted.length + firsts.length;
  const seconds = bouts.reduce((a, b) => a + b.seconds, 0);
  const non2xx = Object.entries(statuses).reduce((a, [code, n]) => (code.startsWith('2') ? a : a + n), 0);
  return {
    requests,
    rps: round(requests / seconds, 1),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
    firstResponseP99: round(percentile(firsts, 99)),
    firstResponseMax: round(firsts[firsts.length - 1] ?? NaN),
    errors: bouts.reduce((a, b) => a + b.errors, 0),
    non2xx,
    timeouts: bouts.reduce((a, b) => a + b.timeouts, 0),
    statuses,
    peakRssMb: round(Math.max(...bouts.map((b) => b.peakRssMb)), 1),
    cpuUsPerRequest: round((bouts.reduce((a, b) => a + b.cpuMs, 0) * 1000) / Math.max(1, requests), 0),
    bouts: bouts.length,
  };
}

/** Drives `target` with `next` at `connections` for `seconds`. */
export async function bout(target: Target, next: Generator, connections: number, seconds: number): Promise<RawBout> {
  const latencies: number[] = [];
  const firstLatencies: number[] = [];
  const answered = new Set<unknown>();
  const statuses: Record<string, number> = {};
  const rss = sampleRss([target.pid]);
  const cpuBefore = cpuMs(target.pid);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        connections,
        duration: seconds,
        timeout: 10,
        requests: [{ setupRequest: (request) => ({ ...request, ...next() }) }],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (client, statusCode, _bytes, ms) => {
      if (answered.has(client)) latencies.push(ms);
      else {
        answered.add(client);
        firstLatencies.push(ms);
      }
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
  });
  const cpu = cpuMs(target.pid) - cpuBefore;
  const memory = rss.stop();
  return {
    seconds: result.duration,
    latencies,
    firstLatencies,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    resets: result.resets,
    peakRssMb: memory.peak.get(target.pid) ?? NaN,
    rssSamplesMb: memory.samples.get(target.pid) ?? [],
    cpuMs: cpu,
  };
}

export interface RealisticResult {
  users: number;
  seconds: number;
  thinkMs: number;
  requests: number;
  errors: number;
  non2xx: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  byOperation: Record<string, { requests: number; p50: number; p95: number; p99: number }>;
}

/**
 * People using the API: each user lists their tasks, reads one, patches it, creates one, and
 * again, with `thinkMs` between requests; starts are spread over the first think time.
 */
export async function realisticUsers(
  url: string,
  users: { userId: string; token: string; taskIds: string[] }[],
  seconds: number,
  thinkMs = 1000,
): Promise<RealisticResult> {
  const latencies: Record<string, number[]> = { list: [], get: [], patch: [], create: [] };
  let errors = 0;
  let non2xx = 0;
  const deadline = performance.now() + seconds * 1000;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  async function timed(op: string, path: string, init: RequestInit) {
    const started = performance.now();
    try {
      const res = await fetch(`${url}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      latencies[op].push(performance.now() - started);
      if (res.status < 200 || res.status >= 300) non2xx++;
    } catch {
      errors++;
    }
  }

  async function person(user: (typeof users)[number], index: number) {
    await sleep((index / users.length) * thinkMs);
    const auth = { authorization: `Bearer ${user.token}` };
    const write = { ...auth, 'content-type': 'application/json' };
    for (let n = 0; performance.now() < deadline; n++) {
      const taskId = user.taskIds[n % user.taskIds.length];
      const steps: [string, string, RequestInit][] = [
        ['list', '/tasks?limit=50', { headers: auth }],
        ['get', `/tasks/${taskId}`, { headers: auth }],
        ['patch', `/tasks/${taskId}`, { method: 'PATCH', headers: write, body: JSON.stringify({ title: `Edited ${n}` }) }],
        ['create', '/tasks', { method: 'POST', headers: write, body: JSON.stringify({ title: `Realistic ${n}`, priority: 'high' }) }],
      ];
      for (const [op, path, init] of steps) {
        if (performance.now() >= deadline) return;
        await timed(op, path, init);
        await sleep(thinkMs);
      }
    }
  }

  await Promise.all(users.map((user, index) => person(user, index)));
  const all = Float64Array.from(Object.values(latencies).flat()).sort();
  const byOperation = Object.fromEntries(
    Object.entries(latencies).map(([op, values]) => {
      const sorted = Float64Array.from(values).sort();
      return [op, { requests: sorted.length, p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), p99: round(percentile(sorted, 99)) }];
    }),
  );
  return {
    users: users.length,
    seconds,
    thinkMs,
    requests: all.length,
    errors,
    non2xx,
    p50: round(percentile(all, 50)),
    p95: round(percentile(all, 95)),
    p99: round(percentile(all, 99)),
    max: round(all[all.length - 1] ?? NaN),
    byOperation,
  };
}
