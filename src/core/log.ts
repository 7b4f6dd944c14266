import pino from 'pino';

/**
 * Structured JSON logs on stdout. Secrets are redacted wherever a careless object might carry
 * them. Lines are written asynchronously (a buffered destination) so logging never blocks a
 * request; `flush()` on shutdown writes what is still buffered.
 */
export function createLogger(level: string) {
  const destination = pino.destination({ dest: 1, sync: false });
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
  return Object.assign(log, { flushSync: () => destination.flushSync() });
}

export type ServiceLogger = ReturnType<typeof createLogger>;
