import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { SealedBox } from '../../lib/sealed-box.js';
import { digestSecret, randomSecret, secretsEqual } from '../../lib/secrets.js';
import type { AuditContext } from '../audit/audit-types.js';
import type { MailService } from '../mail/mail-service.js';
import type { RecordView } from '../vault/record-service.js';
import { restrictedProcessingPurpose } from '../vault/restriction.js';
import {
  buildAccessPackage,
  type CollectionData,
  type ProcessingInfo,
  type RecipientInfo,
  type RetentionInfo,
} from './access-package.js';
import { renderAccessPage } from './access-page.js';
import { portabilityArchive } from './portability-archive.js';
import { exportReadyNotice } from './request-notices.js';
import type { ExportSummary, RequestRow, RequestStore } from './request-store.js';
import { type ExportFormat, exportingTypes, type RequestState } from './request-types.js';
import type { RequestWorkflow } from './request-workflow.js';

/** The purpose a fulfilment reads the vault under; it must be one of `CUSTOS_READ_PURPOSES`. */
export const fulfilmentPurpose = 'dsr_fulfilment';

/** Where the consent module tells how a subject's data is processed; absent when it is not wired. */
export type ProcessingSource = {
  of(context: AuditContext, subjectId: string): Promise<ProcessingInfo>;
};

type Deps = {
  db: Kysely<DB>;
  store: RequestStore;
  clock: Clock;
  workflow: RequestWorkflow;
  mail: Pick<MailService, 'enqueue'>;
  /** Seals export files under the exports key. */
  box: SealedBox;
  records: {
    getSubject(id: string): Promise<{ id: string; created_at: Date; region: string | null; status: string }>;
    readRecords(
      context: AuditContext,
      subjectId: string,
      options: { purpose: string; reveal: boolean },
    ): Promise<RecordView[]>;
  };
  collections: {
    list(): Promise<{ name: string; description: string; fields: CollectionData['fields'] }[]>;
  };
  processing?: ProcessingSource | undefined;
  /** Downstream systems (recipients) and retention policies, named in the access package where they apply. */
  recipients?: { list(): Promise<RecipientInfo[]> } | undefined;
  retention?: { list(): Promise<RetentionInfo[]> } | undefined;
  settings: { ttlMs: number; publicUrl: string };
};

export type CreatedExport = ExportSummary & { downloadUrl: string };

/** A prepared file as it is handed out. */
export type ExportFile = { content: Buffer; contentType: string; filename: string };

const contentTypes: Record<ExportFormat, string> = {
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
  zip: 'application/zip',
};
const workingStates: readonly RequestState[] = ['in_progress', 'awaiting_systems'];
const aadOf = (id: string, format: ExportFormat) => `custos.request.export.v1:${id}:${format}`;

/** Groups a subject's decrypted records by collection, with each collection's field definitions. */
function collectionData(
  views: RecordView[],
  collections: Awaited<ReturnType<Deps['collections']['list']>>,
): CollectionData[] {
  return collections.map((collection) => ({
    collection: collection.name,
    description: collection.description,
    fields: collection.fields.map(({ name, type, category, classification }) => ({
      name,
      type,
      category,
      classification,
    })),
    records: views
      .filter((view) => view.collection === collection.name)
      .map((view) => ({
        id: view.id,
        createdAt: view.createdAt,
        updatedAt: view.updatedAt,
        values: view.fields,
      })),
  }));
}

/**
 * Fulfilment of access, right-to-know and portability requests: the subject's data read from the vault for
 * the `dsr_fulfilment` purpose (audited there), packaged, sealed, and handed out by links that expire.
 */
