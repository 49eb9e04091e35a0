/**
 * What the inventory produces from the data map: the RoPA in its four formats (each export audited),
 * the findings, the privacy-notice draft and the derived view of one activity. Everything is computed
 * from one fresh snapshot per call, so it is never stale and nothing of it is stored.
 */
import { AppError } from '../../lib/app-error.js';
import type { PdfRenderer } from '../../lib/documents/pdf.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuditContext } from '../audit/audit-types.js';
import { computeFindings, type Finding } from './findings.js';
import type { DataMap } from './inventory-model.js';
import { mapIndex, type ResolvedActivity, resolveActivity } from './inventory-resolve.js';
import { noticeContent, noticeHtml, noticeMarkdown } from './notice.js';
import { buildRopa, type Ropa, ropaCsv, type TransferSafeguardLookup } from './ropa.js';
import { ropaHtml } from './ropa-document.js';
import type { NoticeFormat, RopaFormat } from './ropa-schemas.js';

type Deps = {
  dataMap: () => Promise<DataMap>;
  audit: Pick<AuditService, 'record'>;
  pdf: PdfRenderer;
  /** The transfers module's safeguards (bound late: that module reads this one's map). */
  transferSafeguards?: (() => Promise<TransferSafeguardLookup>) | undefined;
};

/** A document to send: JSON as a value, the others as text or bytes with their type and file name. */
export type RopaExport =
  | { format: 'json'; ropa: Ropa }
  | { format: Exclude<RopaFormat, 'json'>; body: string | Buffer; contentType: string; filename: string };

const contentTypes: Record<Exclude<RopaFormat, 'json'>, string> = {
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
};

/** `custos-ropa-<date>-<version>.<ext>`: sortable, and names the version printed inside. */
function filenameOf(kind: string, generatedAt: Date, version: string, extension: string): string {
  return `custos-${kind}-${generatedAt.toISOString().slice(0, 10)}-${version}.${extension}`;
}

async function renderRopa(ropa: Ropa, format: RopaFormat, pdf: PdfRenderer): Promise<RopaExport> {
  if (format === 'json') return { format, ropa };
  const body =
    format === 'csv' ? ropaCsv(ropa) : format === 'html' ? ropaHtml(ropa) : await pdf(ropaHtml(ropa));
  return {
    format,
    body,
    contentType: contentTypes[format],
    filename: filenameOf('ropa', new Date(ropa.generatedAt), ropa.version, format),
  };
}

export function ropaService({ dataMap, audit, pdf, transferSafeguards }: Deps) {
  /** The RoPA in a format, audited once it is ready (a PDF that could not be printed is not an export). */
  async function exportRopa(context: AuditContext, format: RopaFormat): Promise<RopaExport> {
    const ropa = buildRopa(await dataMap(), await transferSafeguards?.());
    const rendered = await renderRopa(ropa, format, pdf);
    await audit.record(context, {
      action: 'inventory.ropa.exported',
      outcome: 'success',
      target: { type: 'ropa', id: ropa.version },
      details: { format, ...ropa.counts },
    });
    return rendered;
  }

  /** Every finding of the current map, with counts by severity. */
  async function findings(): Promise<{
    generatedAt: Date;
    items: Finding[];
    counts: Record<Finding['severity'], number>;
  }> {
    const map = await dataMap();
    const items = computeFindings(map);
    const counts = { high: 0, medium: 0, low: 0 };
    for (const item of items) counts[item.severity] += 1;
    return { generatedAt: map.generatedAt, items, counts };
  }

  /** The privacy-notice draft as a file to download. */
  async function notice(
    format: NoticeFormat,
  ): Promise<{ body: string; contentType: string; filename: string }> {
    const content = noticeContent(await dataMap());
    return format === 'html'
      ? {
          body: noticeHtml(content),
          contentType: 'text/html; charset=utf-8',
          filename: filenameOf('privacy-notice-draft', content.generatedAt, content.version, 'html'),
        }
      : {
          body: noticeMarkdown(content),
          contentType: 'text/markdown; charset=utf-8',
          filename: filenameOf('privacy-notice-draft', content.generatedAt, content.version, 'md'),
        };
  }

  /** One activity with what is derived for it and from where; 404 when there is no such activity. */
  async function resolvedActivity(id: string): Promise<ResolvedActivity> {
    const map = await dataMap();
    const activity = map.activities.find((entry) => entry.id === id);
    if (!activity) throw new AppError('not_found', 'Processing activity not found.');
    return resolveActivity(mapIndex(map), activity);
  }

  return { exportRopa, findings, notice, resolvedActivity };
}

export type RopaService = ReturnType<typeof ropaService>;
