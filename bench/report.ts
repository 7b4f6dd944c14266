// The printed report: one table (service vs baseline, ratio per workload), then the other
// measurements and the targets of the performance issue, each marked met or not.

import type { RealisticResult, Stats } from './drive';

export const SERVICE = 'service (RLS on)';
export const BASELINE = 'baseline';
export const SERVICE_NO_RLS = 'service (RLS off)';

export interface Comparison {
  pass: 'main' | 'stress' | 'scale';
  workload: string;
  connections: number;
  note?: string;
  rows: Record<string, Stats>;
  /** service/baseline (and service without RLS/baseline): throughput and p99 ratios. */
  ratios: Record<string, { rps: number; p99: number; cpu: number }>;
}

export interface Target {
  name: string;
  value: string;
  limit: string;
  ok: boolean | null;
}

const r2 = (x: number) => Math.round(x * 100) / 100;

export function compare(pass: Comparison['pass'], workload: string, connections: number, rows: Record<string, Stats>, note?: string): Comparison {
  const ratios: Comparison['ratios'] = {};
  const base = rows[BASELINE];
  for (const [label, stats] of Object.entries(rows)) {
    if (label === BASELINE || !base) continue;
    ratios[label] = { rps: r2(stats.rps / base.rps), p99: r2(stats.p99 / base.p99), cpu: r2(stats.cpuUsPerRequest / base.cpuUsPerRequest) };
  }
  return { pass, workload, connections, note, rows, ratios };
}

function pad(cells: string[], widths: number[], right: boolean[]): string {
  return cells.map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
}

const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

export function formatTable(comparisons: Comparison[]): string {
  const header = ['workload', 'conns', 'target', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'non2xx', 'timeouts', 'peak RSS MB', 'CPU µs/req', 'req/s ratio', 'p99 ratio', 'CPU ratio'];
  const right = header.map((_, i) => i === 1 || i >= 3);
  const rows: string[][] = [];
  for (const c of comparisons) {
    const labels = Object.keys(c.rows).sort((a, b) => order(a) - order(b));
    labels.forEach((label, i) => {
      const s = c.rows[label];
      const ratio = c.ratios[label];
      rows.push([
        i === 0 ? `${c.workload}${c.note ? ` (${c.note})` : ''}` : '',
        i === 0 ? String(c.connections) : '',
        label,
        fmt(s.rps, 0),
        fmt(s.p50),
        fmt(s.p95),
        fmt(s.p99),
        String(s.errors),
        String(s.non2xx),
        String(s.timeouts),
        fmt(s.peakRssMb, 0),
        fmt(s.cpuUsPerRequest, 0),
        ratio ? ratio.rps.toFixed(2) : label === BASELINE ? '1.00' : '',
        ratio ? ratio.p99.toFixed(2) : label === BASELINE ? '1.00' : '',
        ratio ? ratio.cpu.toFixed(2) : label === BASELINE ? '1.00' : '',
      ]);
    });
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const lines = [pad(header, widths, right), widths.map((w) => '-'.repeat(w)).join('  ')];
  let pass = comparisons[0]?.pass;
  let index = 0;
  for (const c of comparisons) {
    if (c.pass !== pass) {
      lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
      pass = c.pass;
    }
    for (let i = 0; i < Object.keys(c.rows).length; i++) lines.push(pad(rows[index++], widths, right));
  }
  return lines.join('\n');
}

function order(label: string): number {
  return label === SERVICE ? 0 : label === BASELINE ? 1 : 2;
}

export function formatRealistic(engine: string, r: RealisticResult): string {
  const ops = Object.entries(r.byOperation)
    .map(([op, s]) => `${op} p95 ${fmt(s.p95)}`)
    .join(', ');
  return (
    `  ${engine.padEnd(7)} ${r.users} users, ${r.seconds} s, ${r.thinkMs} ms think time: ${r.requests} requests, ` +
    `p50 ${fmt(r.p50)} ms, p95 ${fmt(r.p95)} ms, p99 ${fmt(r.p99)} ms, max ${fmt(r.max)} ms, errors ${r.errors}, non2xx ${r.non2xx} (${ops})`
  );
}

export function formatTargets(targets: Target[]): string {
  return targets
    .map((t) => `  ${t.ok === null ? '·' : t.ok ? '✓' : '✗'} ${t.name}: ${t.value} (target ${t.limit})`)
    .join('\n');
}
