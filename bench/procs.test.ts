import fs from 'node:fs';
import path from 'node:path';
import { startCommand } from './procs';

// The benchmark starts the service as `npm start` does: these hold it to that script.

describe('startCommand (the benchmark launches what npm start launches)', () => {
  it('takes the Node flags of the command after the build step', () => {
    expect(startCommand('npm run build --silent && node --max-semi-space-size=64 --enable-source-maps dist/src/server.js')).toEqual({
      command: 'node --max-semi-space-size=64 --enable-source-maps dist/src/server.js',
      nodeFlags: ['--max-semi-space-size=64', '--enable-source-maps'],
    });
  });

  it('has no flags when the script names none', () => {
    expect(startCommand('node dist/src/server.js').nodeFlags).toEqual([]);
  });

  it('refuses a start script it cannot read rather than measure something else', () => {
    expect(() => startCommand('npm run build && tsx src/server.ts')).toThrow(/start script/);
    expect(() => startCommand('node dist/other.js')).toThrow(/start script/);
  });

  it("reads this repository's start script", () => {
    const { scripts } = JSON.parse(fs.readFileSync(path.join(__dirname, '../package.json'), 'utf8'));
    expect(startCommand(scripts.start).command).toMatch(/^node .*dist\/src\/server\.js$/);
  });
});
