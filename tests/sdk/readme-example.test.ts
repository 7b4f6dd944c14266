import fs from 'node:fs';
import path from 'node:path';
import { readmeExample } from './readme-example';

// Taking the SDK example out of the README (tests/sdk/package.test.ts compiles and runs it).

const section = (inner: string) => `# Title\n\n<!-- sdk-example:begin -->\n${inner}<!-- sdk-example:end -->\n`;

test('takes the ts block as the code and the text block as its output, as written', () => {
  const readme = section("```ts\nconsole.log('hi');\n\nconsole.log('```');\n```\n\nIt prints:\n\n```text\nhi\n```\n");
  expect(readmeExample(readme)).toEqual({ code: "console.log('hi');\n\nconsole.log('```');\n", output: 'hi\n' });
});

test('says what is missing: the markers, or a block', () => {
  expect(() => readmeExample('# Title\n```ts\nx\n```\n')).toThrow('no <!-- sdk-example:begin -->');
  expect(() => readmeExample(section('```ts\nx\n```\n'))).toThrow('not ts');
  expect(() => readmeExample(section('```js\nx\n```\n```text\nx\n```\n'))).toThrow('not js, text');
});

test("the README's example imports only the package and reads the service's URL from TASK_API_URL", () => {
  const { code } = readmeExample(fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8'));
  expect([...code.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1])).toEqual(['@task-api/sdk']);
  expect(code).toContain('process.env.TASK_API_URL');
});
