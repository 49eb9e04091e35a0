import { readFileSync } from 'node:fs';
import { type App, buildApp } from './app.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { Logger } from './logger.js';
import { openRuntime, type Runtime } from './runtime.js';

export type RunningServer = { app: App; runtime: Runtime; url: string; stop(): Promise<void> };

function httpsOptions(config: Config) {
  if (!config.tlsCertFile || !config.tlsKeyFile) return undefined;
  return {
    cert: readFileSync(config.tlsCertFile),
    key: readFileSync(config.tlsKeyFile),
    minVersion: 'TLSv1.2' as const,
  };
}

/**
 * Opens the database (the one the configuration names, unless one is passed in), migrates, listens, and
 * then works jobs (unless disabled).
 */
export async function startServer(
  config: Config,
  logger: Logger,
  options: { database?: Database } = {},
): Promise<RunningServer> {
  const https = httpsOptions(config);
  const runtime = await openRuntime({ config, logger, ...options });
  let app: App | undefined;
  try {
    app = await buildApp({ ...runtime, ...(https ? { https } : {}) });
    // Jobs can be enqueued from the first request on, but are worked only once the listener is up: a job
    // that makes another system call back (a downstream task, a DRP callback) must find Custos answering.
    await runtime.jobs.start({ work: false });
    const instance = await runtime.services.instances.register('serve');
    await app.listen({ host: config.host, port: config.port });
    if (config.jobs) await runtime.jobs.work();
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `${https ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    const running = app;
    return {
      app: running,
      runtime,
      url,
      async stop() {
        // Order matters: stop taking requests and let in-flight ones finish, then let running jobs
        // finish, then deregister and close the database they all use.
        await running.close();
        await instance.stop();
        await runtime.close(config.shutdownTimeout);
      },
    };
  } catch (error) {
    await app?.close().catch(() => {});
    await runtime.close(1000).catch(() => {});
    throw error;
  }
}

/**
 * Stops gracefully on SIGTERM or SIGINT; a second signal, or a shutdown that outlives the timeout,
 * exits at once with a non-zero code.
 */
export function stopOnSignals(stop: () => Promise<void>, logger: Logger, timeoutMs: number): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown timed out: exiting now');
      process.exit(1);
    }, timeoutMs + 5000);
    force.unref();
    stop().then(
      () => {
        logger.info('stopped cleanly');
        logger.flush?.();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
