// Child processes of a benchmark run (the service, the baseline) and what we measure of them
// from outside: time to /ready, resident memory and CPU time, read from /proc.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { freePort } from '../scripts/free-port';

export interface Target {
  /** Row label: "service", "baseline", "service (RLS off)"… */
  label: string;
  url: string;
  pid: number;
  /** Milliseconds from spawn to the first 200 from /ready. */
  readyMs: number;
  stop(): Promise<void>;
  /** The last lines the process wrote to stderr/stdout (for failures). */
  output(): string;
}

/**
 * What `npm start` runs after its build step: `node <flags> dist/src/server.js`. The benchmark
 * starts the service the same way, so a Node flag there (a heap setting) is measured too.
 */
export function startCommand(startScript: string): { command: string; nodeFlags: string[] } {
  const command = startScript.split('&&').pop()!.trim();
  const words = command.split(/\s+/);
  const script = words.indexOf('dist/src/server.js');
  if (words[0] !== 'node' || script < 0) throw new Error(`the start script is not "… && node [flags] dist/src/server.js": ${startScript}`);
  return { command, nodeFlags: words.slice(1, script) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitReady(url: string, child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before ready:\n${output()}`);
    try {
      const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms:\n${output()}`);
    await sleep(20);
  }
}

/** Spawns `node <args>` with `env` on a free port and waits for GET /ready to answer 200. */
export async function startNode(label: string, args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<Target> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitReady(url, child, timeoutMs, () => tail);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${label}: ${(err as Error).message}`);
  }
  const readyMs = performance.now() - started;
  return {
    label,
    url,
    pid: child.pid!,
    readyMs,
    output: () => tail,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resident set size in MB (VmRSS), or NaN once the process is gone. */
export function rssMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

// Clock ticks per second of /proc/<pid>/stat times: 100 on every Linux we run on.
const CLK_TCK = 100;

/** User + system CPU time of a process in ms (all its threads). */
export function cpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that closes the command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/**
 * Samples the RSS of some processes every `everyMs` while a measurement runs: the peak, and every
 * sample in order (the sustained run reads its trend from them; see memory.ts).
 */
export function sampleRss(pids: number[], everyMs = 200) {
  const peak = new Map<number, number>(pids.map((pid) => [pid, rssMb(pid)]));
  const samples = new Map<number, number[]>(pids.map((pid) => [pid, []]));
  const sample = () => {
    for (const pid of pids) {
      const mb = rssMb(pid);
      peak.set(pid, Math.max(peak.get(pid) ?? 0, mb || 0));
      if (!Number.isNaN(mb)) samples.get(pid)!.push(mb);
    }
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop(): { peak: Map<number, number>; samples: Map<number, number[]> } {
      clearInterval(timer);
      sample();
      return { peak, samples };
    },
  };
}
