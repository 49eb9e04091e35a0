/** One measured figure, printed next to its baseline from the same run. */
export type BenchFigure = {
  /** Short name of the figure, e.g. `GET /health req/s`. */
  name: string;
  value: number;
  unit: string;
  /** The raw baseline measured in the same run (same machine, same moment). */
  baseline: number;
  baselineName: string;
  /** Optional target ratio (value / baseline) or absolute minimum the issue asks for. */
  targetRatio?: number;
  /** Optional ceiling on the ratio, for figures where less is better (a time against its baseline's). */
  targetMaxRatio?: number;
  targetValue?: number;
  /** Anything else worth keeping: latencies, parameters, database kind. */
  extra?: Record<string, unknown>;
};

export type BenchScenario = {
  name: string;
  description: string;
  run(): Promise<BenchFigure[]>;
};
