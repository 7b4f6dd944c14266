import Router from '@koa/router';
import type { Context } from 'koa';
import { PROBLEM_TYPES, problemTypeUri, type ProblemTypeName } from '../core/problem-types';
import { titleFor } from '../core/problem';
import { RouteNotFound } from '../core/errors';

// The pages a problem's `type` names (RFC 9457 §3.1.1: a URI a person can dereference): one per
// kind of problem, and an index of them all, rendered from src/core/problem-types.ts. Outside the
// contract, like the docs pages.

const CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** The little Markdown the catalogue uses: `code`. */
const inline = (markdown: string) => escape(markdown).replace(/`([^`]+)`/g, '<code>$1</code>');

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} – Task API</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}code{background:#f3f3f3;padding:0 .2em}dt{font-weight:600;margin-top:1rem}</style>
</head><body>${body}</body></html>`;
}

function typePage(name: ProblemTypeName): string {
  const t = PROBLEM_TYPES[name];
  return page(
    name,
    `<p><a href="/problems">All problem types</a></p><h1><code>${problemTypeUri(name)}</code></h1>
<p>HTTP ${t.status} ${escape(titleFor(t.status))}</p><dl><dt>What it means</dt><dd>${inline(t.means)}</dd><dt>What to do</dt><dd>${inline(t.then)}</dd></dl>
<p>Match on <code>type</code> and <code>status</code>; <code>detail</code> is for people and may change.</p>`,
  );
}

function indexPage(): string {
  const rows = (Object.keys(PROBLEM_TYPES) as ProblemTypeName[])
    .map((name) => `<tr><td>${PROBLEM_TYPES[name].status}</td><td><a href="${problemTypeUri(name)}"><code>${name}</code></a></td><td>${inline(PROBLEM_TYPES[name].means)}</td></tr>`)
    .join('\n');
  return page('Problem types', `<h1>Problem types</h1><p>Every error is <code>application/problem+json</code> (RFC 9457) with one of these as its <code>type</code>.</p><table>${rows}</table>`);
}

export function problemPages() {
  const router = new Router();
  const send = (ctx: Context, html: string) => {
    ctx.set('Content-Security-Policy', CSP);
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = html;
  };
  router.get('/problems', (ctx) => send(ctx, indexPage()));
  router.get('/problems/:name', (ctx) => {
    const name = ctx.params.name;
    if (!Object.hasOwn(PROBLEM_TYPES, name)) throw RouteNotFound(`No problem type ${name}`);
    send(ctx, typePage(name as ProblemTypeName));
  });
  return router;
}
