import { InvalidCursor } from '../core/errors';
import type { Position, Sort, SortKey } from '../models/task-pages';
import { isServiceTimestamp } from './date-time';

// Keyset cursors: an opaque base64url token naming the last row of a page (its sort value and
// id) and the sort and filters it was issued for, so it cannot be replayed against others.

export type { Position, Sort, SortKey };

export function parseSort(sort: string | undefined): Sort {
  const raw = sort ?? '-created_at';
  const descending = raw.startsWith('-');
  return { key: (descending ? raw.slice(1) : raw) as SortKey, descending };
}

export const formatSort = (sort: Sort) => `${sort.descending ? '-' : ''}${sort.key}`;

interface Payload {
  v: 1;
  s: string;
  f: string;
  k: string | null;
  id: string;
}

export function encodeCursor(sort: Sort, filterKey: string, position: Position): string {
  const payload: Payload = { v: 1, s: formatSort(sort), f: filterKey, k: position.value, id: position.id };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PRIORITIES = new Set(['low', 'medium', 'high']);

function validValue(key: SortKey, value: unknown): value is string | null {
  if (key === 'priority') return typeof value === 'string' && PRIORITIES.has(value);
  if (value === null) return key === 'due_date';
  // Exactly what encodeCursor wrote (toISOString of a stored instant): anything else was not issued here.
  return typeof value === 'string' && isServiceTimestamp(value);
}

export function decodeCursor(raw: string, sort: Sort, filterKey: string): Position {
  let payload: Partial<Payload>;
  try {
    payload = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Payload>;
  } catch {
    throw InvalidCursor('cursor is not one this service issued');
  }
  if (!payload || typeof payload !== 'object' || payload.v !== 1 || typeof payload.id !== 'string' || !UUID.test(payload.id)) {
    throw InvalidCursor('cursor is not one this service issued');
  }
  if (payload.s !== formatSort(sort) || payload.f !== filterKey) {
    throw InvalidCursor('cursor was issued for another sort or other filters; start again without it');
  }
  if (!validValue(sort.key, payload.k)) throw InvalidCursor('cursor is not one this service issued');
  return { value: payload.k, id: payload.id };
}
