/**
 * The package as a user gets it: `npm pack`, install the tarball into a scratch project (from
 * npm's cache; the registry only for what the cache lacks), then type-check and run a short
 * TypeScript program against `import … from 'mnn'` — training, evaluation and saving.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The README's example: 784-32-10 on 1 000 packaged digits, evaluated and saved. */
const PROGRAM = `
import { createModel, evaluate, loadModel, loadPackagedMnist, saveModel, sliceDataset, train } from 'mnn';

const mnist = loadPackagedMnist();
const data = { train: sliceDataset(mnist.train, 0, 1000), test: mnist.test };
const options = { layerSizes: [784, 32, 10], alpha: 0.5, iterations: 100, seed: 1, init: 'he', evalEvery: 25 } as const;
const result = await train(data, options);
const { accuracy } = evaluate(result.parameters, mnist.test);
saveModel('model.json', createModel(result.parameters));
console.log(JSON.stringify({ accuracy, iterations: result.iteration, layers: loadModel('model.json').parameters.layerSizes }));
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    // The program is checked against mnn's declarations; checking all of @types/node too would
    // triple the time and test nothing of ours.
    skipLibCheck: true,
    outDir: 'out',
    types: ['node'],
    typeRoots: [join(ROOT, 'node_modules', '@types')],
  },
  files: ['program.ts'],
};

const scratch = mkdtempSync(join(tmpdir(), 'mnn-user-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs a command in the scratch project and returns its stdout. */
function run(command: string, args: string[], cwd = scratch): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('the packed package', () => {
  it('installs from its tarball, type-checks and runs a program that trains, evaluates and saves', () => {
    // dist/ is fresh: the test setup built it.
    const [packed] = JSON.parse(
      run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], ROOT),
    ) as { filename: string }[];
    writeFileSync(
      join(scratch, 'package.json'),
      JSON.stringify({ name: 'mnn-user', private: true, type: 'module' }),
    );
    run('npm', [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      join(scratch, packed.filename),
    ]);
    writeFileSync(join(scratch, 'program.ts'), PROGRAM);
    writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.']);
    const output = JSON.parse(run(process.execPath, [join('out', 'program.js')])) as {
      accuracy: number;
      iterations: number;
      layers: number[];
    };
    expect(output.iterations).toBe(100);
    expect(output.layers).toEqual([784, 32, 10]);
    expect(output.accuracy).toBeGreaterThan(0.7);
    const installed = JSON.parse(
      readFileSync(join(scratch, 'node_modules', 'mnn', 'package.json'), 'utf8'),
    ) as { exports: unknown };
    expect(installed.exports).toHaveProperty(['.', 'types']);
  }, 300_000);
});
