import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { TEST_SECRET } from '../../helpers/tokens';

// The real entry point (src/server.ts) as a child process: what an operator runs, with its own
// start-up (wait for the database, migrate), listen() timeouts and signal handling. Its JSON log
// lines are kept so tests can wait for events (`db.unavailable`, `listening`, `shutdown`...).
//
// Every child started here is killed (SIGKILL) after the test file, even when a test fails, and
// when the jest worker exits.

const ROOT = path.resolve(__dirname, '../../..');
const SERVER = path.join(ROOT, 'src/server.ts');

export interface LogLine {
  level?: number;
  event?: string;
  msg?: string;
  [key: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  child: ChildProcess;
  pid: number;
  /** http://127.0.0.1:<port>, known once the service logged `listening`. */
  url: string;
  port: number;
  /** Parsed JSON log lines so far. */
  logs: LogLine[];
  /** Everything the process printed, for failure messages. */
  output(): string;
  /** Resolves with the first log line (past or future) matching `match`. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number, what?: string): Promise<LogLine>;
  /** Resolves when the process has exited. */
  exited: Promise<Exit>;
  /** The exit, once it happened. */
  exit: Exit | undefined;
  /** Sends a signal (SIGTERM, SIGKILL...). */
  signal(sig: NodeJS.Signals): void;
  /** SIGKILL and wait for the exit (no-op when already gone). */
  kill(): Promise<Exit>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
if (typeof afterAll === 'function') {
  afterAll(async () => {
    await Promise.all(
      [...running].map(
        (child) =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
            setTimeout(resolve, 5000).unref();
          }),
      ),
    );
  });
}

export interface StartOptions {
  /** Added to the base environment (test secret, 127.0.0.1, port 0, info logs). */
  env: Record<string, string>;
  /** Wait until the service logs `listening` (default). `false`: return at once (e.g. database down). */
  waitListening?: boolean;
  /** Bound on the start-up (generous: the machine is shared). */
  timeoutMs?: number;
}

/** The environment every child gets; DATABASE_URL etc. only from `env`, never inherited. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = { ...process.env };
  for (const key of Object.keys(inherited)) {
    if (/^(DATABASE_|DB_|JWT_|HTTP_|AUTH_|PORT$|HOST$|DATA_DIR$|LOG_LEVEL$|NODE_OPTIONS$|SHUTDOWN_|BODY_LIMIT$|TEST_DATABASE_URL$)/.test(key)) {
      delete inherited[key];
    }
  }
  return {
    ...inherited,
    NODE_ENV: 'production', // what runs in production; it also turns off development tokens
    JWT_SECRET: TEST_SECRET,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    BCRYPT_COST: '4',
    // src/server.ts loads .env: point dotenv at nothing, so a developer's .env cannot leak in.
    DOTENV_CONFIG_PATH: path.join(ROOT, 'tests/reliability/helpers/no-such.env'),
    DOTENV_CONFIG_QUIET: 'true',
    ...extra,
  };
}

export async function startService({ env, waitListening = true, timeoutMs = 60_000 }: StartOptions): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);

  const logs: LogLine[] = [];
  const text: string[] = [];
  const waiters: Array<{ match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];
  const onLine = (line: string) => {
    text.push(line);
    if (text.length > 2000) text.splice(0, text.length - 2000);
    if (!line.startsWith('{')) return;
    let parsed: LogLine;
    try {
      parsed = JSON.parse(line);
    } catch {
      return;
    }
    logs.push(parsed);
    for (const w of [...waiters]) {
      if (w.match(parsed)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(parsed);
      }
    }
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      lines.forEach(onLine);
    });
  }

  const self: ServiceProcess = {
    child,
    pid: child.pid!,
    url: '',
    port: 0,
    logs,
    output: () => text.slice(-80).join('\n'),
    exit: undefined,
    exited: new Promise<Exit>((resolve) =>
      child.once('exit', (code, signal) => {
        running.delete(child);
        self.exit = { code, signal };
        resolve(self.exit);
      }),
    ),
    waitForLog(match, ms = 30_000, what = 'a log line') {
      const seen = logs.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise<LogLine>((resolve, reject) => {
        const entry = { match, resolve: (l: LogLine) => (clearTimeout(timer), resolve(l)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(entry), 1);
          reject(new Error(`no ${what} within ${ms} ms; service output:\n${self.output()}`));
        }, ms);
        waiters.push(entry);
        void self.exited.then((exit) => {
          if (!waiters.includes(entry)) return;
          waiters.splice(waiters.indexOf(entry), 1);
          clearTimeout(timer);
          reject(new Error(`the service exited (${JSON.stringify(exit)}) before ${what}; output:\n${self.output()}`));
        });
      });
    },
    signal(sig) {
      if (self.exit === undefined) child.kill(sig);
    },
    async kill() {
      self.signal('SIGKILL');
      return self.exited;
    },
  };

  if (waitListening) await untilListening(self, timeoutMs);
  return self;
}

/** Waits for the `listening` log line and fills in `url` and `port`. */
export async function untilListening(service: ServiceProcess, timeoutMs = 60_000): Promise<void> {
  const line = await service.waitForLog((l) => l.event === 'listening', timeoutMs, 'listening event');
  const port = Number(new URL(String(line.url)).port);
  service.port = port;
  service.url = `http://127.0.0.1:${port}`;
}

/** A bounded fetch: a hang becomes a clear failure instead of a jest timeout. */
export function fetchWithin(url: string, init: RequestInit = {}, ms = 15_000): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(ms) });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`'s value, or `fallback` once `ms` have passed (the timer never outlives the race). */
export async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `probe` until it returns true; false if `ms` elapsed first. */
export async function eventually(probe: () => Promise<boolean>, ms: number, every = 200): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if (await probe()) return true;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) return false;
    await sleep(every);
  }
}
