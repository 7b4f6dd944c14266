import type { ProblemTypeName } from '../../src/core/problem-types';

/**
 * A problem+json answer with this status (or one of these, where more than one answer is right)
 * with its RFC 9457 fields and, when given, this kind of problem and this exact detail.
 */
export function expectProblem(
  sent: { res: Response; json: any; text?: string }, // eslint-disable-line @typescript-eslint/no-explicit-any
  status: number | number[],
  detail?: string,
  type?: ProblemTypeName,
) {
  const statuses = Array.isArray(status) ? status : [status];
  if (!statuses.includes(sent.res.status)) {
    throw new Error(`expected ${statuses.join(' or ')}, got ${sent.res.status}: ${(sent.text ?? JSON.stringify(sent.json) ?? '').slice(0, 300)}`);
  }
  expect(sent.res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(sent.json).toEqual(expect.objectContaining({ type: expect.any(String), title: expect.any(String), status: sent.res.status, detail: expect.any(String) }));
  if (detail !== undefined) expect(sent.json.detail).toBe(detail);
  if (type !== undefined) expect(sent.json.type).toBe(`/problems/${type}`);
}
