import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenario as auditScenario } from './scenarios/audit.js';
import { breachesScenario } from './scenarios/breaches.js';
import { consentScenario } from './scenarios/consent.js';
import { httpScenario } from './scenarios/http.js';
import { inventoryScenario } from './scenarios/inventory.js';
import { scenario as vaultCryptoScenario } from './scenarios/keys.js';
import { monitoringScenario } from './scenarios/monitoring.js';
import { reportsScenario } from './scenarios/reports.js';
import { requestsScenario } from './scenarios/requests.js';
import { retentionScenario } from './scenarios/retention.js';
import { sdkScenario } from './scenarios/sdk.js';
import { transfersScenario } from './scenarios/transfers.js';
import { vaultScenario } from './scenarios/vault.js';
import type { BenchFigure, BenchScenario } from './types.js';

/** Every scenario, in the order `npm run bench` runs them. A new scenario is one file and one line here. */
const scenarios: BenchScenario[] = [
  httpScenario,
  vaultCryptoScenario,
  vaultScenario,
  auditScenario,
  consentScenario,
  requestsScenario,
  inventoryScenario,
  breachesScenario,
  retentionScenario,
  transfersScenario,
  sdkScenario,
  monitoringScenario,
  reportsScenario,
];

const resultsFile = fileURLToPath(new URL('./results/latest.json', import.meta.url));

type FigureResult = Omit<BenchFigure, 'name'> & { ratio: number; meetsTarget?: boolean; measuredAt: string };
type Results = Record<string, Record<string, FigureResult>>;

function meetsTarget(figure: BenchFigure, ratio: number): boolean | undefined {
  if (
    figure.targetRatio === undefined &&
    figure.targetValue === undefined &&
    figure.targetMaxRatio === undefined
  )
    return undefined;
  return (
    (figure.targetRatio === undefined || ratio >= figure.targetRatio) &&
    (figure.targetMaxRatio === undefined || ratio <= figure.targetMaxRatio) &&
    (figure.targetValue === undefined || figure.value >= figure.targetValue)
  );
}

function resultOf(figure: BenchFigure, measuredAt: string): FigureResult {
  const { name: _name, ...rest } = figure;
  const ratio = figure.baseline === 0 ? 0 : Math.round((figure.value / figure.baseline) * 1000) / 1000;
  const met = meetsTarget(figure, ratio);
  return { ...rest, ratio, ...(met === undefined ? {} : { meetsTarget: met }), measuredAt };
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(2);
}

type Row = { scenario: string; figure: string; results: Partial<Record<DatabaseKind, FigureResult>> };
type DatabaseKind = 'postgres' | 'pglite';

function targetOf(result: FigureResult): string {
  return (
    [
      result.targetRatio === undefined ? '' : `>= ${result.targetRatio * 100}%`,
      result.targetMaxRatio === undefined ? '' : `<= ${result.targetMaxRatio * 100}%`,
      result.targetValue === undefined ? '' : `>= ${formatNumber(result.targetValue)} ${result.unit}`,
    ]
      .filter(Boolean)
      .join(', ') || '—'
  );
}

/** One line per figure; with both databases, their value, baseline and ratio side by side. */
function printTable(rows: Row[], kinds: DatabaseKind[]) {
  const label = (kind: DatabaseKind) => (kinds.length === 1 ? '' : ` (${kind})`);
  const header = [
    'scenario',
    'figure',
    ...kinds.flatMap((kind) => [`value${label(kind)}`, `baseline${label(kind)}`, `ratio${label(kind)}`]),
    'target',
    'result',
  ];
  const lines = rows.map(({ scenario, figure, results }) => {
    const present = kinds.flatMap((kind) => (results[kind] ? [results[kind]] : []));
    const first = present[0] as FigureResult;
    return [
      scenario,
      figure,
      ...kinds.flatMap((kind) => {
        const result = results[kind];
        if (!result) return ['—', '—', '—'];
        return [
          `${formatNumber(result.value)} ${result.unit}`,
          `${formatNumber(result.baseline)} ${result.unit}${kinds.length === 1 ? ` (${result.baselineName})` : ''}`,
          `${(result.ratio * 100).toFixed(1)}%`,
        ];
      }),
      targetOf(first),
      present.some((result) => result.meetsTarget === false)
        ? 'BELOW TARGET'
        : present.some((result) => result.meetsTarget)
          ? 'ok'
          : '',
    ];
  });
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => (line[column] ?? '').length)),
  );
  const format = (cells: string[]) =>
    cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  process.stdout.write(`\n${format(header)}\n${format(widths.map((width) => '-'.repeat(width)))}\n`);
  for (const line of lines) process.stdout.write(`${format(line)}\n`);
  if (kinds.length > 1) {
    process.stdout.write('\nbaselines:\n');
    for (const { scenario, figure, results } of rows) {
      const any = Object.values(results)[0];
      if (any) process.stdout.write(`  ${scenario} / ${figure}: ${any.baselineName}\n`);
    }
  }
  for (const { scenario, figure, results } of rows) {
    for (const kind of kinds) {
      const spread = results[kind]?.extra?.roundRatios as Record<string, number> | undefined;
      if (spread)
        process.stdout.write(
          `\n${scenario} / ${figure}${label(kind)}: per-round ratios ${Object.entries(spread)
            .map(([name, ratio]) => `${name} ${(ratio * 100).toFixed(1)}%`)
            .join(', ')}\n`,
        );
    }
  }
}

