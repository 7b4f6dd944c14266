import fs from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { RouteNotFound } from '../core/errors';

// The human-facing routes outside the contract: the interactive reference (Swagger UI, served
// from the swagger-ui-dist package, no CDN) and the static Redoc build from `npm run docs:build`.

const SWAGGER_ASSETS = new Map([
  ['swagger-ui.css', 'text/css'],
  ['swagger-ui-bundle.js', 'application/javascript'],
  ['swagger-ui-standalone-preset.js', 'application/javascript'],
  ['favicon-32x32.png', 'image/png'],
  ['favicon-16x16.png', 'image/png'],
]);

/** Swagger UI sets styles inline; Redoc's static build also runs inline scripts. Nothing else is loaded. */
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
].join('; ');
const REDOC_CSP = DOCS_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace("connect-src 'self'", "connect-src 'self'; worker-src 'self' blob:");

export function docsRouter(opts: { redocFile: string }) {
  const swaggerDir = getAbsoluteFSPath();
  // Beside this module's folder: src/docs when run from source, dist/src/docs once built (the build copies it).
  const page = fs.readFileSync(path.join(__dirname, '../docs/swagger-ui.html'), 'utf8');
  const init = fs.readFileSync(path.join(__dirname, '../docs/init.js'), 'utf8');
  const router = new Router();

  router.get('/docs', (ctx) => {
    ctx.set('Content-Security-Policy', DOCS_CSP);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = page;
  });
  router.get('/docs/init.js', (ctx) => {
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'application/javascript';
    ctx.body = init;
  });
  router.get('/docs/assets/:file', (ctx) => {
    const type = SWAGGER_ASSETS.get(ctx.params.file);
    if (!type) throw RouteNotFound(`No docs asset ${ctx.params.file}`);
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.type = type;
    ctx.body = fs.createReadStream(path.join(swaggerDir, ctx.params.file));
  });
  router.get('/docs/redoc', (ctx) => {
    if (!fs.existsSync(opts.redocFile)) throw RouteNotFound('The static docs are not built: run `npm run docs:build`');
    ctx.set('Content-Security-Policy', REDOC_CSP);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = fs.createReadStream(opts.redocFile);
  });
  return router;
}
