import chalk, { chalkStderr } from 'chalk';

/**
 * Whether colour is forced on or off, as chalk users expect: --color / --no-color first, then
 * FORCE_COLOR (chalk reads it itself, and it wins over NO_COLOR), then NO_COLOR (any non-empty
 * value: off). Undefined: chalk decides per stream (a terminal gets colour, a pipe or file none).
 */
export function colorOverride(
  flag: boolean | undefined,
  env: NodeJS.ProcessEnv,
): 'on' | 'off' | undefined {
  if (flag !== undefined) return flag ? 'on' : 'off';
  if (env.FORCE_COLOR !== undefined) return undefined;
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '' ? 'off' : undefined;
}

/** Applies the colour choice to stdout's styles (chalk) and stderr's (chalkStderr). */
export function applyColorChoice(flag: boolean | undefined, env: NodeJS.ProcessEnv): void {
  const override = colorOverride(flag, env);
  if (override === undefined) return;
  for (const styles of [chalk, chalkStderr]) {
    styles.level = override === 'off' ? 0 : (Math.max(styles.level, 1) as typeof styles.level);
  }
}
