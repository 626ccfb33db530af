import { readdirSync } from 'node:fs';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

// Import rules need no type information: leaving it out keeps this test fast (lint in CI runs the
// type-aware rules too, e.g. no-floating-promises).
const eslint = new ESLint({ overrideConfig: tseslint.configs.disableTypeChecked });

/** The rule ids lint reports for `source` as if it were the text of the file at `filePath`. */
async function lintAs(filePath: string, source: string): Promise<(string | null)[]> {
  const [result] = await eslint.lintText(`${source}\nexport const used = 1;\n`, { filePath });
  return result.messages.map((message) => message.ruleId);
}

describe('folder boundaries (README, Layout)', () => {
  it('fails lint on a wrong-way import: src/nn importing src/data', async () => {
    const rules = await lintAs(
      'src/nn/network.ts',
      "export type { Dataset } from '../data/dataset.js';",
    );
    expect(rules).toEqual(['no-restricted-imports']);
  });

  it('catches wrong-way imports from nested folders and into the CLI', async () => {
    expect(
      await lintAs('src/train/fast/plan.ts', "export { loadModel } from '../../model/load.js';"),
    ).toEqual(['no-restricted-imports']);
    expect(await lintAs('src/model/save.ts', "export { action } from '../cli/output.js';")).toEqual(
      ['no-restricted-imports'],
    );
    expect(await lintAs('src/index.ts', "export { buildProgram } from './cli/main.js';")).toEqual([
      'no-restricted-imports',
    ]);
  });

  it('lets each room import its own files, the rooms it depends on, and errors', async () => {
    const source = [
      "export { Matrix } from '../matrix/matrix.js';",
      "export { MnnError } from '../errors.js';",
      "export { countCorrect } from './network.js';",
    ].join('\n');
    expect(await lintAs('src/nn/activations.ts', source)).toEqual([]);
    expect(
      await lintAs(
        'src/train/fast/chunk.ts',
        "export type { Dataset } from '../../data/dataset.js';",
      ),
    ).toEqual([]);
  });

  it('has a rule for every folder of src/ but the CLI, which may import everything', async () => {
    const folders = readdirSync(new URL('../../src', import.meta.url), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    for (const folder of folders) {
      const config = (await eslint.calculateConfigForFile(`src/${folder}/any.ts`)) as {
        rules: Record<string, unknown>;
      };
      expect(config.rules['no-restricted-imports'] !== undefined, folder).toBe(folder !== 'cli');
    }
  });
});
