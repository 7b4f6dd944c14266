import pino from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'auto' | 'json' | 'pretty';

/** Whether lines are for a person: asked for, or (auto) a terminal outside production. */
export function readableLogs(format: LogFormat, where: { terminal: boolean; production: boolean }): boolean {
  return format === 'pretty' || (format === 'auto' && where.terminal && !where.production);
}

/**
 * Structured logs on stdout: JSON lines, or (`readable`) pino-pretty's lines for a person at a
 * terminal. Secrets are redacted wherever a careless object might carry them. JSON lines are
 * written asynchronously (a buffered destination) so logging never blocks a request; `flushSync()`
 * writes what is still buffered (on shutdown, and before the start-up banner, so it comes last).
 * Readable lines are written synchronously: nobody serves production traffic from a terminal.
 */
export function createLogger(level: string, readable = false) {
  const destination = readable
    ? pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'service,pid,hostname', singleLine: true })
    : pino.destination({ dest: 1, sync: false });
  const log = pino(
    {
      level,
      base: { service: 'task-api', pid: process.pid }, // pid: which worker, with WEB_CONCURRENCY > 1
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['*.authorization', '*.Authorization', '*.password', '*.password_hash', '*.token', '*.access_token', 'headers', 'body'],
        censor: '[redacted]',
      },
    },
    destination,
  );
  const flushSync = () => {
    if ('flushSync' in destination) destination.flushSync();
  };
  return Object.assign(log, { flushSync });
}

export type ServiceLogger = ReturnType<typeof createLogger>;
