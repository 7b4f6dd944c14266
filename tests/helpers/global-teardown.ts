import fs from 'node:fs';

export default async function globalTeardown() {
  const runDir = process.env.TASK_API_TEST_RUN_DIR;
  if (runDir) fs.rmSync(runDir, { recursive: true, force: true });
}
