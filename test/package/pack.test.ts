/**
 * The package as a user gets it: `npm pack`, install the tarball into a scratch project (from
 * npm's cache; the registry only for what the cache lacks), then type-check and run a short
 * TypeScript program against `import … from 'mnn'` — the README's example, which trains,
 * evaluates and saves.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The README's example (its \`\`\`ts block): 784-32-10 on 1 000 packaged digits, evaluated and saved. */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (example === undefined) throw new Error('README.md has no ```ts example');
  return example;
}

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
    const example = readmeExample();
    expect(example).toContain("from 'mnn'");
    writeFileSync(join(scratch, 'program.ts'), example);
    writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.']);
    const lines = run(process.execPath, [join('out', 'program.js')])
      .trim()
      .split('\n');
    expect(lines.slice(0, -1)).toEqual(
      [0, 25, 50, 75, 100].map((i) => expect.stringMatching(new RegExp(`^iteration ${i}: loss `))),
    );
    const accuracy = Number(/^test accuracy (\S+)$/.exec(lines.at(-1) ?? '')?.[1]);
    expect(accuracy).toBeGreaterThan(0.7);
    const model = JSON.parse(readFileSync(join(scratch, 'model.json'), 'utf8')) as {
      format: string;
      layers: number[];
    };
    expect(model).toMatchObject({ format: 'mnn-model', layers: [784, 32, 10] });
    const installed = JSON.parse(
      readFileSync(join(scratch, 'node_modules', 'mnn', 'package.json'), 'utf8'),
    ) as { exports: unknown };
    expect(installed.exports).toHaveProperty(['.', 'types']);
  }, 300_000);
});
