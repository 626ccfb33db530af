import { execFileSync } from 'node:child_process';

/** Builds dist/ once, so tests that run the CLI as a subprocess run the current source. */
export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
