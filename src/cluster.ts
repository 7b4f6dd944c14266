import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config';
import type { ServiceLogger } from './log';

// WEB_CONCURRENCY > 1: this process (the primary) only supervises. It forks the workers, which
// share the listening port (the primary hands out connections round-robin), replaces a worker
// that dies, and on SIGTERM/SIGINT passes the signal on and waits for every worker to finish
// its requests. Each worker is the ordinary server (src/server.ts) with its own pool.

/** A worker that dies this soon after starting counts towards the crash-loop limit. */
const EARLY_EXIT_MS = 5_000;
const MAX_EARLY_EXITS = 5;

export function superviseWorkers(config: Config, log: ServiceLogger, announce: (port: number) => void): void {
  let stopping = false;
  let earlyExits = 0;
  let announced = false;
  const listening = new Set<number>();
  const startedAt = new Map<number, number>();

  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker.id, Date.now());
  };

  cluster.on('listening', (worker: Worker, address) => {
    listening.add(worker.id);
    log.info({ event: 'cluster.worker_listening', worker_pid: worker.process.pid, port: address.port });
    if (!announced && listening.size === config.workers) {
      announced = true;
      log.info({ event: 'cluster.listening', workers: config.workers, port: address.port });
      announce(address.port);
    }
  });

  cluster.on('exit', (worker: Worker, code, signal) => {
    listening.delete(worker.id);
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
}
