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
  if (figure.targetRatio === undefined && figure.targetValue === undefined) return undefined;
  return (
    (figure.targetRatio === undefined || ratio >= figure.targetRatio) &&
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

function printTable(rows: { scenario: string; figure: string; result: FigureResult }[]) {
  const header = ['scenario', 'figure', 'value', 'baseline', 'ratio', 'target', 'result'];
  const lines = rows.map(({ scenario, figure, result }) => [
    scenario,
    figure,
    `${formatNumber(result.value)} ${result.unit}`,
    `${formatNumber(result.baseline)} ${result.unit} (${result.baselineName})`,
    `${(result.ratio * 100).toFixed(1)}%`,
    [
      result.targetRatio === undefined ? '' : `>= ${result.targetRatio * 100}%`,
      result.targetValue === undefined ? '' : `>= ${formatNumber(result.targetValue)} ${result.unit}`,
    ]
      .filter(Boolean)
      .join(', ') || '—',
    result.meetsTarget === undefined ? '' : result.meetsTarget ? 'ok' : 'BELOW TARGET',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => (line[column] ?? '').length)),
  );
  const format = (cells: string[]) =>
    cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  process.stdout.write(`\n${format(header)}\n${format(widths.map((width) => '-'.repeat(width)))}\n`);
  for (const line of lines) process.stdout.write(`${format(line)}\n`);
}

async function readResults(): Promise<Results> {
  try {
    return JSON.parse(await readFile(resultsFile, 'utf8')) as Results;
  } catch {
    return {};
  }
}

async function main(names: string[]): Promise<number> {
  const unknown = names.filter((name) => !scenarios.some((scenario) => scenario.name === name));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown scenario: ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}\n`,
    );
    return 2;
  }
  const selected = names.length === 0 ? scenarios : scenarios.filter((s) => names.includes(s.name));
  const results: Results = {};
  const rows: { scenario: string; figure: string; result: FigureResult }[] = [];
  let failed = false;

  for (const scenario of selected) {
    process.stdout.write(`${scenario.name}: ${scenario.description}\n`);
    try {
      const figures = await scenario.run();
      const measuredAt = new Date().toISOString();
      // A scenario's figures replace its previous ones; other scenarios keep their last results.
      results[scenario.name] = Object.fromEntries(
        figures.map((figure) => [figure.name, resultOf(figure, measuredAt)]),
      );
      for (const figure of figures) {
        const result = results[scenario.name]?.[figure.name] as FigureResult;
        rows.push({ scenario: scenario.name, figure: figure.name, result });
        if (result.meetsTarget === false) failed = true;
      }
    } catch (error) {
      failed = true;
      process.stderr.write(
        `${scenario.name} failed: ${error instanceof Error ? error.stack : String(error)}\n`,
      );
    }
  }

  printTable(rows);
  // Read just before writing, so results another run wrote meanwhile are kept too.
  const merged = { ...(await readResults()), ...results };
  await mkdir(dirname(resultsFile), { recursive: true });
  await writeFile(resultsFile, `${JSON.stringify(merged, null, 2)}\n`);
  process.stdout.write(`\nresults written to bench/results/latest.json\n`);
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
