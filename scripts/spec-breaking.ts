/**
 * Breaking-change guard (`npm run spec:breaking`): compares openapi.yaml with its version at a git
 * ref and fails on a breaking change, unless info.version's major number moved.
 *
 *   npx tsx scripts/spec-breaking.ts [--base <git ref>] [--file openapi.yaml]
 *   SPEC_BASE_REF=origin/main npx tsx scripts/spec-breaking.ts
 *
 * The base is --base, else SPEC_BASE_REF, else HEAD when openapi.yaml has uncommitted changes
 * (what you are about to commit) and HEAD~1 when it has none (what the last commit changed). When
 * the ref or the file at that ref does not exist (a first commit, a shallow clone), there is
 * nothing to break: it passes and says so.
 *
 * Two maintained differs judge the change, and either one's verdict counts:
 *  - openapi-diff (Atlassian): removed paths and operations, removed status codes and required
 *    response headers, and request/response bodies compared as sets of JSON values (a new required
 *    request field, a removed or no longer required response field, a narrower request type or
 *    range). It ignores parameters, `enum`, `nullable`, `format` and `pattern`.
 *  - `redocly diff` (Redocly CLI, pinned, diff-recommended rules): parameters (a new required
 *    one, a removed one, a narrower schema), enums (a value removed from a request), nullability
 *    and required properties, with the operation it affects.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import openapiDiff from 'openapi-diff';

const root = path.resolve(__dirname, '..');

export interface BreakingChange {
  tool: 'openapi-diff' | 'redocly diff';
  /** The differ's own code or rule id. */
  rule: string;
  /** What it means, for a person. */
  message: string;
  /** Where: an operation and the part of it, or a component. */
  where: string;
}

export interface Verdict {
  ok: boolean;
  breaking: BreakingChange[];
  baseVersion: string;
  revisionVersion: string;
  majorBumped: boolean;
  report: string;
}

const OPENAPI_DIFF_MEANING: Record<string, string> = {
  'path.remove': 'a path was removed',
  'method.remove': 'an operation was removed',
  'request.body.scope.remove': 'the request body accepts less than before (a new required field, a removed property, a narrower type, length or range)',
  'response.body.scope.add': 'the response body can hold what it could not before (a field removed or no longer required, a wider type)',
  'response.status-code.remove': 'a documented response status was removed',
  'response.required.header.remove': 'a required response header was removed',
};

const METHODS = 'get|put|post|delete|patch|head|options|trace';

/** `paths./tasks/{task_id}.put.requestBody.content.application/json.schema` → `PUT /tasks/{task_id} requestBody…`. */
function openapiDiffWhere(location: string): string {
  const m = new RegExp(`^paths\\.(/.*?)\\.(${METHODS})(?:\\.(.*))?$`).exec(location);
  if (!m) return location.replace(/^paths\./, '');
  return `${m[2].toUpperCase()} ${m[1]}${m[3] ? ` ${m[3].replace(/\.content\./, ' ').replace(/\.schema$/, '')}` : ''}`;
}

/** `#/paths/~1tasks/get/parameters/0/schema` → `GET /tasks parameters/0/schema`. */
function redoclyWhere(pointer: string): string {
  const parts = pointer.replace(/^#\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (parts[0] === 'paths' && parts.length >= 2) {
    const [, route, method, ...rest] = parts;
    if (method && new RegExp(`^(${METHODS})$`).test(method)) return `${method.toUpperCase()} ${route}${rest.length ? ` ${rest.join('/')}` : ''}`;
    return [route, method, ...rest].filter(Boolean).join(' ');
  }
  return parts.join('/');
}

async function withOpenapiDiff(base: string, revision: string): Promise<BreakingChange[]> {
  const result = await openapiDiff.diffSpecs({
    sourceSpec: { content: base, location: 'base', format: 'openapi3' },
    destinationSpec: { content: revision, location: 'revision', format: 'openapi3' },
  });
  if (!result.breakingDifferencesFound) return [];
  return result.breakingDifferences.map((d) => {
    const details = d.sourceSpecEntityDetails[0] ?? d.destinationSpecEntityDetails[0];
    return {
      tool: 'openapi-diff' as const,
      rule: d.code,
      message: OPENAPI_DIFF_MEANING[d.code] ?? d.code,
      where: details ? openapiDiffWhere(details.location) : '(document)',
    };
  });
}

interface RedoclyChange {
  path: string;
  impact: 'major' | 'minor' | 'patch';
  verdicts?: { ruleId: string; impact: string; message: string }[];
}

