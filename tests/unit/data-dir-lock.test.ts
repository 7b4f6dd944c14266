import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataDirInUse, lockDataDir } from '../../src/db/data-dir-lock';

// The data directory lock on its own: one holder at a time, named when refused; a lock left by a
// process that is gone (or by a pid now used by another program) is taken over.

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'data-dir-lock-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const lockFile = () => path.join(dir, 'pglite.lock');

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

test('a second holder is refused with a message naming the first; after release it may take it', () => {
  const first = lockDataDir(dir, 'first holder');
  expect(() => lockDataDir(dir, 'second')).toThrow(DataDirInUse);
  expect(() => lockDataDir(dir, 'second')).toThrow(new RegExp(`in use by process ${process.pid} \\(first holder`));
  first.release();
  lockDataDir(dir, 'second').release();
  expect(fs.existsSync(lockFile())).toBe(false);
});

test.each([
  ['a process that has exited', () => JSON.stringify({ pid: deadPid(), started: '1', host: os.hostname(), since: 'then', command: 'gone' })],
  ['a pid now used by another program (other start time)', () => JSON.stringify({ pid: process.pid, started: '1', host: os.hostname(), since: 'then', command: 'old' })],
  ['a half-written file', () => '{"pid": 12'],
  ['an empty file', () => ''],
])('a lock left by %s is taken over', (_, content) => {
  fs.writeFileSync(lockFile(), content());
  const past = new Date(Date.now() - 60_000);
  fs.utimesSync(lockFile(), past, past);
  const lock = lockDataDir(dir, 'next start');
  expect(JSON.parse(fs.readFileSync(lockFile(), 'utf8'))).toMatchObject({ pid: process.pid, command: 'next start' });
  lock.release();
});

test('release never removes a lock that another holder has taken since', () => {
  const first = lockDataDir(dir, 'first');
  fs.writeFileSync(lockFile(), JSON.stringify({ pid: deadPid(), started: '1', host: os.hostname(), since: 'x', command: 'x' }));
  const second = lockDataDir(dir, 'second');
  first.release();
  expect(fs.existsSync(lockFile())).toBe(true);
  second.release();
});

test('processes racing for a stale lock: exactly one gets it', () => {
  fs.writeFileSync(lockFile(), JSON.stringify({ pid: deadPid(), started: '1', host: os.hostname(), since: 'x', command: 'x' }));
  const script = `
    const { lockDataDir } = require(${JSON.stringify(path.resolve(__dirname, '../../src/db/data-dir-lock.ts'))});
    const until = Number(process.argv[2]);
    while (Date.now() < until) {}
    try { lockDataDir(process.argv[1], 'racer'); process.stdout.write('won'); setTimeout(() => {}, 1500); }
    catch (err) { process.stdout.write(err.constructor.name); }`;
  const until = Date.now() + 1500;
  const racers = Array.from({ length: 6 }, () =>
    import('node:child_process').then(
      ({ spawn }) =>
        new Promise<string>((resolve) => {
          const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, dir, String(until)]);
          let out = '';
          child.stdout.on('data', (chunk) => (out += chunk));
          child.on('exit', () => resolve(out));
        }),
    ),
  );
  return Promise.all(racers).then((outcomes) => {
    expect(outcomes.filter((o) => o === 'won')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'won').every((o) => o === 'DataDirInUse')).toBe(true);
  });
}, 30_000);
