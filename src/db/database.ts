import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, type LogEvent, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { Mutex } from '../lib/mutex.js';
import type { Metrics } from '../metrics.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { DB } from './schema.js';

/** Anything a store can run queries on: the database or an open transaction. */
export type Executor = Kysely<DB> | Transaction<DB>;
export type Tx = Transaction<DB>;

export type DatabaseOptions =
  | { kind: 'postgres'; url: string; poolSize?: number; applicationName?: string }
  | { kind: 'pglite'; dataDir?: string; loadDataDir?: Blob };

/** Raw SQL for code that is not Kysely (pg-boss). Runs under the same connection rules as Kysely. */
export type SqlExecutor = (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }>;

/**
 * The database Custos runs on, PostgreSQL or embedded PGlite. Stores only ever see `db` (Kysely) and never
 * learn which engine is underneath.
 */
export type Database = {
  kind: 'postgres' | 'pglite';
  db: Kysely<DB>;
  executeSql: SqlExecutor;
  /** Round-trips to the database; throws when it is unreachable. */
  ping(): Promise<void>;
  /** For PGlite: a tarball of the data directory (tests start each file from a migrated image). */
  dumpImage(): Promise<Blob>;
  /**
   * Delivers every NOTIFY on `channel` to `onMessage`, on a connection of its own (PostgreSQL, reconnected
   * when lost) or the embedded one (PGlite). `onListening(false)` says notifications may be missed from
   * now on (the connection was lost); `onListening(true)` that they arrive (again). Resolves after the first
   * attempt, which, like every reconnection, is retried with backoff until it succeeds. Stops on `close()`.
   */
  listen(channel: string, handlers: ListenHandlers): Promise<void>;
  /** Whether every `listen` subscription is receiving notifications now (false while one reconnects). */
  listening(): boolean;
  close(): Promise<void>;
};

export type ListenHandlers = { onMessage(payload: string): void; onListening(listening: boolean): void };

// One representation of each type on both engines: bigint as number (ids and counts stay far below 2^53),
// bytea as Buffer, timestamps as Date.
const INT8 = 20;
const BYTEA = 17;
const NUMERIC = 1700;
pg.types.setTypeParser(INT8, (value) => Number(value));

function observeQuery(metrics: Metrics | undefined) {
  if (!metrics) return undefined;
  return (event: LogEvent) => {
    metrics.dbQueryDuration.observe(
      { outcome: event.level === 'error' ? 'error' : 'ok' },
      event.queryDurationMillis / 1000,
    );
  };
}

export async function openDatabase(options: DatabaseOptions, metrics?: Metrics): Promise<Database> {
  return options.kind === 'postgres' ? openPostgres(options, metrics) : openPGlite(options, metrics);
}

/**
 * LISTEN on a dedicated client (a pooled one would be handed to queries and lose the subscription), which
 * reconnects with backoff when the connection drops.
 */
function postgresListener(url: string, applicationName: string) {
  const stops: (() => Promise<void>)[] = [];
  const interrupted = new Set<string>();
  async function listen(channel: string, handlers: ListenHandlers): Promise<void> {
    let client: pg.Client | undefined;
    let stopped = false;
    let delayMs = 250;
    let timer: NodeJS.Timeout | undefined;
    interrupted.add(channel);
    const lost = (lostClient: pg.Client) => {
      if (stopped || client !== lostClient) return;
      client = undefined;
      interrupted.add(channel);
      handlers.onListening(false);
      lostClient.end().catch(() => {});
      timer = setTimeout(() => void connect(), delayMs);
      timer.unref();
      delayMs = Math.min(delayMs * 2, 10_000);
    };
    async function connect(): Promise<void> {
      const next = new pg.Client({ connectionString: url, application_name: `${applicationName}-listen` });
      next.on('notification', (message) => {
        if (message.channel === channel) handlers.onMessage(message.payload ?? '');
      });
      next.on('error', () => lost(next));
      next.on('end', () => lost(next));
      client = next;
      try {
        await next.connect();
        await next.query(`listen "${channel.replaceAll('"', '""')}"`);
      } catch {
        // Retried with backoff; the caller hears onListening(true) once it succeeds.
        lost(next);
        return;
      }
      if (stopped) return;
      delayMs = 250;
      interrupted.delete(channel);
      handlers.onListening(true);
    }
    stops.push(async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => {});
    });
    await connect();
  }
  return {
    listen,
    listening: () => interrupted.size === 0,
    stopAll: () => Promise.all(stops.splice(0).map((stop) => stop())),
  };
}

/**
 * Statements whose text starts with this comment are sent to PostgreSQL as named prepared statements:
 * each connection parses and analyses them once and then only binds and runs them. For the hot, fixed
 * statements (audit appends, record creates) that is a large part of the server's work; any other text
 * goes unnamed, so the number of statements a connection keeps stays bounded by the code. PGlite ignores
 * the mark. (A pooler in transaction mode in front of PostgreSQL must support prepared statements.)
 */
export const preparedMark = '/* prepared */ ';

const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `custos_${statementNames.size.toString(36)}`;
    statementNames.set(text, name);
  }
  return name;
}

/** pg's client, sending statements marked with `preparedMark` as named prepared statements. */
class PreparingClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg's query() has many overloads; this passes them through.
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === 'string' && config.startsWith(preparedMark)) {
      return super.query({ name: statementName(config), text: config, values }, callback);
    }
    return super.query(config, values, callback);
  }
}

