import { type Config, ConfigError, loadConfig } from '../config.js';
import { createLogger, type Logger } from '../logger.js';

/** Exit code for an invalid configuration (sysexits EX_CONFIG). */
export const exitConfigError = 78;

/** Loads and validates the configuration; on a problem prints what is wrong and exits non-zero. */
export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`custos: ${error.message}\n`);
      process.exit(exitConfigError);
    }
    throw error;
  }
}

export function loggerFor(config: Config): Logger {
  return createLogger(config.logLevel);
}

/** Prints a failure for a human and exits 1; the details go to the log. */
export function fail(logger: Logger, error: unknown, what: string): never {
  logger.error({ err: error }, what);
  process.stderr.write(`custos: ${what}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
