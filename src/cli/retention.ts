import { Command } from 'commander';
import type { RetentionPreview } from '../modules/retention/retention-preview.js';
import { runActions } from '../modules/retention/retention-runs.js';
import { readScheduleFile } from '../modules/retention/retention-schedule-file.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { configOrExit, fail, loggerFor } from './context.js';
import { cliContext } from './operators.js';
import { createProgress } from './progress.js';

type Preview = Awaited<ReturnType<RetentionPreview['preview']>>;

/** One line per rule: what it would do now and within the window. */
function printPreview(preview: Preview): void {
  const out = process.stdout;
  out.write(
    `Retention preview at ${preview.at.toISOString()} (due soon: until ${preview.until.toISOString()})\n`,
  );
  if (preview.rules.length === 0) out.write('  no rule covers any record\n');
  for (const entry of preview.rules) {
    out.write(
      `  ${entry.rule.name} [${entry.action}] in ${entry.collections.join(', ')}: now ${entry.now.records} records / ${entry.now.subjects} subjects; soon ${entry.soon.records} / ${entry.soon.subjects}; held ${entry.held}\n`,
    );
  }
  for (const overlap of preview.overlaps) {
    const rules = overlap.rules
      .map((rule) => `${rule.name} (${rule.action}${rule.grounded ? ', legal ground' : ''})`)
      .join(', ');
    out.write(
      `  overlap in ${overlap.collection}: ${rules}; per record, the rule with a legal ground keeping it longest decides, else the rule due first\n`,
    );
  }
}

async function withRuntime(what: string, work: (runtime: Runtime) => Promise<void>): Promise<void> {
  const config = configOrExit();
  const logger = loggerFor(config);
  const runtime = await openRuntime({ config, logger }).catch((error: unknown) =>
    fail(logger, error, 'cannot open the database'),
  );
  try {
    await work(runtime);
  } catch (error) {
    await runtime.close(1000);
    fail(logger, error, what);
  }
  await runtime.close(1000);
}

export function retentionCommand(): Command {
  const command = new Command('retention').description('Retention schedules: load rules, preview, run.');

  command
    .command('load')
    .description('Load a retention schedule file (rules, and the collections and purposes they name).')
    .argument('<file>', 'a JSON schedule, e.g. examples/retention-schedule.json')
    .action(async (file: string) => {
      await withRuntime('loading the schedule failed', async (runtime) => {
        const loaded = await runtime.services.loadRetentionSchedule(cliContext, readScheduleFile(file));
        process.stdout.write(
          `${loaded.rules.length} rules loaded; created collections: ${loaded.collections.join(', ') || 'none'}; purposes: ${loaded.purposes.join(', ') || 'none'}\n`,
        );
      });
    });

  command
    .command('preview')
    .description('Dry run: per rule, what would be deleted, anonymized or shredded now and soon.')
    .option('--days <days>', 'the due-soon window in days', (value) => Number.parseInt(value, 10))
    .option('--json', 'print the preview as JSON')
    .action(async (options: { days?: number; json?: boolean }) => {
      await withRuntime('the preview failed', async (runtime) => {
        const preview = await runtime.services.retentionPreview.preview(options.days);
        if (options.json) process.stdout.write(`${JSON.stringify(preview, null, 2)}\n`);
        else printPreview(preview);
      });
    });

  command
    .command('run')
    .description('Run every rule now, in the foreground, with a progress bar (joins a run in progress).')
    .option('--dry-run', 'only show what the run would do (the preview)')
    .action(async (options: { dryRun?: boolean }) => {
      await withRuntime('the retention run failed', async (runtime) => {
        const preview = await runtime.services.retentionPreview.preview();
        if (options.dryRun) {
          printPreview(preview);
          return;
        }
        const acting = new Set(runActions.manual);
        const total = preview.rules
          .filter((entry) => acting.has(entry.action))
          .reduce((sum, entry) => sum + entry.now.records, 0);
        const progress = createProgress('Retention run', total);
        const run = await runtime.services.retentionRuns.run(cliContext, 'manual', {
          onProgress: ({ processed, collection }) => progress.update(Math.min(processed, total), collection),
        });
        progress.stop();
        const byRule = new Map(preview.rules.map((entry) => [entry.rule.id, entry.rule.name]));
        process.stdout.write(`Run ${run.id} ${run.status}\n`);
        for (const [ruleId, result] of Object.entries(run.results)) {
          process.stdout.write(
            `  ${byRule.get(ruleId) ?? ruleId} [${result.action}]: ${result.records} records, ${result.subjects} subjects; due soon ${result.dueSoon}\n`,
          );
        }
      });
    });

  return command;
}
