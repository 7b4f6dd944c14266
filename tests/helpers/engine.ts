// Which engine this test run uses: the PostgreSQL server named by TEST_DATABASE_URL or
// DATABASE_URL, or embedded PGlite when neither is set.
export const serverUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
export const engineName = serverUrl ? 'postgresql' : 'pglite';
