// The benchmark: seeds a database, starts the service (production build, production mode) and
// the baseline (bench/baseline.ts) on it, drives both with autocannon alternately (A/B/A/B, so
// drift hits both), and prints one table with the ratio service/baseline per workload, plus cold
// start, list latency against data size, realistic users on both engines and memory over a
// sustained run. Writes the same to bench/results/latest.json.
//
//   npx tsx bench/run.ts [--quick] [--engine pg|pglite] [--connections 100] [--stress 500]
//                        [--workloads list,deep,get,create,patch,mixed] [--rls on|off|both] …
//   (npx tsx bench/run.ts --help lists every option)

import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import ts from 'typescript';
import { bout, generator, merge, realisticUsers, type LoadContext, type LoadName, type RawBout, type RealisticResult } from './drive';
import { parseOptions, type DataProfile, type Engine, type Options, type WorkloadName } from './options';
import { buildOther, type OtherBuild } from './against';
import { rssTrend, type RssTrend } from './memory';
import { rssMb, startCommand, startNode, type Target } from './procs';
import { formatSummary, summarize, type ProfileSummary } from './profile';
import {
  BASELINE, compare, formatRealistic, formatTable, formatTargets, SERVICE, SERVICE_NO_RLS, type Comparison, type Target as Goal,
} from './report';
import { dropTarget, seed, type Fixtures, type SeedTarget } from './seed';

const ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(ROOT, 'bench', 'results');
const SERVER = path.join(ROOT, 'dist', 'src', 'server.js');
// Outside the repository (so no linter ever sees it); it finds its packages through NODE_PATH.
const BASELINE_JS = path.join(os.tmpdir(), `task-api-bench-baseline-${process.pid}.js`);
const PROFILES = path.join(RESULTS, 'profiles');

const say = (line = '') => process.stdout.write(`${line}\n`);
const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------- set-up

/** `npm run build` when asked (always), or only what is out of date (auto, as `npm start` does). */
function ensureBuild(mode: Options['build']): number | null {
  if (mode === 'never') return null;
  const started = performance.now();
  try {
    execFileSync(process.execPath, ['scripts/build.mjs', ...(mode === 'auto' ? ['--if-stale'] : [])], { cwd: ROOT, stdio: 'pipe' });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`the build failed:\n${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`);
  }
  return seconds(started);
}

