/** What alternating rounds of a measurement and its baseline gave. */
export type Alternated = {
  /** Median of the measured rounds. */
  value: number;
  /** Median of the baseline rounds. */
  baseline: number;
  /** Median of the per-round ratios (measured / baseline of the same round). */
  ratio: number;
  /** The spread of the per-round ratios: min, quartiles, median, max. */
  roundRatios: { min: number; p25: number; median: number; p75: number; max: number };
  roundValues: number[];
  baselineRoundValues: number[];
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const rounded = (ratio: number) => Math.round(ratio * 1000) / 1000;

/**
 * Runs a measurement and its baseline in turns, `rounds` times, the order swapped every round, so a
 * burst of load from a neighbour on a shared machine spoils one round's ratio, not the result. Each
 * function returns a rate (more is better) measured over its round.
 */
export async function alternate(
  rounds: number,
  measure: () => Promise<number>,
  baseline: () => Promise<number>,
): Promise<Alternated> {
  const values: number[] = [];
  const baselines: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    if (round % 2 === 0) {
      values.push(await measure());
      baselines.push(await baseline());
    } else {
      baselines.push(await baseline());
      values.push(await measure());
    }
  }
  const ratios = values.map((value, round) => value / (baselines[round] || 1)).sort((a, b) => a - b);
  const at = (fraction: number) =>
    ratios[Math.min(ratios.length - 1, Math.floor(fraction * ratios.length))] ?? 0;
  return {
    value: median(values),
    baseline: median(baselines),
    ratio: median(ratios),
    roundRatios: {
      min: rounded(ratios[0] ?? 0),
      p25: rounded(at(0.25)),
      median: rounded(median(ratios)),
      p75: rounded(at(0.75)),
      max: rounded(ratios.at(-1) ?? 0),
    },
    roundValues: values,
    baselineRoundValues: baselines,
  };
}

/**
 * The figure's value and baseline so that the ratio `npm run bench` prints is the median of the
 * per-round ratios: the baseline is the median baseline round, the value that ratio of it.
 */
export function figureOf(alternated: Alternated): { value: number; baseline: number } {
  return {
    value: Math.round(alternated.ratio * alternated.baseline),
    baseline: Math.round(alternated.baseline),
  };
}
