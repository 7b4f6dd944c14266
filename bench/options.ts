// Command-line options and the data/timing profiles of a benchmark run.

export const WORKLOADS = ['list', 'deep', 'get', 'create', 'patch', 'mixed'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];
export type Engine = 'pg' | 'pglite';

/** How much data a database gets. */
export interface DataProfile {
  users: number;
  tasks: number;
  /** Task counts of the heaviest users (the first user ids); the largest comes first. */
  heavy: number[];
  /** One user with exactly this many tasks (the "1 000 tasks" point of the scale check). */
  oneK: number;
}

/** How long each measurement lasts, in seconds. */
export interface Timing {
  /** One bout: one target under one workload. */
  bout: number;
  /** A/B rounds per workload (each round: service, baseline[, service without RLS]). */
  rounds: number;
  /** Warm-up of each process on each workload of the main pass, before the first measured bout. */
  warmup: number;
  stressBout: number;
  scaleBout: number;
  realistic: number;
  sustained: number;
  coldStarts: number;
}

export interface Options {
  quick: boolean;
  engine: Engine;
  connections: number;
  /** Connections of the stress pass; 0 skips it. */
  stress: number;
  workloads: WorkloadName[];
  /** Workloads of the stress pass. */
  stressWorkloads: WorkloadName[];
  /** The service with Row Level Security on (default), off, or both as separate rows. */
  rls: 'on' | 'off' | 'both';
  databaseUrl: string;
  /** Pool size of the service and the baseline (DB_POOL_MAX). */
  pool: number;
  build: 'auto' | 'always' | 'never';
  /** Runs the service with --cpu-prof; profiles land in bench/results/profiles/. */
  cpuProf: boolean;
  /** LOG_LEVEL of the service (warn: no per-request log lines, as the baseline writes none). */
  logLevel: string;
  /** Keeps the seeded schema / data directories instead of dropping them at the end. */
  keep: boolean;
  /** Skips the other engine's cold start and realistic-users profile. */
  secondaryEngine: boolean;
  /** PostgreSQL: the service with WEB_CONCURRENCY=1 vs 2. */
  workersPass: boolean;
  /** Another commit of the service (RLS off), run as one more row: a change's before/after in one run. */
  against?: string;
  data: Record<Engine, DataProfile>;
  timing: Timing;
}

const FULL_DATA: Record<Engine, DataProfile> = {
  pg: { users: 10_000, tasks: 1_000_000, heavy: [50_000, 30_000, 20_000, 15_000, 10_000], oneK: 1_000 },
  pglite: { users: 1_000, tasks: 100_000, heavy: [12_000, 10_000], oneK: 1_000 },
};
const QUICK_DATA: Record<Engine, DataProfile> = {
  pg: { users: 1_000, tasks: 100_000, heavy: [12_000, 10_000], oneK: 1_000 },
  pglite: { users: 300, tasks: 40_000, heavy: [10_000], oneK: 1_000 },
};
const FULL_TIMING: Timing = { bout: 6, rounds: 2, warmup: 1, stressBout: 4, scaleBout: 4, realistic: 20, sustained: 60, coldStarts: 3 };
const QUICK_TIMING: Timing = { bout: 2, rounds: 1, warmup: 0.5, stressBout: 1.5, scaleBout: 1.5, realistic: 5, sustained: 6, coldStarts: 1 };

export const USAGE = `npx tsx bench/run.ts [options]
  --quick                    small data and short bouts (under 2 minutes)
  --engine pg|pglite         engine of the main table (default pg; the other engine still gets
                             cold start and realistic users unless --no-secondary)
  --connections N            concurrent connections of the main pass (default 100)
  --stress N                 connections of the stress pass (default 500; 0 skips it)
  --workloads a,b,...        of ${WORKLOADS.join(',')} (default all)
  --rls on|off|both          the service with Row Level Security on, off, or both rows (default both;
                             quick: off, the default configuration)
  --duration S               seconds per bout (default 6, quick 2)
  --rounds N                 A/B rounds per workload (default 2, quick 1)
  --sustained S              seconds of the sustained run (default 60, quick 6)
  --pool N                   DB_POOL_MAX of service and baseline (default 10)
  --database-url URL         PostgreSQL (default $DATABASE_URL or postgres://postgres@127.0.0.1:5432/test)
  --build auto|always|never  npm run build first (auto: only what is out of date, as npm start does)
  --log-level LEVEL          LOG_LEVEL of the service (default warn; info adds its per-request log line)
  --cpu-prof                 profile the service (bench/results/profiles/*.cpuprofile, summary printed)
  --no-secondary             skip the other engine
  --no-workers               skip the WEB_CONCURRENCY=1 vs 2 pass (PostgreSQL; --quick skips it too)
  --keep                     keep the seeded databases
  --against REF              also run commit REF of the service (RLS off, built in a git worktree) as
                             a row of its own, e.g. --against HEAD~3: a change's before/after side by side`;

