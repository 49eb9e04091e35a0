import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
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