function withRedoclyDiff(base: string, revision: string): BreakingChange[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spec-breaking-'));
  try {
    const baseFile = path.join(dir, 'base.yaml');
    const revisionFile = path.join(dir, 'revision.yaml');
    const config = path.join(dir, 'redocly.yaml');
    fs.writeFileSync(baseFile, base);
    fs.writeFileSync(revisionFile, revision);
    fs.writeFileSync(config, 'extends:\n  - diff-recommended\n');
    const run = spawnSync(
      path.join(root, 'node_modules/.bin/redocly'),
      ['diff', '--config', config, '--format', 'json', '--fail-on', 'none', baseFile, revisionFile],
      { encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, maxBuffer: 64 * 1024 * 1024 },
    );
    let report: { changes?: RedoclyChange[] };
    try {
      report = JSON.parse(run.stdout);
    } catch {
      throw new Error(`redocly diff gave no report (status ${run.status}): ${run.stderr.replace(/[║╔╚][^\n]*\n?/g, '').trim()}`);
    }
    const out: BreakingChange[] = [];
    for (const change of report.changes ?? []) {
      if (change.impact !== 'major') continue;
      const verdicts = (change.verdicts ?? []).filter((v) => v.impact === 'major');
      for (const v of verdicts.length ? verdicts : [{ ruleId: 'major', impact: 'major', message: 'a major change' }]) {
        out.push({ tool: 'redocly diff', rule: v.ruleId, message: v.message, where: redoclyWhere(change.path) });
      }
    }
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const versionOf = (text: string): string => {
  const doc = yaml.load(text) as { info?: { version?: unknown } } | undefined;
  return String(doc?.info?.version ?? '');
};
const majorOf = (version: string): number | undefined => {
  const m = /^v?(\d+)/.exec(version.trim());
  return m ? Number(m[1]) : undefined;
};

/** Groups the changes: one heading per differ and rule, then where. */
function describe(changes: BreakingChange[]): string[] {
  const groups = new Map<string, { head: string; where: Set<string> }>();
  for (const c of changes) {
    const key = `${c.tool}\u0000${c.rule}\u0000${c.message}`;
    if (!groups.has(key)) groups.set(key, { head: `${c.message}  [${c.tool}: ${c.rule}]`, where: new Set() });
    groups.get(key)!.where.add(c.where);
  }
  const lines: string[] = [];
  for (const { head, where } of groups.values()) {
    lines.push(`  ✖ ${head}`);
    for (const w of where) lines.push(`      ${w}`);
  }
  return lines;
}

/** The verdict on going from `base` to `revision` (both the text of an OpenAPI 3 document). */
export async function compareSpecs(base: string, revision: string): Promise<Verdict> {
  const breaking = [...(await withOpenapiDiff(base, revision)), ...withRedoclyDiff(base, revision)];
  const baseVersion = versionOf(base);
  const revisionVersion = versionOf(revision);
  const [from, to] = [majorOf(baseVersion), majorOf(revisionVersion)];
  const majorBumped = from !== undefined && to !== undefined && to > from;
  const ok = breaking.length === 0 || majorBumped;
  const lines: string[] = [];
  if (breaking.length === 0) {
    lines.push(`no breaking change (info.version ${baseVersion} → ${revisionVersion})`);
  } else if (majorBumped) {
    lines.push(`${breaking.length} breaking change(s), accepted: info.version's major moved (${baseVersion} → ${revisionVersion})`, ...describe(breaking));
  } else {
    lines.push(
      `${breaking.length} breaking change(s) while info.version stays on major ${from ?? '?'} (${baseVersion} → ${revisionVersion}):`,
      ...describe(breaking),
      `Keep the contract compatible, or, if the break is intended, bump info.version to ${from === undefined ? 'a new major' : `${from + 1}.0.0`}.`,
    );
  }
  return { ok, breaking, baseVersion, revisionVersion, majorBumped, report: lines.join('\n') };
}

function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}

/** Which ref to compare with: the given one, else HEAD with uncommitted changes, HEAD~1 without. */
export function baseRef(cwd: string, file: string, given?: string): string {
  if (given) return given;
  const dirty = git(cwd, ['status', '--porcelain', '--', file]);
  return dirty && dirty.trim() !== '' ? 'HEAD' : 'HEAD~1';
}

/** The file's text at `ref`, or undefined when the ref or the file does not exist there. */
export function textAt(cwd: string, ref: string, file: string, refMustExist = false): string | undefined {
  const top = git(cwd, ['rev-parse', '--show-toplevel'])?.trim();
  if (!top) throw new Error(`${cwd} is not in a git work tree`);
  if (git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]) === undefined) {
    // A ref someone named must exist (a typo must not pass); the default one may not (a first commit, a shallow clone).
    if (refMustExist) throw new Error(`no commit ${ref} in this repository (fetch it first, e.g. git fetch origin main)`);
    return undefined;
  }
  const relative = path.relative(top, path.resolve(cwd, file)).split(path.sep).join('/');
  return git(cwd, ['show', `${ref}:${relative}`]);
}

export async function guard(cwd: string, file: string, given?: string): Promise<{ ok: boolean; report: string }> {
  const ref = baseRef(cwd, file, given);
  const base = textAt(cwd, ref, file, given !== undefined);
  const label = `${file} against ${ref}`;
  if (base === undefined) return { ok: true, report: `${label}: nothing to compare (no ${ref} or no ${file} in it), so nothing can break` };
  const verdict = await compareSpecs(base, fs.readFileSync(path.resolve(cwd, file), 'utf8'));
  return { ok: verdict.ok, report: `${label}: ${verdict.report}` };
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

if (require.main === module) {
  const file = option('--file') ?? 'openapi.yaml';
  guard(process.cwd(), file, option('--base') ?? process.env.SPEC_BASE_REF).then(
    ({ ok, report }) => {
      (ok ? console.log : console.error)(report);
      process.exit(ok ? 0 : 1);
    },
    (err: Error) => {
      console.error(`spec-breaking: ${err.message}`);
      process.exit(2);
    },
  );
}
