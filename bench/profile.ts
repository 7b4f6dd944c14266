// Where the service's CPU time goes, from a V8 .cpuprofile (node --cpu-prof): self time by
// package or service file, and the functions with the most self and inclusive time.
//
// Standalone: npx tsx bench/profile.ts bench/results/profiles/service.cpuprofile [--top 25]

import fs from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  /** Sampled ms, idle excluded. */
  busyMs: number;
  idleMs: number;
  byPackage: { name: string; ms: number; pct: number }[];
  topSelf: { fn: string; where: string; ms: number; pct: number }[];
  topInclusive: { fn: string; where: string; ms: number; pct: number }[];
}

/** node_modules/<pkg>, "service src/…", "node:<module>", or V8's own buckets. */
function bucketOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const src = url.indexOf('/dist/');
  if (src >= 0) return `service ${url.slice(src + '/dist/'.length)}`;
  return url.replace(/^file:\/\//, '');
}

function whereOf(frame: CallFrame): string {
  if (!frame.url) return '';
  const nm = frame.url.lastIndexOf('node_modules/');
  const short = nm >= 0 ? frame.url.slice(nm + 'node_modules/'.length) : frame.url.replace(/^.*\/dist\//, '').replace(/^file:\/\//, '');
  return `${short}:${frame.lineNumber + 1}`;
}

export function summarize(file: string, top = 20): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const idleUs = [...selfUs].filter(([id]) => nodes.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, us]) => a + us, 0);
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const busyUs = totalUs - idleUs;
  const pct = (us: number) => Math.round((1000 * us) / busyUs) / 10;
  const ms = (us: number) => Math.round(us / 100) / 10;

  const byPackage = new Map<string, number>();
  const self = new Map<string, { fn: string; where: string; us: number }>();
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    const bucket = bucketOf(frame);
    byPackage.set(bucket, (byPackage.get(bucket) ?? 0) + us);
    const key = `${frame.functionName}@${frame.url}:${frame.lineNumber}`;
    const entry = self.get(key) ?? { fn: frame.functionName || '(anonymous)', where: whereOf(frame), us: 0 };
    entry.us += us;
    self.set(key, entry);
  }

  // Inclusive time: a frame's self time plus its subtree's, counted once per stack even when recursive.
  const inclusive = new Map<string, { fn: string; where: string; us: number }>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  for (const [id, us] of selfUs) {
    if (nodes.get(id)!.callFrame.functionName === '(idle)') continue;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = nodes.get(at)!.callFrame;
      if (!frame.url) continue;
      const key = `${frame.functionName}@${frame.url}:${frame.lineNumber}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = inclusive.get(key) ?? { fn: frame.functionName || '(anonymous)', where: whereOf(frame), us: 0 };
      entry.us += us;
      inclusive.set(key, entry);
    }
  }

  const ranked = (m: Map<string, { fn: string; where: string; us: number }>) =>
    [...m.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({ fn: e.fn, where: e.where, ms: ms(e.us), pct: pct(e.us) }));
  return {
    file,
    busyMs: ms(busyUs),
    idleMs: ms(idleUs),
    byPackage: [...byPackage]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: ms(us), pct: pct(us) })),
    topSelf: ranked(self),
    // Frames near the root (the event loop, Koa's dispatch) are 100 %: show those below 90 %.
    topInclusive: ranked(new Map([...inclusive].filter(([, e]) => e.us < busyUs * 0.9))),
  };
}

export function formatSummary(s: ProfileSummary): string {
  const lines = [`CPU profile ${path.relative(process.cwd(), s.file)}: ${s.busyMs} ms busy, ${s.idleMs} ms idle`];
  lines.push('  self time by package / file:');
  for (const p of s.byPackage) lines.push(`    ${String(p.pct).padStart(5)} %  ${p.name}`);
  lines.push('  top functions, self time:');
  for (const f of s.topSelf) lines.push(`    ${String(f.pct).padStart(5)} %  ${f.fn}  ${f.where}`);
  lines.push('  top functions, inclusive time:');
  for (const f of s.topInclusive) lines.push(`    ${String(f.pct).padStart(5)} %  ${f.fn}  ${f.where}`);
  return lines.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 20;
  if (args.length === 0) {
    console.error('usage: npx tsx bench/profile.ts <file.cpuprofile> [--top N]');
    process.exit(2);
  }
  for (const file of args) process.stdout.write(`${formatSummary(summarize(file, top))}\n`);
}
