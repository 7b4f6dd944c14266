// npm run docs:build: a self-contained static reference (Redoc) in docs/index.html.
// --inlineBundle embeds Redoc instead of loading it from a CDN; Redoc 3 still draws its footer
// logo from cdn.redoc.ly, so that one URL is replaced by an empty data URL (the image is hidden).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const out = 'docs/index.html';
execFileSync(
  'npx',
  ['redocly', 'build-docs', 'openapi.yaml', '--inlineBundle', '--title', 'Task API', '--output', out],
  { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
);
const html = fs.readFileSync(out, 'utf8').replace(/https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini(-full)?\.svg/g, 'data:,');
if (html.includes("cdn.redoc.ly")) throw new Error(`${out} still loads its logo from cdn.redoc.ly`);
fs.writeFileSync(out, html);
console.log(`wrote ${out} (${Math.round(html.length / 1024)} KiB, self-contained)`);
