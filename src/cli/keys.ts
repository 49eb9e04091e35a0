import { Command } from 'commander';
import { isAppError } from '../lib/app-error.js';
import type { KeyRingStatus, KeysService } from '../modules/keys/keys-service.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { configOrExit, fail, loggerFor } from './context.js';
import { cliContext } from './operators.js';
import { createProgress } from './progress.js';

/** Runs `task` on a runtime with the job queue installed (not worked), then closes everything. */
async function withRuntime(what: string, task: (runtime: Runtime) => Promise<void>): Promise<void> {
  const config = configOrExit();
  const logger = loggerFor(config);
  const runtime = await openRuntime({ config, logger }).catch((error: unknown) =>
    fail(logger, error, 'cannot open the database'),
  );
  try {
    await runtime.jobs.start({ work: false });
    await task(runtime);
  } catch (error) {
    await runtime.close(1000);
    // A refusal (AppError) is an answer for the operator, not a fault worth a stack trace.
    if (isAppError(error)) {
      process.stderr.write(`custos: ${what}: ${error.message}\n`);
      process.exit(1);
    }
    fail(logger, error, what);
  }
  await runtime.close(1000);
}

export function describeStatus(status: KeyRingStatus): string {
  const lines = [
    `master keys from ${status.provider.source} (${status.provider.kind}); current version ${status.currentVersion}`,
    'version  fingerprint       data keys  state',
  ];
  for (const version of status.versions) {
    const state = [
      version.current ? 'current' : version.retiredAt ? `retired ${version.retiredAt.toISOString()}` : 'old',
      version.available ? '' : 'key not available here',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(
      `${String(version.version).padStart(7)}  ${version.fingerprint.padEnd(16)}  ${String(version.dataKeys).padStart(9)}  ${state}`,
    );
  }
  lines.push(
    status.pendingRewrap > 0
      ? `${status.pendingRewrap} of ${status.dataKeys} data keys still to rewrap to version ${status.currentVersion}`
      : `all ${status.dataKeys} data keys are on version ${status.currentVersion}`,
  );
  if (!status.indexKey.matchesDatabase) {
    lines.push('WARNING: the blind-index key of this instance is not the one this database was written with');
  }
  return `${lines.join('\n')}\n`;
}

/** Rewraps what is left in this process, with a progress bar (or lines when not on a terminal). */
async function rewrapHere(keys: KeysService, pending: number): Promise<void> {
  const progress = createProgress('Rewrapping data keys', pending);
  const result = await keys.rewrap(cliContext, {
    onProgress: (done) => progress.update(Math.min(done, pending)),
  });
  progress.stop();
  process.stdout.write(
    result.remaining === 0
      ? `all data keys are on master key version ${result.version} (${result.rewrapped} rewrapped here)\n`
      : `${result.remaining} data key(s) were locked by other transactions; run \`custos keys rewrap\` again\n`,
  );
  if (result.remaining > 0) process.exitCode = 1;
}

export function keysCommand(): Command {
  const command = new Command('keys').description(
    'The key ring: master key versions, rotation, rewrap of data keys, retirement.',
  );

  command
    .command('status')
    .description('Show master key versions, the data keys wrapped under each, and which version is current.')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      await withRuntime('cannot read the key ring', async (runtime) => {
        const status = await runtime.services.keys.status();
        process.stdout.write(options.json ? `${JSON.stringify(status)}\n` : describeStatus(status));
      });
    });

  command
    .command('rotate')
    .description(
      'Add a master key version (a new key file) and make it current; a background job rewraps the data keys.',
    )
    .option(
      '--wait',
      'rewrap in this process too and show progress until every data key is on the new version',
    )
    .action(async (options: { wait?: boolean }) => {
      await withRuntime('rotation failed', async (runtime) => {
        const rotation = await runtime.services.keys.rotate(cliContext, runtime.jobs);
        process.stdout.write(
          `master key version ${rotation.version} (fingerprint ${rotation.fingerprint}) is now current; ` +
            `${rotation.dataKeysToRewrap} data key(s) to rewrap from older versions\n`,
        );
        if (options.wait) await rewrapHere(runtime.services.keys, rotation.dataKeysToRewrap);
        else process.stdout.write('the keys.rewrap job rewraps them; follow it with `custos keys status`\n');
      });
    });

  command
    .command('rewrap')
    .description(
      'Rewrap every data key still under an older master key version, in this process, with progress.',
    )
    .action(async () => {
      await withRuntime('rewrap failed', async (runtime) => {
        const status = await runtime.services.keys.status();
        await rewrapHere(runtime.services.keys, status.pendingRewrap);
      });
    });

  command
    .command('retire')
    .description(
      'Retire a master key version that no data key uses any more (its key file may then be archived).',
    )
    .argument('<version>', 'the master key version to retire')
    .action(async (text: string) => {
      const version = Number(text);
      if (!Number.isSafeInteger(version) || version < 1) {
        process.stderr.write('custos: keys retire: <version> must be a positive whole number\n');
        process.exit(2);
      }
      await withRuntime('cannot retire the master key version', async (runtime) => {
        await runtime.services.keys.retire(cliContext, version);
        process.stdout.write(
          `master key version ${version} is retired; no data key uses it. Keep its key file with the backups that still need it.\n`,
        );
      });
    });

  return command;
}
