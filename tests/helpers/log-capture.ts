import pino, { type Logger } from 'pino';

// The service's log, kept in memory for a test file: lines at `warn` and above (or TEST_LOG_LEVEL,
// which also prints them), so a test can assert what was logged and every test app can check at
// the end that no client mistake put a stack trace in the log.

export interface CapturedLog {
  logger: Logger;
  /** The lines written so far, parsed. */
  lines: Record<string, unknown>[];
}

export function capturedLog(): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  const printed = process.env.TEST_LOG_LEVEL;
  const logger = pino(
    { level: printed ?? 'warn' },
    {
      write(line: string) {
        lines.push(JSON.parse(line));
        if (printed) process.stdout.write(line);
      },
    },
  );
  return { logger, lines };
}

const STACK_FRAME = /\n\s+at /;

function carriesStack(value: unknown): boolean {
  if (typeof value === 'string') return STACK_FRAME.test(value);
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some(carriesStack);
}

/**
 * Lines with a stack trace that were not written for a response of 500 or more: a client's
 * mistake (any 4xx) must never put one in the log.
 */
export function stackTracesOutsideServerErrors(lines: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return lines.filter((line) => carriesStack(line) && !(typeof line.status === 'number' && line.status >= 500));
}