function openPostgres(options: Extract<DatabaseOptions, { kind: 'postgres' }>, metrics?: Metrics): Database {
  const pool = new pg.Pool({
    Client: PreparingClient,
    connectionString: options.url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'custos',
    idleTimeoutMillis: 30_000,
    // While the server is unreachable, a request waits this long for a connection, then answers 503.
    connectionTimeoutMillis: 5_000,
  });
  // A client that loses its server emits 'error'; unheard, that event kills the process. pg's pool hears
  // it only for idle clients, so every client gets a listener of its own for its whole life: one checked
  // out (inside a transaction) fails its query instead, and the pool discards it on release.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  const log = observeQuery(metrics);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), ...(log ? { log } : {}) });
  const listener = postgresListener(options.url, options.applicationName ?? 'custos');
  return {
    kind: 'postgres',
    db,
    executeSql: async (text, values) => {
      const started = performance.now();
      try {
        return await pool.query(text, values);
      } finally {
        metrics?.dbQueryDuration.observe({ outcome: 'ok' }, (performance.now() - started) / 1000);
      }
    },
    ping: async () => {
      await pool.query('select 1');
    },
    dumpImage: async () => {
      throw new Error('dumpImage is only available on PGlite');
    },
    listen: listener.listen,
    listening: listener.listening,
    close: async () => {
      await listener.stopAll();
      await db.destroy();
    },
  };
}

/**
 * PGlite's shared buffers. Its default, 128 MB, is touched at start and held for the life of the process;
 * the data directory is a plain directory, so pages that do not fit are a read from the operating system's
 * page cache away. 32 MB keeps a Custos process on the embedded database well under 300 MB.
 */
const pgliteSharedBuffers = '32MB';
const pgliteStartParams = [...PGlite.defaultStartParams, '-c', `shared_buffers=${pgliteSharedBuffers}`];

const execFileAsync = promisify(execFile);

/**
 * Creates a new PGlite data directory (initdb) in a short-lived process of its own. initdb runs in two
 * WebAssembly instances besides the database's own, and their memory stays with the process that ran them:
 * a first start (or a first `custos import`) peaked near 900 MB where a start on an existing directory
 * stays under 300 MB. Nothing to do when the directory holds a database. Where the child cannot be started
 * (no resolvable module path, as under some test runners), PGlite initializes in this process as before.
 */
async function initializePGliteDataDir(dataDir: string): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  let moduleUrl: string;
  try {
    moduleUrl = import.meta.resolve('@electric-sql/pglite');
  } catch {
    return;
  }
  if (!moduleUrl.startsWith('file:')) return;
  const script = [
    'const [moduleUrl, dataDir] = process.argv.slice(1);',
    'const { PGlite } = await import(moduleUrl);',
    'const pglite = await PGlite.create({ dataDir });',
    'await pglite.close();',
  ].join('\n');
  await execFileAsync(process.execPath, ['--input-type=module', '-e', script, moduleUrl, dataDir], {
    maxBuffer: 1 << 20,
  }).catch((error: unknown) => {
    throw new Error('Creating the embedded database failed.', { cause: error });
  });
}

async function openPGlite(
  options: Extract<DatabaseOptions, { kind: 'pglite' }>,
  metrics?: Metrics,
): Promise<Database> {
  const dataDir = options.dataDir ? join(options.dataDir, 'pglite') : undefined;
  if (dataDir) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (dataDir && !options.loadDataDir) await initializePGliteDataDir(dataDir);
  const pglite = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    startParams: pgliteStartParams,
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    parsers: {
      [INT8]: (value: string) => Number(value),
      [BYTEA]: (value: string) => Buffer.from(value.slice(2), 'hex'),
      [NUMERIC]: (value: string) => value,
    },
  });
  const lock = new Mutex();
  const log = observeQuery(metrics);
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite, lock), ...(log ? { log } : {}) });

  const executeSql: SqlExecutor = (text, values) =>
    lock.run(async () => {
      const started = performance.now();
      try {
        // Without parameters the text may hold several statements (pg-boss sends such scripts).
        if (!values || values.length === 0) {
          const results = await pglite.exec(text);
          return { rows: results.at(-1)?.rows ?? [] };
        }
        return await pglite.query(text, values);
      } finally {
        metrics?.dbQueryDuration.observe({ outcome: 'ok' }, (performance.now() - started) / 1000);
      }
    });

  let closed = false;
  return {
    kind: 'pglite',
    db,
    executeSql,
    ping: async () => {
      await executeSql('select 1');
    },
    dumpImage: () => lock.run(() => pglite.dumpDataDir('none')),
    // Under the lock, so LISTEN never lands inside someone else's transaction (and vanishes on its
    // rollback). Closing PGlite ends the subscription.
    listen: async (channel, handlers) => {
      await lock.run(() => pglite.listen(channel, handlers.onMessage));
      handlers.onListening(true);
    },
    listening: () => true,
    close: async () => {
      if (closed) return;
      closed = true;
      // Wait for whoever holds the connection, then close for good.
      await db.destroy();
      await lock.run(async () => {
        await pglite.close();
      });
    },
  };
}

/** Opens the database the configuration names. */
export function databaseOptionsFrom(config: {
  databaseUrl?: string | undefined;
  dataDir: string;
  databasePoolSize: number;
}): DatabaseOptions {
  return config.databaseUrl
    ? { kind: 'postgres', url: config.databaseUrl, poolSize: config.databasePoolSize }
    : { kind: 'pglite', dataDir: config.dataDir };
}
