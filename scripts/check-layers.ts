import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

// npm run lint:layers — the service's layers, checked from its imports. A module may import from
// its own layer or from one below it, never above; and no two folders import each other, directly
// or round a loop. Prints the imports between layers; exits 1 naming every import that breaks a rule.

const ROOT = path.resolve(__dirname, '..');

/** Top to bottom. A path belongs to the first layer one of whose prefixes it starts with. */
export const LAYERS: { name: string; holds: string[]; what: string }[] = [
  { name: 'edge', holds: ['src/server.ts', 'src/supported-node.ts', 'src/cluster.ts', 'src/app.ts', 'src/http/'], what: 'process, Koa app, HTTP middleware' },
  { name: 'api', holds: ['src/api/'], what: 'the contract made executable: routing, security, validation, handlers' },
  { name: 'services', holds: ['src/services/', 'src/auth/'], what: 'use cases (caller first), tokens, passwords, throttles' },
  { name: 'migrations', holds: ['migrations/'], what: 'the schema, one change at a time' },
  { name: 'models', holds: ['src/models/', 'src/db/'], what: 'tables and the SQL that reaches them, connections, database errors' },
  { name: 'core', holds: ['src/core/', 'generated/'], what: 'configuration, log, the error catalogue, HTTP vocabulary, the generated types' },
];

export const layerOf = (file: string) => LAYERS.findIndex((layer) => layer.holds.some((prefix) => file === prefix || file.startsWith(prefix)));

/** Every .ts file the service is made of (relative to the repository root). */
function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (rel.endsWith('.ts') && !rel.endsWith('.d.ts')) out.push(rel);
    }
  };
  walk('src');
  walk('migrations');
  return out;
}

/** The repository files `file` imports (relative imports only; packages are outside the layers). */
export function importsOf(file: string, text: string): string[] {
  const found: string[] = [];
  for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
    if (!fileName.startsWith('.')) continue;
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), fileName.replace(/\.js$/, '')));
    const candidates = [`${base}.ts`, `${base}/index.ts`];
    const target = candidates.find((candidate) => fs.existsSync(path.join(ROOT, candidate)));
    if (target) found.push(target);
  }
  return found;
}

export interface Finding {
  from: string;
  to: string;
  why: string;
}

/** Imports that run upward, and folder loops (each reported once, as the loop's folders). */
export function findings(edges: [string, string][]): Finding[] {
  const found: Finding[] = [];
  for (const [from, to] of edges) {
    const a = layerOf(from);
    const b = layerOf(to);
    if (a < 0) found.push({ from, to, why: `${from} is in no layer (add it to LAYERS)` });
    else if (b < 0) found.push({ from, to, why: `${to} is in no layer (add it to LAYERS)` });
    else if (b < a) found.push({ from, to, why: `${LAYERS[a].name} imports ${LAYERS[b].name}, a layer above it` });
  }
  // Folder graph, then its strongly connected components: any with two folders or more is a loop.
  const folders = new Map<string, Set<string>>();
  for (const [from, to] of edges) {
    const a = path.posix.dirname(from);
    const b = path.posix.dirname(to);
    if (a === b) continue;
    if (!folders.has(a)) folders.set(a, new Set());
    folders.get(a)!.add(b);
  }
  for (const loop of stronglyConnected(folders)) {
    if (loop.length > 1) found.push({ from: loop[0], to: loop[1], why: `folders import each other round a loop: ${[...loop, loop[0]].join(' → ')}` });
  }
  return found;
}

/** Tarjan's algorithm. */
function stronglyConnected(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string) => {
    order.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!order.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, order.get(next)!));
    }
    if (low.get(node) === order.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component.reverse());
    }
  };
  for (const node of graph.keys()) if (!order.has(node)) visit(node);
  return components;
}

function main() {
  const edges: [string, string][] = [];
  for (const file of sourceFiles()) {
    for (const target of importsOf(file, fs.readFileSync(path.join(ROOT, file), 'utf8'))) edges.push([file, target]);
  }
  const between = new Map<string, number>();
  for (const [from, to] of edges) {
    const key = `${LAYERS[layerOf(from)]?.name ?? '?'} → ${LAYERS[layerOf(to)]?.name ?? '?'}`;
    between.set(key, (between.get(key) ?? 0) + 1);
  }
  const problems = findings(edges);
  console.log(`${edges.length} imports between ${new Set(edges.flat()).size} modules; by layer:`);
  for (const [key, n] of [...between].sort()) console.log(`  ${key}: ${n}`);
  if (problems.length === 0) {
    console.log('no import runs upward, no folder loop');
    return;
  }
  for (const p of problems) console.error(`  ${p.from} → ${p.to}: ${p.why}`);
  process.exit(1);
}

if (require.main === module) main();