/** The baseline runs as plain JavaScript, like the service's dist/: one file, transpiled. */
function buildBaseline() {
  const source = fs.readFileSync(path.join(__dirname, 'baseline.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  fs.writeFileSync(BASELINE_JS, outputText);
}

async function mintTokens(secret: string, userIds: Iterable<string>): Promise<Map<string, string>> {
  const key = new TextEncoder().encode(secret);
  const tokens = new Map<string, string>();
  for (const userId of userIds) {
    tokens.set(userId, await new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(userId).setIssuedAt().setExpirationTime('3h').sign(key));
  }
  return tokens;
}

function usersOf(f: Fixtures): string[] {
  return [...f.typical.map((u) => u.userId), ...f.heavy.map((u) => u.userId), f.oneK.userId, f.largest.userId];
}

function gitInfo() {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'migrations', 'openapi.yaml'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return { commit, dirty };
  } catch {
    return { commit: 'unknown', dirty: true };
  }
}

// ---------------------------------------------------------------------------------- processes

interface Launch {
  secret: string;
  logLevel: string;
  pool: number;
  cpuProf: boolean;
}

function databaseEnv(target: SeedTarget, dataDir?: string): Record<string, string> {
  return target.engine === 'pg'
    ? { DATABASE_URL: target.databaseUrl!, DATABASE_SCHEMA: target.schema! }
    : { DATA_DIR: dataDir ?? target.dataDir! };
}

// The service as `npm start` runs it (its Node flags included), from package.json.
const START = startCommand(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start);
const START_ARGS = [...START.nodeFlags, SERVER];

/** `npm start` without its build step, production mode. */
async function startService(
  label: string,
  target: SeedTarget,
  launch: Launch,
  opts: { rls: 'auto' | 'off'; dataDir?: string; profileName?: string; workers?: number; args?: string[] },
) {
  const command = opts.args ?? START_ARGS;
  const args = launch.cpuProf && opts.profileName
    ? ['--cpu-prof', `--cpu-prof-dir=${PROFILES}`, `--cpu-prof-name=${opts.profileName}.cpuprofile`, ...command]
    : command;
  const service = await startNode(label, args, {
    NODE_ENV: 'production',
    JWT_SECRET: launch.secret,
    LOG_LEVEL: launch.logLevel,
    DB_POOL_MAX: String(launch.pool),
    DB_ROW_LEVEL_SECURITY: opts.rls,
    WEB_CONCURRENCY: String(opts.workers ?? 1),
    ...databaseEnv(target, opts.dataDir),
  });
  // At LOG_LEVEL warn or below the service says so when auto mode found Row Level Security unavailable.
  const rlsOn = opts.rls === 'auto' && !service.output().includes('rls_unavailable');
  return Object.assign(service, { rlsOn });
}

async function startBaseline(target: SeedTarget, launch: Launch, dataDir?: string): Promise<Target> {
  const env: Record<string, string> = { JWT_SECRET: launch.secret, DB_POOL_MAX: String(launch.pool), NODE_PATH: path.join(ROOT, 'node_modules') };
  if (target.engine === 'pg') Object.assign(env, { DATABASE_URL: target.databaseUrl!, DATABASE_SCHEMA: target.schema! });
  else env.PGLITE_DIR = path.join(dataDir ?? target.dataDir!, 'pglite');
  // The same Node flags as the service: the floor is the plain stack on the same runtime settings.
  return startNode(BASELINE, [...START.nodeFlags, BASELINE_JS], env);
}

// ---------------------------------------------------------------------------------- checks

const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : value && typeof value === 'object'
      ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]))
      : value;

/**
 * Before any load: the first request of each workload gets the same status (and, for reads, the
 * same JSON) from the service and the baseline, so the floor does the same work.
 */
