/** A problem+json answer with this status and exact detail (RFC 9457 fields present). */
export function expectProblem(sent: { res: Response; json: any }, status: number, detail: string) { // eslint-disable-line @typescript-eslint/no-explicit-any
  expect(sent.res.status).toBe(status);
  expect(sent.res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(sent.json).toEqual(expect.objectContaining({ type: expect.any(String), title: expect.any(String), status, detail }));
}
