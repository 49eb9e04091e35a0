import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command, Option } from 'commander';
import type { Config } from '../config.js';
import { type Database, databaseOptionsFrom, openDatabase } from '../db/database.js';
import { pendingMigrations } from '../db/migrate.js';
import { systemClock } from '../lib/clock.js';
import { type ArchiveReport, verifyArchive } from '../modules/audit/audit-archive.js';
import type { AuditCheckpoint } from '../modules/audit/audit-entry.js';
import { verifyExport } from '../modules/audit/audit-export.js';
import {
  auditKeyFilesOf,
  lazyAuditKeys,
  loadAuditKeys,
  publicKeysFrom,
} from '../modules/audit/audit-keys.js';
import { type AuditPruner, auditPrunerFor, type PruneResult } from '../modules/audit/audit-prune.js';
import { filtersFrom, ZAuditFilters } from '../modules/audit/audit-schemas.js';
import { type AuditService, auditService, type ExportFormat } from '../modules/audit/audit-service.js';
import { auditStore } from '../modules/audit/audit-store.js';
import type { AuditVerifyReport } from '../modules/audit/audit-verify.js';
import { checkpointLine, readWitness } from '../modules/audit/audit-witness.js';
import { configOrExit, fail, loggerFor } from './context.js';
import { createProgress, type Progress } from './progress.js';

/** The audit service on the configured database, without creating keys a server has not created. */
async function withAudit<T>(
  config: Config,
  task: (audit: AuditService, pruner: AuditPruner) => Promise<T>,
): Promise<T> {
  const database: Database = await openDatabase(databaseOptionsFrom(config));
  try {
    if ((await pendingMigrations(database.db)).length > 0) {
      throw new Error('the database schema is not up to date; run `custos migrate` first');
    }
    const keys = lazyAuditKeys(auditKeyFilesOf(config), { create: false });
    const audit = auditService({
      db: database.db,
      store: auditStore(),
      keys,
      clock: systemClock,
      settings: {
        checkpointEvery: config.auditCheckpointEvery,
        checkpointIntervalMs: config.auditCheckpointInterval,
      },
    });
    const pruner = auditPrunerFor({ db: database.db, config, audit, keys, clock: systemClock });
    return await task(audit, pruner);
  } finally {
    await database.close();
  }
}

/**
 * A trusted public key as given to `--public-key`: a PEM file, or the JSON `GET /v1/audit/public-key`
 * answers (its `keyId` must then be the key's).
 */
export function publicKeyPemFrom(text: string, file: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN ')) return trimmed;
  if (trimmed.startsWith('{')) {
    let json: { publicKeyPem?: unknown; keyId?: unknown };
    try {
      json = JSON.parse(trimmed);
    } catch {
      throw new Error(`${file} is not valid JSON`);
    }
    if (typeof json.publicKeyPem !== 'string') {
      throw new Error(
        `${file} has no "publicKeyPem": give the JSON of GET /v1/audit/public-key, or a PEM file`,
      );
    }
    const [key] = publicKeysFrom([json.publicKeyPem]).keys();
    if (typeof json.keyId === 'string' && json.keyId !== key) {
      throw new Error(`${file} says key ${json.keyId}, but its publicKeyPem is key ${key}`);
    }
    return json.publicKeyPem;
  }
  throw new Error(
    `${file} is neither a PEM public key (-----BEGIN PUBLIC KEY-----, from \`custos audit public-key\`) nor the JSON of GET /v1/audit/public-key`,
  );
}

function trustedKeys(files: readonly string[]) {
  return publicKeysFrom(files.map((file) => publicKeyPemFrom(readFileSync(file, 'utf8'), file)));
}