async function equivalence(service: Target, baseline: Target, ctx: LoadContext, workloads: WorkloadName[]): Promise<string[]> {
  const problems: string[] = [];
  for (const load of ['list', 'deep', 'get', 'create', 'patch'] as const) {
    if (!workloads.includes(load) && !(workloads.includes('mixed') && load !== 'deep')) continue;
    const spec = generator(load, ctx)();
    const answers = [];
    for (const target of [service, baseline]) {
      const res = await fetch(`${target.url}${spec.path}`, { method: spec.method, headers: spec.headers, body: spec.body });
      answers.push({ status: res.status, link: res.headers.has('link'), body: canonical(await res.json()) });
    }
    const [s, b] = answers;
    if (s.status !== b.status) problems.push(`${load}: service ${s.status}, baseline ${b.status}`);
    else if (s.status >= 300) problems.push(`${load}: both answered ${s.status}`);
    else if (load === 'create' || load === 'patch') {
      const keys = (x: unknown) => Object.keys(x as object).join(',');
      if (keys(s.body) !== keys(b.body)) problems.push(`${load}: fields differ (${keys(s.body)} vs ${keys(b.body)})`);
    } else {
      if (JSON.stringify(s.body) !== JSON.stringify(b.body)) problems.push(`${load}: the service and the baseline answered different JSON`);
      if (s.link !== b.link) problems.push(`${load}: Link header on ${s.link ? 'service' : 'baseline'} only`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------- passes

interface Run {
  options: Options;
  ctx: LoadContext;
}

/** A/B/A/B: each round runs every target once, in the same order, for one workload. */
async function abRounds(run: Run, targets: Target[], load: LoadName, connections: number, boutSeconds: number, rounds: number) {
  const raw = new Map<string, RawBout[]>(targets.map((t) => [t.label, []]));
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) {
      raw.get(target.label)!.push(await bout(target, generator(load, run.ctx), connections, boutSeconds));
      await sleep(100); // let sockets close between bouts
    }
  }
  return Object.fromEntries([...raw].map(([label, bouts]) => [label, merge(bouts)]));
}

function progress(c: Comparison) {
  const parts = Object.entries(c.rows).map(([label, s]) => `${label} ${s.rps.toFixed(0)} req/s p99 ${s.p99.toFixed(1)} ms`);
  const ratio = c.ratios[SERVICE_NO_RLS] ?? c.ratios[SERVICE]; // the default configuration's
  say(`  ${c.workload} @${c.connections}: ${parts.join(' | ')}${ratio ? `  → ratio ${ratio.rps} (p99 ${ratio.p99})` : ''}`);
}

function realisticUsersOf(f: Fixtures, tokens: Map<string, string>) {
  return f.typical.slice(0, 100).map((u) => ({ userId: u.userId, token: tokens.get(u.userId)!, taskIds: u.taskIds }));
}

// ---------------------------------------------------------------------------------- main

async function main() {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    say((err as Error).message);
    process.exit(2);
  }
  const started = performance.now();
  const loadStart = os.loadavg();
  fs.mkdirSync(RESULTS, { recursive: true });
  if (options.cpuProf) fs.rmSync(PROFILES, { recursive: true, force: true });
  const buildSeconds = ensureBuild(options.build);
  buildBaseline();
  let otherBuild: OtherBuild | undefined;
  if (options.against) {
    try {
      otherBuild = buildOther(ROOT, options.against, say);
    } catch (err) {
      say((err as Error).message);
      process.exit(2);
    }
    process.once('exit', () => otherBuild!.remove());
  }
  process.once('exit', () => fs.rmSync(BASELINE_JS, { force: true }));

  const stamp = `${Date.now().toString(36)}_${process.pid}`;
  const launch: Launch = { secret: crypto.randomBytes(48).toString('base64url'), logLevel: options.logLevel, pool: options.pool, cpuProf: options.cpuProf };
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    while (cleanups.length > 0) await cleanups.pop()!().catch((err) => console.error(`clean-up: ${(err as Error).message}`));
  };
  process.once('SIGINT', () => {
    say('\ninterrupted: stopping processes and dropping the seeded data…');
    void cleanUp().finally(() => process.exit(130));
  });
  const seedTarget = (engine: Engine, name: string): SeedTarget =>
    engine === 'pg'
      ? { engine, databaseUrl: options.databaseUrl, schema: `bench_${name}_${stamp}` }
      : { engine, dataDir: path.join(os.tmpdir(), `task-api-bench-${name}-${stamp}`) };
  const seeded = async (target: SeedTarget, profile: DataProfile) => {
    if (!options.keep) cleanups.push(() => dropTarget(target));
    const t = performance.now();
    const fixtures = await seed(target, profile);
    const where = target.engine === 'pg' ? `schema ${target.schema}` : target.dataDir;
    say(`seeded ${target.engine}: ${fixtures.users} users, ${fixtures.tasks} tasks in ${seconds(t)} s (${where}; largest user ${fixtures.largest.count} tasks, typical ${fixtures.typical[fixtures.typical.length >> 1]?.count ?? '-'})`);
    return fixtures;
  };
  const track = <T extends Target>(t: T): T => {
    cleanups.push(() => t.stop());
    return t;
  };

  const engine = options.engine;
  const other: Engine = engine === 'pg' ? 'pglite' : 'pg';
  const result: Record<string, unknown> = {};
  const coldStart: Record<string, number[]> = { pg: [], pglite: [] };
  const realistic: Record<string, RealisticResult> = {};
  const comparisons: Comparison[] = [];

  try {
    say(`task-api benchmark: ${options.quick ? 'quick' : 'full'} run on ${engine}, ${options.connections} connections` +
      `${options.stress ? `, stress ${options.stress}` : ''}; ${os.cpus().length} CPUs, load average ${loadStart.map((l) => l.toFixed(1)).join(' ')}`);

    // --- main engine: seed, start, check -------------------------------------------------
    const main = seedTarget(engine, 'main');
    const fixtures = await seeded(main, options.data[engine]);
    const tokens = await mintTokens(launch.secret, usersOf(fixtures));
    const ctx: LoadContext = { fixtures, tokens };
    const run: Run = { options, ctx };

    // PGlite is one process's embedded database: each process gets its own copy of the seeded files.
    const copy = (name: string) => {
      if (engine !== 'pglite') return undefined;
      const dir = `${main.dataDir}-${name}`;
      fs.cpSync(main.dataDir!, dir, { recursive: true });
      if (!options.keep) cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
      return dir;
    };

    const targets: Target[] = [];
    let service: (Target & { rlsOn: boolean }) | undefined;
    if (options.rls !== 'off') {
      service = track(await startService(SERVICE, main, launch, { rls: 'auto', dataDir: copy('service'), profileName: 'service' }));
      coldStart[engine].push(service.readyMs);
      targets.push(service);
    }
    const baseline = track(await startBaseline(main, launch, copy('baseline')));
    targets.push(baseline);
    if (options.rls !== 'on') {
      const noRls = track(await startService(SERVICE_NO_RLS, main, launch, { rls: 'off', dataDir: copy('service-norls'), profileName: 'service-rls-off' }));
      targets.push(noRls);
    }
    if (otherBuild) {
      const before = track(await startService(otherBuild.label, main, launch, { rls: 'off', dataDir: copy('service-against'), args: otherBuild.args }));
      targets.push(before);
    }
    // The targets are judged on the configuration that ships (RLS off by default); the RLS row shows its cost.
    const primary = targets.find((t) => t.label === SERVICE_NO_RLS) ?? service!;
    say(`started: ${targets.map((t) => `${t.label} (pid ${t.pid}, ready in ${Math.round(t.readyMs)} ms)`).join(', ')}` +
      `${service ? `; Row Level Security ${service.rlsOn ? 'on' : 'UNAVAILABLE (off)'} in the service` : ''}`);

    const problems = await equivalence(primary, baseline, ctx, options.workloads);
    for (const p of problems) say(`  ! equivalence: ${p}`);
    if (problems.length === 0) say('equivalence: service and baseline give the same first answers (same JSON for reads, same status and fields for writes)');
    result.equivalence = problems;

    // --- warm-up: every workload of the main pass, on every process ----------------------------
    // The service has far more code to compile than the baseline: warmed on one workload only,
    // the first bouts of the others measured it half-compiled (quick run: list at 1 900 µs of CPU
    // per request in its first bout, 780 µs a minute later).
    for (const target of targets) {
      for (const load of options.workloads) await bout(target, generator(load, ctx), options.connections, options.timing.warmup);
    }
    const idleRss = Object.fromEntries(targets.map((t) => [t.label, Math.round(rssMb(t.pid))]));

    // --- main pass: every workload, A/B/A/B ---------------------------------------------------
    say(`\nmain pass: ${options.timing.rounds} round(s) × ${options.timing.bout} s per target and workload`);
    for (const load of options.workloads) {
      const rows = await abRounds(run, targets, load, options.connections, options.timing.bout, options.timing.rounds);
      const c = compare('main', load, options.connections, rows);
      comparisons.push(c);
      progress(c);
    }

    // --- sustained run: memory before and after ------------------------------------------------
    // Straight after the main pass, at its connections: after the 500-connection stress pass the
    // heap kept the size that pass gave it and took ~50 s of this load to shed it (RSS climbing
    // 384 -> 419 MB, then one major collection down to 256 MB, flat for the next 70 s), so a
    // minute measured there saw the stress pass's aftermath, not this load's.
    say(`\nsustained: mixed workload on the ${primary.label} for ${options.timing.sustained} s`);
    await sleep(1000);
    const rssBefore = rssMb(primary.pid);
    const sustainedBout = await bout(primary, generator('mixed', ctx), options.connections, options.timing.sustained);
    await sleep(2000);
    const rssAfter = rssMb(primary.pid);
    const sustainedStats = merge([sustainedBout]);
    const trend = rssTrend(sustainedBout.rssSamplesMb);
    result.sustained = {
      seconds: options.timing.sustained,
      connections: options.connections,
      rssBeforeMb: Math.round(rssBefore),
      rssPeakMb: Math.round(sustainedBout.peakRssMb),
      rssAfterMb: Math.round(rssAfter),
      beforeAfterPct: Math.round((1000 * (rssAfter - rssBefore)) / rssBefore) / 10,
      trend,
      stats: sustainedStats,
    };
    say(`  RSS ${Math.round(rssBefore)} MB before, ${Math.round(sustainedBout.peakRssMb)} MB peak, ${Math.round(rssAfter)} MB after; ` +
      `median ${trend?.firstMb} MB in the first quarter of the run, ${trend?.lastMb} MB in the last; ` +
      `${sustainedStats.rps} req/s, p99 ${sustainedStats.p99} ms, errors ${sustainedStats.errors}, non2xx ${sustainedStats.non2xx}`);

    // --- stress pass ---------------------------------------------------------------------------
    if (options.stress > 0 && options.stressWorkloads.length > 0) {
      say(`\nstress pass: ${options.stress} connections, ${options.timing.stressBout} s per target`);
      const stressTargets = targets.filter((t) => t === primary || t === baseline);
      for (const load of options.stressWorkloads) {
        const c = compare('stress', load, options.stress, await abRounds(run, stressTargets, load, options.stress, options.timing.stressBout, 1));
        comparisons.push(c);
        progress(c);
      }
    }

    // --- scale: a user with 1 000 tasks vs the largest user (and, on PostgreSQL, a 1 000-task table) --
    say(`\nscale: list first page by user size${engine === 'pg' && !options.quick ? ' and table size (after the realistic users)' : ''}`);
    const scaleTargets = [primary, baseline];
    for (const [load, note] of [
      ['list-1k', `user with ${fixtures.oneK.count} tasks, table of ${fixtures.tasks}`],
      ['list-largest', `user with ${fixtures.largest.count} tasks, table of ${fixtures.tasks}`],
    ] as const) {
      const c = compare('scale', load, options.connections, await abRounds(run, scaleTargets, load, options.connections, options.timing.scaleBout, 1), note);
      comparisons.push(c);
      progress(c);
    }

    // --- realistic users on the main engine ------------------------------------------------------
    say(`\nrealistic users on ${engine}: 100 users, 1 s think time, ${options.timing.realistic} s`);
    realistic[engine] = await realisticUsers(primary.url, realisticUsersOf(fixtures, tokens), options.timing.realistic);
    say(formatRealistic(engine, realistic[engine]));

    // --- more cold starts on the main engine ------------------------------------------------------
    for (const t of targets) await t.stop();
    while (coldStart[engine].length < options.timing.coldStarts) {
      const dataDir = engine === 'pglite' ? (fs.existsSync(`${main.dataDir}-service`) ? `${main.dataDir}-service` : copy('service')) : undefined;
      const again = await startService(SERVICE, main, launch, { rls: 'auto', dataDir });
      coldStart[engine].push(again.readyMs);
      await again.stop();
    }

    // --- scale out: WEB_CONCURRENCY=1 vs 2 on this machine (PostgreSQL; PGlite is one process) ---
    if (engine === 'pg' && options.workersPass) {
      say(`\nworkers: the service (RLS off) with WEB_CONCURRENCY=1 and 2, each worker with a pool of ${options.pool}`);
      const one = track(await startService('1 worker', main, launch, { rls: 'off' }));
      const two = track(await startService('2 workers', main, launch, { rls: 'off', workers: 2 }));
      await sleep(2000); // /ready answers once the first worker listens; let the second start too
      for (const t of [one, two]) await bout(t, generator('mixed', ctx), options.connections, options.timing.warmup);
      const scaleOut: Record<string, Record<string, { rps: number; p50: number; p99: number; errors: number; non2xx: number }>> = {};
      for (const load of ['list', 'get', 'mixed'] as const) {
        const bouts: Record<string, RawBout[]> = { [one.label]: [], [two.label]: [] };
        for (let round = 0; round < options.timing.rounds; round++) {
          for (const t of [one, two]) bouts[t.label].push(await bout(t, generator(load, ctx), options.connections, options.timing.bout));
        }
        scaleOut[load] = {};
        for (const t of [one, two]) {
          const m = merge(bouts[t.label]);
          scaleOut[load][t.label] = { rps: m.rps, p50: m.p50, p99: m.p99, errors: m.errors, non2xx: m.non2xx };
        }
        const [a, b] = [scaleOut[load][one.label], scaleOut[load][two.label]];
        say(`  ${load.padEnd(6)} 1 worker ${a.rps} req/s (p99 ${a.p99} ms), 2 workers ${b.rps} req/s (p99 ${b.p99} ms): ` +
          `×${(b.rps / a.rps).toFixed(2)}; errors ${a.errors + b.errors}, non-2xx ${a.non2xx + b.non2xx}`);
      }
      result.workers = scaleOut;
      await one.stop();
      await two.stop();
    }

    // --- a table of 1 000 tasks (PostgreSQL: the same list query against a small table) ----------
    if (engine === 'pg' && !options.quick) {
      const tiny = seedTarget('pg', 'tiny');
      const tinyFixtures = await seeded(tiny, { users: 1, tasks: 1000, heavy: [], oneK: 1000 });
      const tinyCtx: LoadContext = { fixtures: tinyFixtures, tokens: await mintTokens(launch.secret, [tinyFixtures.oneK.userId]) };
      // The configuration judged in the main table, so the two tables' rows compare.
      const tinyService = track(await startService(primary.label, tiny, launch, { rls: primary.label === SERVICE_NO_RLS ? 'off' : 'auto' }));
      const tinyBaseline = track(await startBaseline(tiny, launch));
      const rows = await abRounds({ options, ctx: tinyCtx }, [tinyService, tinyBaseline], 'list-1k', options.connections, options.timing.scaleBout, 1);
      const c = compare('scale', 'list-small-table', options.connections, rows, 'user with 1000 tasks, table of 1000');
      comparisons.splice(comparisons.findIndex((x) => x.workload === 'list-1k'), 0, c);
      progress(c);
      await tinyService.stop();
      await tinyBaseline.stop();
    }

    // --- the other engine: cold start and realistic users -------------------------------------------
    if (options.secondaryEngine) {
      say(`\n${other}: cold start and realistic users`);
      try {
        const second = seedTarget(other, 'second');
        const secondFixtures = await seeded(second, options.data.pglite); // the smaller profile either way
        const secondTokens = await mintTokens(launch.secret, usersOf(secondFixtures));
        let secondService: Target | undefined;
        for (let i = 0; i < options.timing.coldStarts; i++) {
          await secondService?.stop();
          secondService = track(await startService(SERVICE, second, launch, { rls: 'auto' }));
          coldStart[other].push(secondService.readyMs);
        }
        // A just-started process is still compiling (PGlite's WebAssembly too): warm it up first.
        await bout(secondService!, generator('mixed', { fixtures: secondFixtures, tokens: secondTokens }), 10, Math.max(3, options.timing.warmup));
        realistic[other] = await realisticUsers(secondService!.url, realisticUsersOf(secondFixtures, secondTokens), options.timing.realistic);
        say(formatRealistic(other, realistic[other]));
        await secondService!.stop();
      } catch (err) {
        say(`  skipped: ${(err as Error).message.split('\n')[0]}`);
      }
    }

    // --- report -------------------------------------------------------------------------------------
    let profiles: ProfileSummary[] = [];
    if (options.cpuProf && fs.existsSync(PROFILES)) {
      profiles = fs.readdirSync(PROFILES).filter((f) => f.endsWith('.cpuprofile')).map((f) => summarize(path.join(PROFILES, f), 15));
    }
    const goals = targetsOf(comparisons, realistic, result.sustained as { trend?: RssTrend; seconds: number }, primary.label);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const cold = Object.fromEntries(
      Object.entries(coldStart).filter(([, xs]) => xs.length > 0).map(([e, xs]) => [e, { medianMs: Math.round(median(xs)), samplesMs: xs.map(Math.round) }]),
    );

    say('\n' + '='.repeat(100));
    say(`service vs baseline on ${engine} (${fixtures.users} users, ${fixtures.tasks} tasks seeded in ${fixtures.seconds.total} s; ` +
      `pool ${options.pool}; ratio = service / baseline)`);
    say(formatTable(comparisons));
    say(`\ncold start (${START.command} to /ready 200, build excluded): ` +
      Object.entries(cold).map(([e, c]) => `${e} ${c.medianMs} ms (samples ${c.samplesMs.join(', ')})`).join('; '));
    say('realistic users (p95 target < 200 ms):');
    for (const [e, r] of Object.entries(realistic)) say(formatRealistic(e, r));
    const s = result.sustained as { rssBeforeMb: number; rssPeakMb: number; rssAfterMb: number; beforeAfterPct: number; trend?: RssTrend; seconds: number };
    const signed = (pct: number | undefined) => `${(pct ?? 0) > 0 ? '+' : ''}${pct} %`;
    say(`memory over ${s.seconds} s sustained: RSS ${s.rssBeforeMb} MB → ${s.rssAfterMb} MB idle before and after (${signed(s.beforeAfterPct)}), ` +
      `median ${s.trend?.firstMb} → ${s.trend?.lastMb} MB from the first to the last quarter of the run (${signed(s.trend?.growthPct)}), peak ${s.rssPeakMb} MB; idle after warm-up: ` +
      Object.entries(idleRss).map(([l, mb]) => `${l} ${mb} MB`).join(', '));
    say(`targets (${primary.label}, the default configuration; ✓ met, ✗ not met, · not judged):`);
    say(formatTargets(goals));
    for (const p of profiles) say(`\n${formatSummary(p)}`);
    const loadEnd = os.loadavg();
    say(`\nload average ${loadStart.map((l) => l.toFixed(1)).join(' ')} at start, ${loadEnd.map((l) => l.toFixed(1)).join(' ')} at end; ` +
      `absolute numbers move with the machine, ratios measured in one run much less. Total ${seconds(started)} s.`);

    const report = {
      meta: {
        date: new Date().toISOString(),
        git: gitInfo(),
        against: otherBuild ? { ref: options.against, commit: otherBuild.commit } : undefined,
        node: process.version,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        loadavg: { start: loadStart, end: loadEnd },
        totalSeconds: seconds(started),
        buildSeconds,
        options,
      },
      data: { engine, users: fixtures.users, tasks: fixtures.tasks, largestUserTasks: fixtures.largest.count, seedSeconds: fixtures.seconds },
      rowLevelSecurity: service ? service.rlsOn : false,
      ...result,
      table: comparisons,
      coldStart: cold,
      realisticUsers: realistic,
      idleRssMb: idleRss,
      targets: goals,
      profiles,
    };
    const json = JSON.stringify(report, null, 2);
    fs.writeFileSync(path.join(RESULTS, 'latest.json'), json);
    fs.writeFileSync(path.join(RESULTS, `${report.meta.date.replace(/[:.]/g, '-')}-${engine}${options.quick ? '-quick' : ''}.json`), json);
    say(`wrote bench/results/latest.json`);
  } finally {
    await cleanUp();
  }
}

