import { existsSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromiumPdfRenderer, type PdfRenderer } from '../../src/lib/documents/pdf.js';
import type { AuditService } from '../../src/modules/audit/audit-service.js';
import type { DataMap } from '../../src/modules/inventory/inventory-model.js';
import { controllerHeadings, processorHeadings } from '../../src/modules/inventory/ropa-document.js';
import { ropaRoutes } from '../../src/modules/inventory/ropa-routes.js';
import { ropaService } from '../../src/modules/inventory/ropa-service.js';
import { activityEntry, cleanDataMap, ids, processorEntry } from '../helpers/data-map.js';
import { caller } from '../helpers/fulfilment.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const chromiumPath = process.env.CUSTOS_CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The RoPA, findings, notice and resolved-activity routes over a data map the test sets, so each test
 * states the map it is about. The routes are registered on a fully wired app with its real audit log.
 */
let t: TestApp;
let map: DataMap;
let pdf: PdfRenderer;
let as: ReturnType<typeof caller>;

beforeAll(async () => {
  let audit: AuditService | undefined;
  const service = ropaService({
    dataMap: async () => map,
    audit: { record: (context, entry) => (audit as AuditService).record(context, entry) },
    pdf: (documentHtml) => pdf(documentHtml),
  });
  t = await createTestApp({
    beforeReady: async (app) => {
      await app.register(ropaRoutes({ ropa: service }));
    },
  });
  audit = t.runtime.services.audit;
  as = caller(t);
});

afterAll(async () => {
  await t?.close();
});

beforeEach(() => {
  map = cleanDataMap();
  pdf = chromiumPdfRenderer({ chromiumPath, timeoutMs: 60_000 });
});

async function exportsAudited(format: string) {
  const entries = await as('auditor', 'GET', '/v1/audit/entries?action=inventory.ropa.exported&limit=200');
  expect(entries.statusCode, entries.body).toBe(200);
  return (entries.json().items as { details: Record<string, unknown> }[]).filter(
    (entry) => entry.details.format === format,
  );
}

describe('GET /v1/ropa', () => {
  it('answers the registers as JSON and audits the export with its format and counts', async () => {
    const response = await as('dpo', 'GET', '/v1/ropa');
    expect(response.statusCode, response.body).toBe(200);
    const ropa = response.json();
    expect(ropa.format).toBe('custos-ropa');
    expect(ropa.counts).toEqual({ activities: 3, controllerActivities: 2, processorActivities: 1 });
    expect(response.headers['content-disposition']).toBeUndefined();
    const [entry] = await exportsAudited('json');
    expect(entry?.details).toEqual({
      format: 'json',
      activities: 3,
      controllerActivities: 2,
      processorActivities: 1,
    });
  });

  it('shows a new field’s category in the RoPA of the activities linked to its collection', async () => {
    map.systems[1]?.fields?.push({
      name: 'iban',
      dataCategory: 'user.financial.bank_account',
      classification: 'restricted',
      encrypted: true,
    });
    const ropa = (await as('auditor', 'GET', '/v1/ropa')).json();
    for (const record of ropa.controllerRegister)
      expect(record.dataCategories).toContain('user.financial.bank_account');
  });

  it('downloads CSV that parses back to one row per activity', async () => {
    const response = await as('privacy_agent', 'GET', '/v1/ropa?format=csv');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="custos-ropa-2026-03-01-[0-9a-f]{12}\.csv"$/,
    );
    const rows = parse(response.body, { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => row.activity_id)).toEqual([ids.billing, ids.newsletter, ids.payroll]);
    expect(await exportsAudited('csv')).toHaveLength(1);
  });

  it('downloads a printable HTML document with every Art. 30 heading, under a policy that runs nothing', async () => {
    map.activities[0] = activityEntry({ name: '<script>alert(1)</script>' });
    const response = await as('dpo', 'GET', '/v1/ropa?format=html');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    for (const heading of [...Object.values(controllerHeadings), ...Object.values(processorHeadings)])
      expect(response.body).toContain(heading);
    expect(response.body).not.toContain('<script>alert(1)</script>');
  });

  it.runIf(existsSync(chromiumPath))(
    'downloads the document as PDF',
    async () => {
      const response = await as('dpo', 'GET', '/v1/ropa?format=pdf');
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['content-type']).toBe('application/pdf');
      expect(response.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(await exportsAudited('pdf')).toHaveLength(1);
    },
    90_000,
  );

  it('answers 503 pdf_unavailable without Chromium, and audits no export', async () => {
    pdf = chromiumPdfRenderer({ chromiumPath: '/nonexistent/chromium', timeoutMs: 1000 });
    const before = (await exportsAudited('pdf')).length;
    const response = await as('dpo', 'GET', '/v1/ropa?format=pdf');
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json().code).toBe('pdf_unavailable');
    expect(await exportsAudited('pdf')).toHaveLength(before);
  });

  it('refuses an unknown format and callers without inventory.read', async () => {
    expect((await as('dpo', 'GET', '/v1/ropa?format=xlsx')).json().code).toBe('invalid_query_parameter');
    expect((await as('security', 'GET', '/v1/ropa')).statusCode).toBe(403);
  });
});

