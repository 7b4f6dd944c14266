import { STATUS_CODES } from 'node:http';
import type { FieldError, Problem } from '../../generated/types.gen';
import { PROBLEM_TYPES, problemTypeUri, type ProblemTypeName } from './problem-types';

// RFC 9457 problem details: every error the service answers with is one of these, of one of the
// kinds in src/core/problem-types.ts, which decides its status and its `type`.

// The body's shape is the contract's (Problem and FieldError in openapi.yaml, generated).
export type { FieldError };
export type ProblemBody = Problem;
export type FieldLocation = FieldError['location'];

/** One JSON pointer segment (RFC 6901): `~` and `/` escaped, as `field` carries them. */
export const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

export interface ProblemOptions {
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** The original of an unexpected error, for the log only. */
  cause?: unknown;
}

export class HttpProblem extends Error {
  readonly type: ProblemTypeName;
  readonly status: number;
  readonly detail: string;
  readonly errors?: FieldError[];
  readonly headers: Record<string, string>;
  /** Set on problems built from an unexpected error: the original, for the log only. */
  readonly cause?: unknown;

  constructor(type: ProblemTypeName, detail: string, opts: ProblemOptions = {}) {
    super(detail);
    this.name = 'HttpProblem';
    this.type = type;
    this.status = PROBLEM_TYPES[type].status;
    this.detail = detail;
    this.errors = opts.errors;
    this.headers = opts.headers ?? {};
    this.cause = opts.cause;
  }

  toBody(instance?: string, requestId?: string): ProblemBody {
    return {
      type: problemTypeUri(this.type),
      title: titleFor(this.status),
      status: this.status,
      detail: this.detail,
      ...(instance ? { instance } : {}),
      ...(requestId ? { request_id: requestId } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export function titleFor(status: number): string {
  // Node still says "Unprocessable Entity"; RFC 9110 renamed it.
  if (status === 422) return 'Unprocessable Content';
  return STATUS_CODES[status] ?? 'Error';
}

export function problem(type: ProblemTypeName, detail: string, opts?: ProblemOptions): HttpProblem {
  return new HttpProblem(type, detail, opts);
}

export function validationProblem(errors: FieldError[]): HttpProblem {
  const n = errors.length;
  return new HttpProblem('validation-failed', `The request has ${n} invalid field${n === 1 ? '' : 's'}`, { errors });
}