/** The performance issue's targets, evaluated on this run. */
function targetsOf(
  comparisons: Comparison[],
  realistic: Record<string, RealisticResult>,
  sustained: { trend?: RssTrend; seconds: number },
  label: string,
): Goal[] {
  const goals: Goal[] = [];
  const at = (pass: string, workload: string) => comparisons.find((c) => c.pass === pass && c.workload === workload);
  const serviceRows = comparisons.filter((c) => c.pass !== 'scale' && c.rows[label]);
  const bad = serviceRows.filter((c) => c.rows[label].errors + c.rows[label].non2xx + c.rows[label].timeouts > 0);
  goals.push({
    name: 'no errors, non-2xx or timeouts (every workload, 100 and stress connections)',
    value: bad.length === 0 ? 'none' : bad.map((c) => `${c.workload}@${c.connections}: ${c.rows[label].errors} errors, ${c.rows[label].non2xx} non2xx, ${c.rows[label].timeouts} timeouts`).join('; '),
    limit: 'none',
    ok: bad.length === 0,
  });
  for (const c of serviceRows) {
    const ratio = c.ratios[label];
    if (!ratio) continue;
    const floor = c.workload === 'create' || c.workload === 'patch' ? 0.8 : c.workload === 'mixed' ? null : 0.7;
    if (floor !== null) goals.push({ name: `throughput ratio ${c.workload}@${c.connections}`, value: ratio.rps.toFixed(2), limit: `≥ ${floor}`, ok: ratio.rps >= floor });
    goals.push({ name: `p99 ratio ${c.workload}@${c.connections}`, value: ratio.p99.toFixed(2), limit: '≤ 1.5', ok: ratio.p99 <= 1.5 });
  }
  for (const [engine, r] of Object.entries(realistic)) {
    goals.push({ name: `realistic users p95 on ${engine}`, value: `${r.p95.toFixed(1)} ms`, limit: '< 200 ms', ok: r.p95 < 200 && r.errors === 0 && r.non2xx === 0 });
  }
  const list = at('main', 'list')?.rows[label];
  const deep = at('main', 'deep')?.rows[label];
  if (list && deep) goals.push({ name: 'deep page p50 / first page p50', value: (deep.p50 / list.p50).toFixed(2), limit: '≤ 1.5', ok: deep.p50 / list.p50 <= 1.5 });
  const small = at('scale', 'list-1k')?.rows[label];
  const large = at('scale', 'list-largest')?.rows[label];
  if (small && large) {
    goals.push({ name: 'list p50, largest user / user with 1 000 tasks (flat)', value: (large.p50 / small.p50).toFixed(2), limit: '≤ 1.5', ok: large.p50 / small.p50 <= 1.5 });
  }
  const smallTable = at('scale', 'list-small-table')?.rows[label];
  if (small && smallTable) {
    goals.push({
      name: 'list p50 of the user with 1 000 tasks, full table / a table of only those 1 000 (flat)',
      value: (small.p50 / smallTable.p50).toFixed(2),
      limit: '≤ 1.5',
      ok: small.p50 / smallTable.p50 <= 1.5,
    });
  }
  // A few seconds of load mostly show the heap growing to its working size: judged from 30 s on.
  // The trend under load, not two idle readings: see memory.ts.
  const growthPct = sustained.trend?.growthPct ?? NaN;
  goals.push({
    name: `RSS growth through the ${sustained.seconds} s sustained run (median, last quarter / first)`,
    value: `${growthPct} %`,
    limit: '≤ 10 % (noise), judged on runs of 30 s or more',
    ok: sustained.seconds >= 30 ? growthPct <= 10 : null,
  });
  return goals;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
