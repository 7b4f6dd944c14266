// The README's SDK example, as tests/sdk/package.test.ts takes it: between the markers
// `<!-- sdk-example:begin -->` and `<!-- sdk-example:end -->`, a ```ts block (the code, as written)
// and then a ```text block (what it prints).

export interface ReadmeExample {
  code: string;
  output: string;
}

const BETWEEN_MARKERS = /<!-- sdk-example:begin -->\n([\s\S]*?)<!-- sdk-example:end -->/;
const FENCED = /^```(\w+)\n([\s\S]*?)^```$/gm;

/** The example's code and printed output; throws, saying what is missing, when the README does not have them. */
export function readmeExample(readme: string): ReadmeExample {
  const section = BETWEEN_MARKERS.exec(readme)?.[1];
  if (section === undefined) throw new Error('README.md has no <!-- sdk-example:begin --> … <!-- sdk-example:end --> section');
  const blocks = [...section.matchAll(FENCED)].map(([, language, body]) => ({ language, body }));
  const [code, output] = blocks;
  if (blocks.length !== 2 || code?.language !== 'ts' || output?.language !== 'text') {
    throw new Error(`the README's sdk-example section must hold a \`\`\`ts block and then a \`\`\`text block, not ${blocks.map((b) => b.language).join(', ') || 'nothing'}`);
  }
  return { code: code.body, output: output.body };
}
