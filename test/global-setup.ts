import { execFileSync } from 'node:child_process';

/** Builds dist/ (and the served page's script) once, so CLI tests run the current source. */
export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  execFileSync('npm', ['run', '--silent', 'build:page'], { stdio: 'inherit' });
}