function parseList(raw: string): WorkloadName[] {
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!(WORKLOADS as readonly string[]).includes(name)) throw new Error(`unknown workload "${name}" (one of ${WORKLOADS.join(', ')})`);
  }
  return names as WorkloadName[];
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): Options {
  const args = [...argv];
  const flags = new Map<string, string | true>();
  while (args.length > 0) {
    const arg = args.shift()!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"\n${USAGE}`);
    const [name, inline] = arg.slice(2).split('=', 2);
    const boolean = ['quick', 'cpu-prof', 'keep', 'no-secondary', 'no-workers', 'help'].includes(name);
    if (boolean) flags.set(name, true);
    else {
      const value = inline ?? args.shift();
      if (value === undefined) throw new Error(`--${name} needs a value\n${USAGE}`);
      flags.set(name, value);
    }
  }
  if (flags.has('help')) throw new Error(USAGE);
  const known = ['quick', 'engine', 'connections', 'stress', 'workloads', 'rls', 'duration', 'rounds', 'sustained', 'pool',
    'database-url', 'build', 'cpu-prof', 'no-secondary', 'no-workers', 'keep', 'stress-workloads', 'log-level', 'against'];
  for (const name of flags.keys()) if (!known.includes(name)) throw new Error(`unknown option --${name}\n${USAGE}`);

  const str = (name: string) => (typeof flags.get(name) === 'string' ? (flags.get(name) as string) : undefined);
  const num = (name: string, fallback: number) => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number, got "${raw}"`);
    return value;
  };
  const quick = flags.has('quick');
  const engine = (str('engine') ?? 'pg') as Engine;
  if (engine !== 'pg' && engine !== 'pglite') throw new Error(`--engine must be pg or pglite, got "${engine}"`);
  // The quick run measures the default configuration only: the RLS-on row would cost it a fifth
  // of its two minutes (a third process to start, warm and drive through every workload).
  const rls = (str('rls') ?? (quick ? 'off' : 'both')) as Options['rls'];
  if (!['on', 'off', 'both'].includes(rls)) throw new Error(`--rls must be on, off or both, got "${rls}"`);
  const build = (str('build') ?? 'auto') as Options['build'];
  if (!['auto', 'always', 'never'].includes(build)) throw new Error(`--build must be auto, always or never`);
  const base = quick ? QUICK_TIMING : FULL_TIMING;
  const workloads = str('workloads') ? parseList(str('workloads')!) : [...WORKLOADS];
  const timing: Timing = {
    ...base,
    bout: num('duration', base.bout),
    rounds: Math.max(1, Math.round(num('rounds', base.rounds))),
    sustained: num('sustained', base.sustained),
  };
  return {
    quick,
    engine,
    connections: Math.max(1, Math.round(num('connections', 100))),
    stress: Math.round(num('stress', 500)),
    workloads,
    // Quick mode stresses the two workloads that tell the most (reads and the mix); the full run all of them.
    stressWorkloads: str('stress-workloads')
      ? parseList(str('stress-workloads')!)
      : quick
        ? workloads.filter((w) => w === 'list' || w === 'mixed')
        : workloads,
    rls,
    databaseUrl: str('database-url') ?? env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    pool: Math.max(1, Math.round(num('pool', 10))),
    build,
    cpuProf: flags.has('cpu-prof'),
    logLevel: str('log-level') ?? 'warn',
    keep: flags.has('keep'),
    secondaryEngine: !flags.has('no-secondary'),
    // The quick run skips it: the scale-out figure comes from a full run, and it would take a sixth of the quick run's two minutes.
    workersPass: !flags.has('no-workers') && !quick,
    against: str('against'),
    data: quick ? QUICK_DATA : FULL_DATA,
    timing,
  };
}
