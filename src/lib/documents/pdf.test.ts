import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../app-error.js';
import { htmlDocument } from './document.js';
import { html } from './html.js';
import { chromiumPdfRenderer } from './pdf.js';

const chromiumPath = process.env.CUSTOS_CHROMIUM_PATH ?? '/usr/bin/chromium';

function printDirs(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('custos-pdf-'));
}

const page = htmlDocument(
  { title: 'Test', organization: 'ACME', generatedAt: new Date('2026-01-01T00:00:00Z'), version: '1' },
  html`<section class="page"><p>${'One page'}</p></section>`,
);

/** A stand-in printer that never finishes. */
const scratch = mkdtempSync(join(tmpdir(), 'custos-pdf-test-'));
const hangingPrinter = join(scratch, 'hanging-chromium');
writeFileSync(hangingPrinter, '#!/bin/sh\nexec sleep 30\n');
chmodSync(hangingPrinter, 0o700);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('chromiumPdfRenderer', () => {
  it('answers pdf_unavailable (503) when there is no Chromium', async () => {
    const render = chromiumPdfRenderer({ chromiumPath: '/nonexistent/chromium', timeoutMs: 5000 });
    const error = await render(page).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'pdf_unavailable', status: 503 });
  });

  it('answers pdf_unavailable when the printer fails, and leaves no temporary files', async () => {
    const before = printDirs();
    const render = chromiumPdfRenderer({ chromiumPath: '/bin/false', timeoutMs: 5000 });
    await expect(render(page)).rejects.toMatchObject({ code: 'pdf_unavailable' });
    expect(printDirs().filter((dir) => !before.includes(dir))).toEqual([]);
  });

  it('stops a print that takes too long', async () => {
    const render = chromiumPdfRenderer({ chromiumPath: hangingPrinter, timeoutMs: 200 });
    await expect(render(page)).rejects.toMatchObject({
      code: 'pdf_unavailable',
      message: 'Printing the PDF took too long.',
    });
  });

  it('prints one document at a time and refuses more than a short queue', async () => {
    const render = chromiumPdfRenderer({ chromiumPath: hangingPrinter, timeoutMs: 300 });
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => render(page)));
    const messages = outcomes.map((outcome) =>
      outcome.status === 'rejected' ? (outcome.reason as Error).message : 'printed',
    );
    expect(messages.filter((message) => message.startsWith('Too many PDFs'))).toHaveLength(1);
    expect(messages.filter((message) => message === 'Printing the PDF took too long.')).toHaveLength(5);
  });

  it.runIf(existsSync(chromiumPath))(
    'prints the HTML to a PDF with headless Chromium',
    async () => {
      const before = printDirs();
      const pdf = await chromiumPdfRenderer({ chromiumPath, timeoutMs: 60_000 })(page);
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(printDirs().filter((dir) => !before.includes(dir))).toEqual([]);
    },
    90_000,
  );
});
