import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { faker } from '@faker-js/faker';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, settings, settingsMarkdown } from './config.js';

faker.seed(11);

const dir = mkdtempSync(join(tmpdir(), 'custos-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(content: unknown): string {
  const path = join(dir, `${faker.string.alphanumeric(8)}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** The problems loadConfig reports for an environment, or [] when it accepts it. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('configuration', () => {
  it('runs with no settings at all, on the embedded database in ./data', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      databaseUrl: undefined,
      logLevel: 'info',
      jobs: true,
      corsOrigins: [],
      trustProxy: [],
      tlsCertFile: undefined,
      requestTimeout: 30_000,
      shutdownTimeout: 10_000,
      configFile: undefined,
    });
    expect(isAbsolute(config.dataDir)).toBe(true);
    expect(config.dataDir.endsWith('data')).toBe(true);
  });

  it('parses booleans, lists and durations the way they are written in an environment', () => {
    const origins = [faker.internet.url(), faker.internet.url()];
    const config = loadConfig({
      CUSTOS_JOBS: 'false',
      CUSTOS_CORS_ORIGINS: ` ${origins[0]}, ${origins[1]} ,`,
      CUSTOS_SHUTDOWN_TIMEOUT: '2m',
    });
    expect(config.jobs).toBe(false);
    expect(config.corsOrigins).toEqual(origins);
    expect(config.shutdownTimeout).toBe(120_000);
  });

  it('takes the environment over the config file, and the config file over the defaults', () => {
    const fromFile = faker.internet.port();
    const fromEnv = faker.internet.port();
    const path = configFile({ port: fromFile, host: '0.0.0.0', logLevel: 'warn' });
    const config = loadConfig({
      CUSTOS_CONFIG: path,
      CUSTOS_PORT: String(fromEnv),
      CUSTOS_LOG_LEVEL: 'debug',
    });
    expect(config.port).toBe(fromEnv);
    expect(config.logLevel).toBe('debug');
    expect(config.host).toBe('0.0.0.0');
    expect(config.configFile).toBe(path);
  });

  it('names the variable of an invalid value and never repeats the value', () => {
    const secret = faker.string.alphanumeric(10);
    const problems = problemsOf({
      CUSTOS_PORT: `port-${secret}`,
      CUSTOS_METRICS_TOKEN: secret,
      DATABASE_URL: `mysql://root:${secret}@db/custos`,
      CUSTOS_LOG_LEVEL: `loud-${secret}`,
    });
    expect(problems).toHaveLength(4);
    for (const variable of ['CUSTOS_PORT', 'CUSTOS_METRICS_TOKEN', 'DATABASE_URL', 'CUSTOS_LOG_LEVEL']) {
      expect(problems.some((problem) => problem.startsWith(`${variable}:`))).toBe(true);
    }
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('names the file and key of an invalid config-file value without repeating it', () => {
    const secret = faker.string.alphanumeric(12);
    const path = configFile({ databaseUrl: `redis://${secret}` });
    const problems = problemsOf({ CUSTOS_CONFIG: path });
    expect(problems).toEqual([expect.stringContaining(`${path}: databaseUrl`)]);
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('refuses a TLS certificate without its key, and a key without its certificate', () => {
    const certOnly = problemsOf({ CUSTOS_TLS_CERT_FILE: join(dir, 'cert.pem') });
    expect(certOnly).toEqual([expect.stringContaining('CUSTOS_TLS_KEY_FILE')]);
    const keyOnly = problemsOf({ CUSTOS_TLS_KEY_FILE: join(dir, 'key.pem') });
    expect(keyOnly).toEqual([expect.stringContaining('CUSTOS_TLS_CERT_FILE')]);
  });

  it('refuses a config file with a key it does not know, so a typo is not silently ignored', () => {
    const path = configFile({ port: 9000, databseUrl: 'postgres://localhost/custos' });
    expect(problemsOf({ CUSTOS_CONFIG: path })).toEqual([`${path}: unknown setting "databseUrl"`]);
  });

  it('refuses a config file that is missing or not a JSON object', () => {
    expect(problemsOf({ CUSTOS_CONFIG: join(dir, 'missing.json') })[0]).toMatch(
      /^CUSTOS_CONFIG: cannot read/,
    );
    expect(problemsOf({ CUSTOS_CONFIG: configFile('{ "port": ') })[0]).toMatch(/is not valid JSON$/);
    expect(problemsOf({ CUSTOS_CONFIG: configFile([1, 2]) })[0]).toMatch(/must hold a JSON object$/);
  });
});

describe('the public URL in links Custos sends', () => {
  it('follows CUSTOS_HOST and CUSTOS_PORT when CUSTOS_PUBLIC_URL is unset', () => {
    expect(loadConfig({}).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ CUSTOS_PORT: '9123' }).publicUrl).toBe('http://localhost:9123');
    expect(loadConfig({ CUSTOS_HOST: 'custos.internal', CUSTOS_PORT: '8443' }).publicUrl).toBe(
      'http://custos.internal:8443',
    );
    expect(loadConfig({ CUSTOS_HOST: '10.1.2.3', CUSTOS_PORT: '80' }).publicUrl).toBe('http://10.1.2.3');
    expect(loadConfig({ CUSTOS_HOST: 'fd00::5', CUSTOS_PORT: '9000' }).publicUrl).toBe(
      'http://[fd00::5]:9000',
    );
  });

  it('names localhost for a wildcard or loopback listener, which no browser opens as such', () => {
    for (const host of ['0.0.0.0', '::', '[::]', '127.0.0.1', '::1']) {
      expect(loadConfig({ CUSTOS_HOST: host, CUSTOS_PORT: '3000' }).publicUrl, host).toBe(
        'http://localhost:3000',
      );
    }
  });

  it('uses https when Custos serves TLS itself', () => {
    const tls = { CUSTOS_TLS_CERT_FILE: join(dir, 'cert.pem'), CUSTOS_TLS_KEY_FILE: join(dir, 'key.pem') };
    expect(loadConfig({ ...tls, CUSTOS_HOST: '0.0.0.0', CUSTOS_PORT: '8443' }).publicUrl).toBe(
      'https://localhost:8443',
    );
    expect(loadConfig({ ...tls, CUSTOS_HOST: 'privacy.example.org', CUSTOS_PORT: '443' }).publicUrl).toBe(
      'https://privacy.example.org',
    );
  });

  it('keeps CUSTOS_PUBLIC_URL when it is set, whatever the listener', () => {
    expect(
      loadConfig({ CUSTOS_PORT: '9123', CUSTOS_PUBLIC_URL: 'https://privacy.example.org' }).publicUrl,
    ).toBe('https://privacy.example.org');
  });
});

describe('README', () => {
  it('documents every setting exactly as `custos config --markdown` prints them', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.split(/^## Configuration$/m)[1]?.split(/^## /m)[0] ?? '';
    const table = section
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .join('\n');
    // On a difference, regenerate the table with `npm run custos -- config --markdown`.
    expect(table).toBe(settingsMarkdown());
    expect(table.split('\n')).toHaveLength(Object.keys(settings).length + 2);
  });
});