function describeReport(report: AuditVerifyReport): string {
  if (!report.ok) {
    return [
      `audit log FAILED verification at entry ${report.seq}${report.checkpoint === undefined ? '' : ` (checkpoint ${report.checkpoint})`}: ${report.problem}`,
      `  ${report.message}`,
      `  (${report.entries} entries and ${report.checkpoints} checkpoints verified before it)`,
    ].join('\n');
  }
  const from = report.fromCut
    ? ` from cut ${report.fromCut.cutSeq} (hash ${report.fromCut.hash}; the pruned entries before it are in the archive)`
    : '';
  const signed =
    report.lastCheckpointSeq === null
      ? 'no checkpoint yet'
      : `last checkpoint at entry ${report.lastCheckpointSeq}, ${report.unsignedEntries} entries after it not yet signed`;
  return `audit log OK: ${report.entries} entries, ${report.checkpoints} checkpoints (${signed})${from}`;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function verifyCommand(): Command {
  return new Command('verify')
    .description(
      'Verify the hash chain and the signed checkpoints: of the database, or of an NDJSON export (--file) offline.',
    )
    .option('--file <path>', 'verify this NDJSON export instead of the database (no configuration needed)')
    .option(
      '--archive <paths...>',
      'verify archive segments offline instead of the database: a directory of segments or segment files (no configuration needed)',
    )
    .option(
      '--public-key <path>',
      'a trusted public key: a PEM file, or the JSON of GET /v1/audit/public-key; repeat it for the keys of earlier rotations',
      collect,
      [],
    )
    .option(
      '--witness <path>',
      'checkpoints kept outside the database (a witness directory, or a file from `audit checkpoints export`): each must still be in the database, identical, with its entries intact',
    )
    .option('--json', 'print the report as JSON')
    .action(
      async (options: {
        file?: string;
        archive?: string[];
        publicKey: string[];
        witness?: string;
        json?: boolean;
      }) => {
        if (options.archive) {
          await verifyArchiveCommand(options.archive, options.publicKey, Boolean(options.json));
          return;
        }
        let progress: Progress | undefined;
        const onProgress = (done: number, total: number) => {
          progress ??= createProgress('Verifying', total, process.stderr);
          progress.update(Math.min(done, total));
        };
        let report: AuditVerifyReport;
        try {
          const given = trustedKeys(options.publicKey);
          const witnessed: AuditCheckpoint[] | undefined = options.witness
            ? readWitness(options.witness)
            : undefined;
          if (options.file && witnessed)
            throw new Error('--witness checks the database; it does not go with --file');
          if (options.file) {
            if (given.size === 0)
              throw new Error('give the public key(s) to verify with: --public-key key.pem');
            let total = 0;
            report = await verifyExport(createReadStream(options.file), given, {
              onHeader: (header) => {
                total = header.lastSeq;
              },
              onProgress: (done) => onProgress(done, total),
            });
          } else {
            const config = configOrExit();
            report = await withAudit(config, (audit) =>
              audit.verify({
                onProgress,
                ...(given.size > 0 ? { publicKeys: given } : {}),
                ...(witnessed ? { witnessed } : {}),
              }),
            );
          }
        } catch (error) {
          progress?.stop();
          process.stderr.write(
            `custos: audit verify: ${error instanceof Error ? error.message : String(error)}\n`,
          );
          process.exit(2);
        }
        progress?.stop();
        process.stdout.write(`${options.json ? JSON.stringify(report) : describeReport(report)}\n`);
        process.exitCode = report.ok ? 0 : 1;
      },
    );
}

function describeArchiveReport(report: ArchiveReport): string {
  if (!report.ok) {
    return [
      `audit archive FAILED verification in ${report.file}${report.seq === undefined ? '' : ` at entry ${report.seq}`}: ${report.problem}`,
      `  ${report.message}`,
      `  (${report.segments} segments and ${report.entries} entries verified before it)`,
    ].join('\n');
  }
  if (report.segments === 0) return 'audit archive: no segments found';
  return `audit archive OK: ${report.segments} segments (cuts ${report.firstCut} to ${report.lastCut}), ${report.entries} entries; last cut hash ${report.lastCutHash}`;
}

/** `audit verify --archive`: archive segments offline, with only the public keys. */
async function verifyArchiveCommand(paths: string[], keyFiles: string[], json: boolean): Promise<void> {
  let report: ArchiveReport;
  try {
    const given = trustedKeys(keyFiles);
    if (given.size === 0) throw new Error('give the public key(s) to verify with: --public-key key.pem');
    report = await verifyArchive(paths, given);
  } catch (error) {
    process.stderr.write(`custos: audit verify: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  process.stdout.write(`${json ? JSON.stringify(report) : describeArchiveReport(report)}\n`);
  process.exitCode = report.ok ? 0 : 1;
}

function describePrune(result: PruneResult, dryRun: boolean): string {
  switch (result.status) {
    case 'nothing_due':
      return 'audit prune: no entry is past its retention (among those a checkpoint covers)';
    case 'refused':
      return `audit prune REFUSED: the log failed verification at entry ${result.seq} (${result.problem}); nothing was archived or deleted\n  ${result.message}`;
    default: {
      const { plan } = result;
      const classes = Object.entries(plan.byClass)
        .map(([name, count]) => `${count} ${name}`)
        .join(', ');
      const head = dryRun
        ? `audit prune (dry run): cut ${plan.cutSeq} would archive and delete ${plan.entries} entries (${classes})`
        : `audit prune: cut ${plan.cutSeq} archived and deleted ${plan.entries} entries (${classes})`;
      const file =
        result.status === 'pruned' ? `\n  segment: ${result.file}\n  cut hash: ${result.cut.hash}` : '';
      return `${head}${plan.more ? '; more remain for another run' : ''}${file}`;
    }
  }
}

function pruneCommand(): Command {
  return new Command('prune')
    .description(
      "Archive audit entries past their class's retention to a signed segment file, then delete them from the database (as the scheduled job does).",
    )
    .option('--dry-run', 'only say what would be archived and deleted')
    .option('--json', 'print the result as JSON')
    .action(async (options: { dryRun?: boolean; json?: boolean }) => {
      const config = configOrExit();
      try {
        const results = await withAudit(config, async (_audit, pruner) => {
          const context = {
            actor: { type: 'system' as const, id: 'cli.audit.prune' },
            requestId: null,
            ip: null,
          };
          const done: PruneResult[] = [];
          for (;;) {
            const result = await pruner.prune({ dryRun: Boolean(options.dryRun), context });
            done.push(result);
            if (result.status !== 'pruned' || !result.plan.more) return done;
          }
        });
        for (const result of results) {
          process.stdout.write(
            `${options.json ? JSON.stringify(result) : describePrune(result, Boolean(options.dryRun))}\n`,
          );
        }
        process.exitCode = results.some((result) => result.status === 'refused') ? 1 : 0;
      } catch (error) {
        fail(loggerFor(config), error, 'audit prune failed');
      }
    });
}

function exportCommand(): Command {
  return new Command('export')
    .description('Export the audit log; an unfiltered NDJSON export can be verified offline.')
    .addOption(new Option('--format <format>', 'output format').choices(['ndjson', 'csv']).default('ndjson'))
    .option('--out <path>', 'write to this file (mode 0600) instead of standard output')
    .option('--action <action>', 'only this action, or a prefix such as operator.*')
    .option('--actor-type <type>', 'only entries by this kind of actor')
    .option('--actor-id <id>', 'only entries by this actor')
    .option('--target-type <type>', 'only entries about this kind of target')
    .option('--target-id <id>', 'only entries about this target')
    .option('--outcome <outcome>', 'only success, failure or denied')
    .option('--from <time>', 'only entries at or after this ISO-8601 time')
    .option('--to <time>', 'only entries before this ISO-8601 time')
    .action(async (options: { format: ExportFormat; out?: string } & Record<string, string | undefined>) => {
      const config = configOrExit();
      const logger = loggerFor(config);
      const parsed = ZAuditFilters.safeParse({
        action: options.action,
        actorType: options.actorType,
        actorId: options.actorId,
        targetType: options.targetType,
        targetId: options.targetId,
        outcome: options.outcome,
        from: options.from,
        to: options.to,
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        process.stderr.write(`custos: audit export: --${String(issue?.path[0])}: ${issue?.message}\n`);
        process.exit(2);
      }
      const filters = filtersFrom(parsed.data);
      try {
        await withAudit(config, async (audit) => {
          const progress = createProgress('Exporting', await audit.count(filters), process.stderr);
          const out: Writable = options.out
            ? createWriteStream(options.out, { mode: 0o600, flags: 'w' })
            : process.stdout;
          const chunks = audit.exportStream(filters, options.format, {
            onProgress: (done) => progress.update(done),
          });
          await pipeline(Readable.from(chunks), out, { end: Boolean(options.out) });
          progress.stop();
        });
      } catch (error) {
        fail(logger, error, 'audit export failed');
      }
    });
}

function checkpointsCommand(): Command {
  const exportCheckpoints = new Command('export')
    .description(
      'Write every signed checkpoint as JSON lines, oldest first, for a witness to keep outside the database (`audit verify --witness` checks against it).',
    )
    .option('--out <path>', 'write to this file instead of standard output')
    .action(async (options: { out?: string }) => {
      const config = configOrExit();
      try {
        await withAudit(config, async (audit) => {
          const lines = (async function* () {
            for await (const page of audit.allCheckpoints()) yield page.map(checkpointLine).join('');
          })();
          const out: Writable = options.out ? createWriteStream(options.out, { flags: 'w' }) : process.stdout;
          await pipeline(Readable.from(lines), out, { end: Boolean(options.out) });
        });
      } catch (error) {
        fail(loggerFor(config), error, 'audit checkpoints export failed');
      }
    });
  return new Command('checkpoints')
    .description('Signed checkpoints of the audit log, for witnesses.')
    .addCommand(exportCheckpoints);
}

function publicKeyCommand(): Command {
  return new Command('public-key')
    .description(
      'Print the public key that verifies audit checkpoints (PEM), for `audit verify --public-key`.',
    )
    .action(() => {
      const config = configOrExit();
      try {
        const ring = loadAuditKeys(auditKeyFilesOf(config), { create: false });
        process.stdout.write(ring.publicKeyPem);
      } catch (error) {
        fail(loggerFor(config), error, 'cannot read the audit signing key');
      }
    });
}

export function auditCommand(): Command {
  return new Command('audit')
    .description('Verify, export and hand out the key of the tamper-evident audit log.')
    .addCommand(verifyCommand())
    .addCommand(pruneCommand())
    .addCommand(exportCommand())
    .addCommand(checkpointsCommand())
    .addCommand(publicKeyCommand());
}