async function readResults(): Promise<Results> {
  try {
    return JSON.parse(await readFile(resultsFile, 'utf8')) as Results;
  } catch {
    return {};
  }
}

/** The key a figure measured on PGlite is kept under when both databases run (`--both`). */
const pgliteSuffix = ' [pglite]';

async function main(argv: string[]): Promise<number> {
  const both = argv.includes('--both');
  const names = argv.filter((name) => name !== '--both');
  const unknown = names.filter((name) => !scenarios.some((scenario) => scenario.name === name));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown scenario: ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}\n`,
    );
    return 2;
  }
  const postgresUrl = process.env.DATABASE_URL;
  if (both && !postgresUrl) {
    process.stderr.write('--both runs each scenario on PostgreSQL (DATABASE_URL) and on PGlite\n');
    return 2;
  }
  // With --both, each scenario runs on PostgreSQL, then on the embedded database, in the same run.
  const kinds: DatabaseKind[] = both ? ['postgres', 'pglite'] : [postgresUrl ? 'postgres' : 'pglite'];
  const selected = names.length === 0 ? scenarios : scenarios.filter((s) => names.includes(s.name));
  const results: Results = {};
  const rows: Row[] = [];
  let failed = false;

  for (const scenario of selected) {
    for (const kind of kinds) {
      if (kind === 'postgres') process.env.DATABASE_URL = postgresUrl;
      else delete process.env.DATABASE_URL;
      process.stdout.write(`${scenario.name}${both ? ` (${kind})` : ''}: ${scenario.description}\n`);
      try {
        const figures = await scenario.run();
        const measuredAt = new Date().toISOString();
        // A scenario's figures replace its previous ones; other scenarios keep their last results.
        const suffix = both && kind === 'pglite' ? pgliteSuffix : '';
        results[scenario.name] = {
          ...(results[scenario.name] ?? {}),
          ...Object.fromEntries(
            figures.map((figure) => [`${figure.name}${suffix}`, resultOf(figure, measuredAt)]),
          ),
        };
        for (const figure of figures) {
          const result = results[scenario.name]?.[`${figure.name}${suffix}`] as FigureResult;
          let row = rows.find((line) => line.scenario === scenario.name && line.figure === figure.name);
          if (!row) {
            row = { scenario: scenario.name, figure: figure.name, results: {} };
            rows.push(row);
          }
          row.results[kind] = result;
          if (result.meetsTarget === false) failed = true;
        }
      } catch (error) {
        failed = true;
        process.stderr.write(
          `${scenario.name} failed: ${error instanceof Error ? error.stack : String(error)}\n`,
        );
      }
    }
  }
  if (postgresUrl) process.env.DATABASE_URL = postgresUrl;

  printTable(rows, kinds);
  // Read just before writing, so results another run wrote meanwhile are kept too.
  // Figures merge one by one, so a scenario run in part (BENCH_VAULT_PARTS) keeps its other figures.
  const previous = await readResults();
  const merged = { ...previous };
  for (const [name, figures] of Object.entries(results))
    merged[name] = { ...(previous[name] ?? {}), ...figures };
  await mkdir(dirname(resultsFile), { recursive: true });
  await writeFile(resultsFile, `${JSON.stringify(merged, null, 2)}\n`);
  process.stdout.write(`\nresults written to bench/results/latest.json\n`);
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
