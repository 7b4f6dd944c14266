import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// PGlite belongs to one process: two processes on one data directory each see only their own
// writes, and one's acknowledged writes are lost at the next start. So whoever opens it first
// holds a lock file beside it (pid, when that process started, what it is), and the next one is
// refused by name. A lock left by a process that no longer runs (killed) is taken over.

export class DataDirInUse extends Error {}

export interface DataDirLock {
  /** Removes the lock file, if it is still ours. */
  release(): void;
}

interface Holder {
  pid: number;
  /** The holder's start time as the kernel knows it (/proc/<pid>/stat), so a reused pid is not mistaken for it. */
  started: string | null;
  host: string;
  since: string;
  command: string;
}

/** The start time of process `pid` in clock ticks since boot, or null where /proc cannot tell. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22, counted after the command name in parentheses (which may itself hold spaces).
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isRunning(holder: Holder): boolean {
  if (holder.host !== os.hostname()) return true; // another machine's process: cannot tell, assume so
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = startTimeOf(holder.pid);
  return holder.started === null || started === null || started === holder.started;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined; // gone already
  }
}

function parseHolder(text: string): Holder | undefined {
  try {
    return JSON.parse(text) as Holder;
  } catch {
    return undefined; // half-written by a process that died writing it
  }
}

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** An unreadable lock file younger than this may be one another process is still writing. */
const HALF_WRITTEN_MS = 200;

/** A breaker older than this was left by a process that died while breaking a lock. */
const BREAKER_STALE_MS = 5000;

/**
 * Removes the lock file left by a process that no longer runs, unless it has been replaced since
 * it was read. Processes starting at the same moment may all find the same stale lock: only the
 * one holding the breaker file may remove it, and only if it is still the one that was read.
 */
function breakStaleLock(file: string, stale: string | undefined) {
  const breaker = `${file}.breaking`;
  for (let waited = 0; ; waited += 20) {
    try {
      fs.writeFileSync(breaker, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = Date.now() - (fs.statSync(breaker, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > BREAKER_STALE_MS || waited > 2 * BREAKER_STALE_MS) fs.rmSync(breaker, { force: true });
      pause(20);
    }
  }
  try {
    if (readText(file) === stale) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(breaker, { force: true });
  }
}

/** Takes the lock on `dir` for this process, or throws DataDirInUse naming the process that has it. */
export function lockDataDir(dir: string, command = process.argv.slice(1).join(' ')): DataDirLock {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'pglite.lock');
  const me: Holder = { pid: process.pid, started: startTimeOf(process.pid), host: os.hostname(), since: new Date().toISOString(), command };
  const content = JSON.stringify(me);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      fs.writeFileSync(file, content, { flag: 'wx', mode: 0o600 });
      const release = () => {
        process.off('exit', release);
        if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === content) fs.rmSync(file, { force: true });
      };
      process.on('exit', release);
      return { release };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const seen = readText(file);
    const holder = seen === undefined ? undefined : parseHolder(seen);
    const age = Date.now() - (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    if (seen !== undefined && holder === undefined && age < HALF_WRITTEN_MS) {
      pause(HALF_WRITTEN_MS); // another process is writing it right now
      continue;
    }
    if (holder && isRunning(holder)) {
      throw new DataDirInUse(
        `DATA_DIR ${dir} is in use by process ${holder.pid} (${holder.command || 'unknown command'}, since ${holder.since}${holder.host === me.host ? '' : ` on ${holder.host}`}): ` +
          'the embedded database belongs to one process. Stop that one first, or give this one another DATA_DIR.',
      );
    }
    breakStaleLock(file, seen);
  }
  throw new DataDirInUse(`DATA_DIR ${dir} was locked by another process starting at the same moment`);
}
