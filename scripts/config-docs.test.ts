import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { loadConfig } from '../src/core/config';
import { SETTINGS } from '../src/core/settings';
import { envExample, settingsTable, withTable } from './config-docs';

describe('config-docs', () => {
  test('the README table has one row per setting, in order', () => {
    const names = [...settingsTable().matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(names).toEqual(Object.keys(SETTINGS));
  });

  test('.env.example copied as it is starts the service exactly as no .env does', () => {
    expect(loadConfig(dotenv.parse(envExample()))).toEqual(loadConfig({}));
  });

  test('uncommenting every line that shows a default changes nothing either', () => {
    const defaults = Object.fromEntries(Object.entries(SETTINGS).flatMap(([name, s]) => ('default' in s && s.default !== undefined ? [[name, s.default]] : [])));
    const uncommented = envExample().replace(new RegExp(`^# (${Object.keys(defaults).join('|')})=`, 'gm'), '$1=');
    expect(loadConfig(dotenv.parse(uncommented))).toEqual(loadConfig({}));
  });

  test('the README and .env.example in the repository are what the settings say', () => {
    const root = path.resolve(__dirname, '..');
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(withTable(readme, settingsTable())).toBe(readme);
    expect(fs.readFileSync(path.join(root, '.env.example'), 'utf8')).toBe(envExample());
  });
});
