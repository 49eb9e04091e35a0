import { Command } from 'commander';
import { openRuntime } from '../runtime.js';
import { startServer, stopOnSignals } from '../server.js';
import { configOrExit, fail, loggerFor } from './context.js';
import { cliContext } from './operators.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description(
      'Run the API, console and privacy center; also runs background jobs unless CUSTOS_JOBS=false.',
    )
    .addHelpText(
      'after',
      '\nAll settings come from environment variables or CUSTOS_CONFIG; see `custos config`.',
    )
    .action(async () => {
      const config = configOrExit();
      const logger = loggerFor(config);
      try {
        const server = await startServer(config, logger);
        stopOnSignals(server.stop, logger, config.shutdownTimeout);
        process.stderr.write(
          [
            '',
            `Custos is running at ${server.url}`,
            `  Console         ${server.url}/console/`,
            `  Privacy center  ${server.url}/privacy/`,
            `  API reference   ${server.url}/docs`,
            `  Readiness       ${server.url}/ready`,
            `  Database        ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded, in ${config.dataDir}`}`,
            `  Background jobs ${config.jobs ? 'in this process' : 'off (run `custos worker`)'}`,
            'Press Ctrl-C to stop.',
            '',
          ].join('\n'),
        );
        // First start: no operator yet, so hand whoever started the server a one-time way in.
        const setup = await server.runtime.services.operators.issueFirstAdminToken(cliContext);
        if (setup) {
          process.stderr.write(
            `No operator exists yet. Create the first admin within ${Math.round(config.setupTokenTtl / 60_000)} minutes (one use),\n` +
              `in the console: ${setup.url}\n` +
              `or with the API:\n` +
              `  curl -X POST ${server.url}/v1/setup/first-admin -H 'content-type: application/json' \\\n` +
              `    -d '{"token":"${setup.token}","email":"you@example.org","displayName":"Your Name","password":"<12+ characters>"}'\n` +
              `  (or run \`custos operators create-admin\` later for a new token)\n\n`,
          );
        }
      } catch (error) {
        fail(logger, error, 'could not start');
      }
    });
}

export function workerCommand(): Command {
  return new Command('worker')
    .description('Run background jobs only (retention sweeps, reminders, webhooks, rewraps), no HTTP.')
    .action(async () => {
      const config = configOrExit();
      const logger = loggerFor(config);
      try {
        const runtime = await openRuntime({ config, logger });
        await runtime.jobs.start({ work: true });
        const instance = await runtime.services.instances.register('worker');
        stopOnSignals(
          async () => {
            await instance.stop();
            await runtime.close(config.shutdownTimeout);
          },
          logger,
          config.shutdownTimeout,
        );
        logger.info('worker started');
      } catch (error) {
        fail(logger, error, 'could not start the worker');
      }
    });
}
