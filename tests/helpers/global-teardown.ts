import fs from 'node:fs';
import path from 'node:path';
import type { Stoppable } from './prism';

export default async function globalTeardown() {
  const prism = (globalThis as { taskApiPrism?: Stoppable[] }).taskApiPrism ?? [];
  for (const running of prism) await running.stop();
  // How many requests Prism passed on to a service, for scripts/test-prism.sh to report and check.
  const routed = prism.find((running) => running.count)?.count?.();
  if (routed !== undefined && process.env.PRISM_LOG_DIR) fs.writeFileSync(path.join(process.env.PRISM_LOG_DIR, 'forwarded-requests'), `${routed}\n`);
  const runDir = process.env.TASK_API_TEST_RUN_DIR;
  if (runDir) fs.rmSync(runDir, { recursive: true, force: true });
}
