import fs from 'node:fs';
import path from 'node:path';
import { SETTINGS, type Setting } from '../src/core/settings';

// npm run config:docs — writes the README's configuration table and .env.example from the
// settings (src/core/settings.ts), the one place each variable is declared.
// npm run config:check — fails when either differs from what config:docs would write (CI).

const ROOT = path.resolve(__dirname, '..');
const README = path.join(ROOT, 'README.md');
const ENV_EXAMPLE = path.join(ROOT, '.env.example');
const BEGIN = '<!-- settings:begin (npm run config:docs writes this table from src/core/settings.ts) -->';
const END = '<!-- settings:end -->';

const entries = () => Object.entries(SETTINGS) as [string, Setting][];

const defaultCell = (s: Setting) => (s.default !== undefined ? `\`${s.default}\`` : (s.defaultInWords ?? 'unset'));

/** The README's table of settings. */
export function settingsTable(): string {
  const rows = entries().map(([name, s]) => `| \`${name}\` | ${defaultCell(s)} | ${s.doc.replace(/\|/g, '\\|')} |`);
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** Markdown to the plain text of a comment: links to their text, no backticks or emphasis. */
const plain = (markdown: string) => markdown.replace(/\[([^\]]+)\]\([^)]+\)/g, '$1').replace(/[`*]/g, '');

function wrap(text: string, width = 98): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** .env.example: every setting, commented out, so a plain copy to .env changes nothing. */
export function envExample(): string {
  const head = [
    '# Copy to .env and adjust. Every line is commented out, so the copy starts the service exactly as',
    '# without one: uncomment what you change. Written from src/core/settings.ts by `npm run config:docs`;',
    '# README.md has the same list.',
  ];
  const blocks = entries().map(([name, s]) => {
    const value = s.default ?? s.example ?? '';
    const defaultNote = s.default === undefined && s.defaultInWords ? ` Default: ${plain(s.defaultInWords)}.` : '';
    return [...wrap(plain(s.doc) + '.' + defaultNote).map((l) => `# ${l}`), `# ${name}=${value}`].join('\n');
  });
  return `${[head.join('\n'), ...blocks].join('\n\n')}\n`;
}

/** The README with its settings table replaced by `table`. */
export function withTable(readme: string, table: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${BEGIN} … ${END} block`);
  return `${readme.slice(0, start + BEGIN.length)}\n${table}\n${readme.slice(end)}`;
}

function main() {
  const check = process.argv.includes('--check');
  const readme = fs.readFileSync(README, 'utf8');
  const wanted = [
    { file: README, now: readme, should: withTable(readme, settingsTable()) },
    { file: ENV_EXAMPLE, now: fs.existsSync(ENV_EXAMPLE) ? fs.readFileSync(ENV_EXAMPLE, 'utf8') : '', should: envExample() },
  ];
  const stale = wanted.filter((w) => w.now !== w.should);
  if (check) {
    for (const w of stale) console.error(`${path.relative(ROOT, w.file)} is not what src/core/settings.ts says: run npm run config:docs`);
    if (stale.length > 0) process.exit(1);
    console.log('README.md and .env.example match src/core/settings.ts');
    return;
  }
  for (const w of stale) fs.writeFileSync(w.file, w.should);
  console.log(stale.length ? `wrote ${stale.map((w) => path.relative(ROOT, w.file)).join(', ')}` : 'already up to date');
}

if (require.main === module) main();
