/**
 * PDF from a document's HTML, printed by headless Chromium: the same HTML a person sees in the browser
 * becomes the PDF, so there is one renderer and no second layout to keep in step. Each print runs in a
 * private temporary directory (the page, the PDF and Chromium's profile), removed afterwards, and is
 * stopped after a timeout. Prints run one at a time per process, with a short queue, so requests for PDFs
 * cannot start a browser each. Without Chromium the caller gets `pdf_unavailable` (503), never a 500.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError } from '../app-error.js';
import { Mutex } from '../mutex.js';

export type PdfSettings = { chromiumPath: string; timeoutMs: number };

export type PdfRenderer = (documentHtml: string) => Promise<Buffer>;

/** Chromium's output beyond this is dropped: only its tail is kept, for the log of a failed print. */
const keptOutput = 4000;

/** Prints waiting behind the one running; more are refused rather than queued for minutes. */
const maxWaiting = 4;

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function unavailable(detail: string, cause?: unknown, headers?: Record<string, string>): AppError {
  return new AppError('pdf_unavailable', detail, { cause, ...(headers ? { headers } : {}) });
}

/** Runs Chromium once; resolves when it exits 0, rejects on another exit, an error or the timeout. */
function runChromium(settings: PdfSettings, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    // Its own process group, so the timeout stops Chromium's helper processes along with it.
    const child = spawn(settings.chromiumPath, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-keptOutput);
    });
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      reject(unavailable('Printing the PDF took too long.', new Error(`timed out: ${output}`)));
    }, settings.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(unavailable('The PDF printer (Chromium) could not be started.', error));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else
        reject(
          unavailable('The PDF printer (Chromium) failed.', new Error(`exit ${code ?? signal}: ${output}`)),
        );
    });
  });
}

/** One print: the page written to a private directory, printed, read back, the directory removed. */
async function print(settings: PdfSettings, documentHtml: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'custos-pdf-'));
  try {
    const page = join(dir, 'document.html');
    const pdf = join(dir, 'document.pdf');
    await writeFile(page, documentHtml, { mode: 0o600 });
    await runChromium(settings, [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-extensions',
      '--no-first-run',
      '--no-default-browser-check',
      '--no-pdf-header-footer',
      `--user-data-dir=${join(dir, 'profile')}`,
      `--print-to-pdf=${pdf}`,
      pathToFileURL(page).href,
    ]);
    return await readFile(pdf);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A renderer printing HTML to PDF with the Chromium at `settings.chromiumPath`. */
export function chromiumPdfRenderer(settings: PdfSettings): PdfRenderer {
  const printer = new Mutex();
  return async (documentHtml) => {
    if (!(await isExecutable(settings.chromiumPath)))
      throw unavailable('PDF export needs Chromium, which is not installed here (see CUSTOS_CHROMIUM_PATH).');
    if (printer.waiting >= maxWaiting)
      throw unavailable('Too many PDFs are being printed; try again in a minute.', undefined, {
        'retry-after': '60',
      });
    return printer.run(() => print(settings, documentHtml));
  };
}
