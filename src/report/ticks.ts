/** An axis range rounded outwards to round numbers, and the tick values inside it. */
export interface NiceScale {
  readonly min: number;
  readonly max: number;
  readonly ticks: readonly number[];
}

/**
 * Chooses about `count` ticks at a round step (1, 2 or 5 times a power of ten) covering
 * [min, max], and widens the range to the ticks around it. A range of one value is widened.
 */
export function niceScale(min: number, max: number, count = 5): NiceScale {
  if (!(max > min)) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    return niceScale(min - pad, max + pad, count);
  }
  const rough = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((multiple) => multiple * power).find((s) => s >= rough) as number;
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  // Multiplying integers by the step (rather than adding steps) keeps 0.1·3 from becoming 0.30000000000000004.
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const ticks = Array.from({ length: last - first + 1 }, (_, i) =>
    Number(((first + i) * step).toFixed(decimals)),
  );
  return { min: ticks[0], max: ticks[ticks.length - 1], ticks };
}