export function requestExports({
  db,
  store,
  clock,
  workflow,
  mail,
  box,
  records,
  collections,
  processing,
  recipients,
  retention,
  settings,
}: Deps) {
  const target = (id: string) => ({ type: 'request', id });
  const downloadUrl = (id: string, token: string) =>
    `${settings.publicUrl.replace(/\/$/, '')}/v1/request-exports/${id}/download?token=${token}`;

  function assertExportable(row: RequestRow): string {
    if (!(exportingTypes as readonly string[]).includes(row.type)) {
      throw new AppError('conflict', `A ${row.type} request is not fulfilled with an export.`);
    }
    if (!workingStates.includes(row.state)) {
      throw new AppError(
        'conflict',
        `Exports are made while a request is worked on; this one is ${row.state}.`,
        {
          extensions: { state: row.state },
        },
      );
    }
    if (!row.subject_id) {
      throw new AppError('conflict', 'This request names no vault subject, so there is no data to export.');
    }
    return row.subject_id;
  }

  async function filesFor(context: AuditContext, row: RequestRow, subjectId: string) {
    const subject = await records.getSubject(subjectId);
    // A restricted subject's data is read only for restricted processing; answering their request is one.
    const purpose = subject.status === 'restricted' ? restrictedProcessingPurpose : fulfilmentPurpose;
    const views = await records.readRecords(context, subjectId, { purpose, reveal: true });
    const data = collectionData(views, await collections.list());
    const generatedAt = clock.now();
    if (row.type === 'portability') {
      return [
        { format: 'zip' as const, bytes: Buffer.from(portabilityArchive({ subjectId, data, generatedAt })) },
      ];
    }
    const pkg = buildAccessPackage({
      request: row,
      subject: { id: subject.id, createdAt: subject.created_at, region: subject.region },
      data,
      processing: processing ? await processing.of(context, subjectId) : null,
      recipients: recipients ? await recipients.list() : undefined,
      retention: retention ? await retention.list() : undefined,
      generatedAt,
    });
    return [
      { format: 'json' as const, bytes: Buffer.from(JSON.stringify(pkg, null, 2), 'utf8') },
      { format: 'html' as const, bytes: Buffer.from(renderAccessPage(pkg), 'utf8') },
    ];
  }

  /**
   * Builds the request's files (access: JSON and HTML; portability: a zip), stores them sealed, and e-mails
   * the subject their download links. The links are returned once; only their digests are kept.
   */
  async function create(context: AuditContext, requestId: string): Promise<CreatedExport[]> {
    const before = await workflow.found(db, requestId);
    const subjectId = assertExportable(before);
    const files = await filesFor(context, before, subjectId);
    return workflow.inTransaction(context, async (work) => {
      const row = await workflow.locked(work.tx, requestId);
      assertExportable(row);
      const expiresAt = new Date(work.now.getTime() + settings.ttlMs);
      const created = files.map((file) => ({ id: randomUUID(), token: randomSecret(32), ...file }));
      await store.insertExports(
        work.tx,
        created.map((file) => ({
          id: file.id,
          request_id: requestId,
          format: file.format,
          sealed: box.seal(file.bytes, aadOf(file.id, file.format)),
          size: file.bytes.length,
          token_hash: digestSecret(file.token),
          expires_at: expiresAt,
          created_at: work.now,
        })),
      );
      const links = created.map((file) => ({ format: file.format, url: downloadUrl(file.id, file.token) }));
      const contact = workflow.decryptContact(row);
      if (contact) await mail.enqueue(work.tx, exportReadyNotice(row, contact, links, expiresAt));
      const details = {
        exports: created.map((file) => ({ id: file.id, format: file.format, size: file.bytes.length })),
        expiresAt: expiresAt.toISOString(),
        subjectNotified: contact !== null,
      };
      await workflow.addEvent(work, context, row, { kind: 'export_created', details });
      work.audit.push({
        action: 'request.export.created',
        outcome: 'success',
        target: target(requestId),
        details: { ...details, subject: subjectId, purpose: fulfilmentPurpose },
      });
      return created.map((file, index) => ({
        id: file.id,
        request_id: requestId,
        format: file.format,
        size: file.bytes.length,
        expires_at: expiresAt,
        created_at: work.now,
        downloads: 0,
        last_downloaded_at: null,
        erased_at: null,
        downloadUrl: links[index]?.url as string,
      }));
    });
  }

  /**
   * The file behind a download link. An unknown export or a wrong token is a plain 404 (nothing to learn
   * from probing); an expired one, or one the subject's erasure deleted, 410. Every download is audited and on the request's timeline.
   */
  async function download(context: AuditContext, exportId: string, token: string): Promise<ExportFile> {
    const found = await store.findExport(db, exportId);
    if (!found || !secretsEqual(digestSecret(token), found.token_hash)) {
      throw new AppError('not_found', 'There is no download at this link.');
    }
    return handOut(context, found);
  }

  /**
   * A file to a caller who proved their right to it another way than the link's token (an authorized
   * agent fetching its request's results with its bearer token): expiry, audit and timeline as for links.
   */
  async function deliver(context: AuditContext, exportId: string): Promise<ExportFile> {
    const found = await store.findExport(db, exportId);
    if (!found) throw new AppError('not_found', 'There is no such file.');
    return handOut(context, found);
  }

  async function handOut(
    context: AuditContext,
    found: NonNullable<Awaited<ReturnType<RequestStore['findExport']>>>,
  ): Promise<ExportFile> {
    const exportId = found.id;
    if (found.expires_at.getTime() < clock.now().getTime()) {
      throw new AppError('gone', 'This download link has expired; ask for the data again.');
    }
    if (!found.sealed) {
      throw new AppError('gone', 'The data behind this link was erased at the subject’s request.');
    }
    const content = box.open(found.sealed, aadOf(found.id, found.format));
    await workflow.inTransaction(context, async (work) => {
      await store.recordDownload(work.tx, exportId, work.now);
      const details = { export: exportId, format: found.format };
      await workflow.addEvent(
        work,
        context,
        { id: found.request_id },
        { kind: 'export_downloaded', details },
      );
      work.audit.push({
        action: 'request.export.downloaded',
        outcome: 'success',
        target: target(found.request_id),
        details,
      });
    });
    const kind = found.format === 'zip' ? 'portability' : 'access';
    return {
      content,
      contentType: contentTypes[found.format],
      filename: `${kind}-${found.request_id}.${found.format}`,
    };
  }

  return {
    create,
    download,
    deliver,
    /** A request's exports, without content or links. */
    list: async (requestId: string) => {
      await workflow.found(db, requestId);
      return store.exportsOf(db, requestId);
    },
    /** Deletes expired exports (maintenance prune task). */
    pruneExpired: () => store.deleteExpiredExports(db, clock.now()),
  };
}

export type RequestExports = ReturnType<typeof requestExports>;
