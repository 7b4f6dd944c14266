import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCommand } from './procs';

// --against <ref>: another commit of the service, built in a git worktree of its own and run as
// one more row of the same run (same data, same alternating rounds), so a change on the request
// path shows its before/after side by side rather than across two runs on a drifting machine.
// The worktree borrows this checkout's node_modules: a ref that locks a package at another version
// (or one this checkout lacks) would run on other packages than it names, and one with other
// migrations would find the seeded schema's history (made by this checkout's) corrupt, so both
// are refused. Migrations are compared by name, as knex compares them.

export interface OtherBuild {
  label: string;
  commit: string;
  /** Node flags of that commit's `npm start`, then its server. */
  args: string[];
  remove(): void;
}

const git = (root: string, args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** The names of the migrations of `commit` (or of the working tree), as knex records them. */
function migrationNames(root: string, commit?: string): string[] {
  const files = commit ? git(root, ['ls-tree', '--name-only', `${commit}:migrations`]).split('\n') : fs.readdirSync(path.join(root, 'migrations'));
  return files.filter((name) => /^\d{14}_.+\.ts$/.test(name)).map((name) => name.replace(/\.ts$/, '')).sort();
}

type Lock = { packages?: Record<string, { version?: string }> };

/** Packages `theirs` locks that `ours` lacks or locks at another version. */
export function lockMismatches(theirs: Lock, ours: Lock): string[] {
  const found: string[] = [];
  for (const [name, entry] of Object.entries(theirs.packages ?? {})) {
    if (name === '') continue;
    const mine = ours.packages?.[name]?.version;
    if (mine !== entry.version) found.push(`${name.replace(/^node_modules\//, '')} ${entry.version ?? '?'} (here ${mine ?? 'absent'})`);
  }
  return found;
}

export function buildOther(root: string, ref: string, say: (line: string) => void): OtherBuild {
  let commit: string;
  try {
    commit = git(root, ['rev-parse', '--verify', `${ref}^{commit}`]);
  } catch {
    throw new Error(`--against: "${ref}" is not a commit of this repository`);
  }
  const theirs = JSON.parse(git(root, ['show', `${commit}:package-lock.json`])) as Lock;
  const ours = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as Lock;
  const mismatches = lockMismatches(theirs, ours);
  if (mismatches.length > 0) {
    throw new Error(`--against ${ref}: it locks packages this checkout's node_modules (which it would run on) has otherwise: ${mismatches.slice(0, 10).join(', ')}`);
  }
  const [theirMigrations, ourMigrations] = [migrationNames(root, commit), migrationNames(root)];
  if (theirMigrations.join() !== ourMigrations.join()) {
    throw new Error(`--against ${ref}: its migrations (${theirMigrations.join(', ')}) are not this checkout's (${ourMigrations.join(', ')}), so the two cannot share the seeded data`);
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'task-api-bench-against-'));
  const remove = () => {
    try {
      git(root, ['worktree', 'remove', '--force', dir]);
    } catch {
      fs.rmSync(dir, { recursive: true, force: true });
      git(root, ['worktree', 'prune']);
    }
  };
  const short = commit.slice(0, 7);
  say(`building ${ref} (${short}) in ${dir} for the "service @${short}" row…`);
  try {
    git(root, ['worktree', 'add', '--detach', dir, commit]);
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: dir, stdio: 'pipe' });
  } catch (err) {
    remove();
    const { stdout, stderr } = err as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`--against ${ref}: the build failed: ${(err as Error).message}\n${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`);
  }
  const start = startCommand(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).scripts.start);
  return { label: `service @${short}`, commit, args: [...start.nodeFlags, path.join(dir, 'dist', 'src', 'server.js')], remove };
}