describe('GET /v1/inventory/findings', () => {
  it('lists a finding while its cause lasts and drops it once fixed', async () => {
    expect((await as('auditor', 'GET', '/v1/inventory/findings')).json()).toMatchObject({
      items: [],
      counts: { high: 0, medium: 0, low: 0 },
    });
    map.processors[0] = processorEntry({ dpa: null });
    const found = (await as('auditor', 'GET', '/v1/inventory/findings')).json();
    expect(found.counts).toEqual({ high: 1, medium: 0, low: 0 });
    expect(found.items[0]).toMatchObject({
      kind: 'processor_dpa_missing',
      subject: { type: 'processor', id: ids.mailer },
    });
    expect(found.items[0].action).toContain('data processing agreement');
    map.processors[0] = processorEntry();
    expect((await as('auditor', 'GET', '/v1/inventory/findings')).json().items).toEqual([]);
  });
});

describe('GET /v1/inventory/notice', () => {
  it('downloads the draft as HTML or Markdown, saying it is a draft', async () => {
    const page = await as('dpo', 'GET', '/v1/inventory/notice');
    expect(page.statusCode, page.body).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('DRAFT generated from the data map');
    const markdown = await as('dpo', 'GET', '/v1/inventory/notice?format=markdown');
    expect(markdown.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(markdown.headers['content-disposition']).toMatch(/filename="custos-privacy-notice-draft-.*\.md"/);
    expect(markdown.body).toMatch(/^# Privacy notice \(draft\)/);
  });
});

describe('GET /v1/inventory/activities/:id/resolved', () => {
  it('shows what is derived for the activity and from where', async () => {
    const response = await as('privacy_agent', 'GET', `/v1/inventory/activities/${ids.newsletter}/resolved`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      activityId: ids.newsletter,
      dataCategories: [
        {
          value: 'user.contact.email',
          sources: [
            { from: 'collection', ref: 'collection:customers' },
            { from: 'system' },
            { from: 'purpose' },
          ],
        },
        { value: 'user.name' },
      ],
      purposes: [{ key: 'newsletter', legalBasis: 'consent' }],
    });
  });

  it('answers 404 for an unknown activity and 400 for an id that is not one', async () => {
    expect(
      (await as('dpo', 'GET', '/v1/inventory/activities/00000000-0000-4000-8000-000000000000/resolved'))
        .statusCode,
    ).toBe(404);
    expect((await as('dpo', 'GET', '/v1/inventory/activities/nope/resolved')).json().code).toBe(
      'invalid_path_parameter',
    );
  });
});
