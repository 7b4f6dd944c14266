import cluster, { type Worker } from 'node:cluster';
import type { Config } from './core/config';
import type { ServiceLogger } from './core/log';

// WEB_CONCURRENCY > 1: this process (the primary) only supervises. It forks the workers at once
// (each takes the shared port and answers /health while it waits), prepares the database, then
// tells every worker — and every replacement later — that the database is ready, whereupon each
// serves. It replaces a worker that dies, and on SIGTERM/SIGINT passes the signal on and waits for
// every worker to finish its requests. Each worker is the ordinary server (src/server.ts) with its
// own pool.

/** A worker that dies this soon after starting counts towards the crash-loop limit. */
const EARLY_EXIT_MS = 5_000;
const MAX_EARLY_EXITS = 5;

/** Messages between the primary and its workers (a worker says it waits once it can hear the answer). */
type Message = { event: 'waiting' } | { event: 'database-ready' } | { event: 'serving'; port: number };

export interface Supervisor {
  /** The database answers and is migrated: every worker (and every later one) may serve. */
  databaseReady(): void;
  /** Stops every worker at once (start-up failed). */
  stop(): void;
}

export function superviseWorkers(config: Config, log: ServiceLogger, announce: (port: number) => void): Supervisor {
  let stopping = false;
  let abandoned = false;
  let ready = false;
  let earlyExits = 0;
  let announced = false;
  const serving = new Set<number>();
  /** Workers listening for the database-ready message. */
  const waiting = new Set<Worker>();
  const startedAt = new Map<number, number>();
  const send = (worker: Worker, message: Message) => worker.send(message);

  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker.id, Date.now());
    worker.on('message', (message: Message) => {
      if (message?.event === 'waiting') {
        waiting.add(worker);
        if (ready) send(worker, { event: 'database-ready' });
        return;
      }
      if (message?.event !== 'serving') return;
      serving.add(worker.id);
      log.info({ event: 'cluster.worker_listening', worker_pid: worker.process.pid, port: message.port });
      if (!announced && serving.size === config.workers) {
        announced = true;
        log.info({ event: 'cluster.listening', workers: config.workers, port: message.port });
        announce(message.port);
      }
    });
  };

  cluster.on('exit', (worker: Worker, code, signal) => {
    if (abandoned) return;
    serving.delete(worker.id);
    waiting.delete(worker);
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
    startedAt.delete(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        log.info({ event: 'shutdown.done', workers: config.workers });
        log.flushSync();
        process.exit(0);
      }
      return;
    }
    log.error({ event: 'cluster.worker_exit', worker_pid: worker.process.pid, code, signal, lived_ms: lived }, 'worker died; starting another');
    if (lived < EARLY_EXIT_MS && ++earlyExits >= MAX_EARLY_EXITS) {
      // A worker that cannot start (bad configuration, database gone for good) would loop forever.
      log.error({ event: 'cluster.crash_loop', early_exits: earlyExits }, 'workers keep dying at start; giving up');
      log.flushSync();
      process.exit(1);
    }
    fork();
  });

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ event: 'shutdown', signal, workers: Object.keys(cluster.workers ?? {}).length }, 'stopping every worker');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    // Each worker bounds its own shutdown by SHUTDOWN_TIMEOUT_MS; this bounds a worker that hangs.
    setTimeout(() => {
      log.error({ event: 'shutdown.timeout' }, 'workers still running after the timeout; exiting');
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      log.flushSync();
      process.exit(1);
    }, config.shutdownTimeoutMs + 2_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  log.info({ event: 'cluster.start', workers: config.workers }, `starting ${config.workers} workers`);
  for (let i = 0; i < config.workers; i++) fork();

  return {
    databaseReady() {
      ready = true;
      for (const worker of waiting) if (worker.isConnected()) send(worker, { event: 'database-ready' });
    },
    stop() {
      abandoned = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    },
  };
}

let primarySaidReady: Promise<void> | undefined;

/**
 * In a worker: resolves once the primary says the database is ready (migrated). Call it early:
 * a message that arrives before anyone listens is lost.
 */
export function databaseReady(): Promise<void> {
  primarySaidReady ??= new Promise((resolve) => {
    const onMessage = (message: Message) => {
      if (message?.event !== 'database-ready') return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
    process.send?.({ event: 'waiting' } satisfies Message);
  });
  return primarySaidReady;
}

/** In a worker: tells the primary this worker now serves the whole API on `port`. */
export function tellPrimaryServing(port: number): void {
  process.send?.({ event: 'serving', port } satisfies Message);
}
