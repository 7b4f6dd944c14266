import crypto from 'node:crypto';

// npm run -s contract:seed -- [base URL]   (default http://localhost:3000)
// Prepares a running instance for Schemathesis (tests/contract/schemathesis.toml): registers a
// fresh account through POST /auth/register, creates a few tasks as it, and prints the shell
// lines that tell Schemathesis who to be: `eval "$(npm run -s contract:seed)"`.

interface Session {
  user: { id: string };
  access_token: string;
}

async function post<T>(url: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** The shell lines: a fresh account's token and id, and one of its tasks, for a run against `base`. */
export async function seed(base: string): Promise<Record<string, string>> {
  const email = `schemathesis-${crypto.randomBytes(6).toString('hex')}@example.org`;
  const session = await post<Session>(`${base}/auth/register`, { email, password: crypto.randomBytes(18).toString('base64url') });
  const tasks = [];
  for (const title of ['Seeded for Schemathesis', 'Another seeded task', 'A third one']) {
    tasks.push(await post<{ id: string }>(`${base}/tasks`, { title }, session.access_token));
  }
  return { TASK_API_URL: base, SCHEMATHESIS_TOKEN: session.access_token, USER_ID: session.user.id, TASK_ID: tasks[0].id };
}

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

if (require.main === module) {
  const base = (process.argv[2] ?? 'http://localhost:3000').replace(/\/+$/, '');
  seed(base)
    .then((vars) => console.log(Object.entries(vars).map(([name, value]) => `export ${name}=${quote(value)}`).join('\n')))
    .catch((err) => {
      console.error(`contract:seed: ${(err as Error).message} (is the service running at ${base}?)`);
      process.exit(1);
    });
}
