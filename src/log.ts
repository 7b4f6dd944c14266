import pino from 'pino';

/** Structured JSON logs. Secrets are redacted wherever a careless object might carry them. */
export function createLogger(level: string) {
  return pino({
    level,
    base: { service: 'task-api' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['*.authorization', '*.Authorization', '*.password', '*.password_hash', '*.token', '*.access_token', 'headers', 'body'],
      censor: '[redacted]',
    },
  });
}
