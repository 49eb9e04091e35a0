import { errorFromAnswer } from './errors.js';
import type { paths } from './generated/openapi.js';
import { ndjsonBody } from './ndjson.js';
import type { Fetch } from './retry.js';

/**
 * One line of a bulk import: `externalId` finds or creates the subject; `region` and `recordId` are
 * optional; every other key is a field of the collection.
 */
export type ImportRow = { externalId: string; region?: string; recordId?: string } & Record<string, unknown>;

/** What an import answers: counts, and the first failed lines (line, field, reason — never a value). */
export type ImportReport =
  paths['/v1/collections/{name}/import']['post']['responses'][200]['content']['application/json'];

type Deps = { baseUrl: string; headers: Record<string, string>; fetch: Fetch };

/** The vault's helpers beyond the generated client: the streamed bulk import. */
export function vaultClient({ baseUrl, headers, fetch }: Deps) {
  /**
   * Imports rows (any iterable, sync or async: a database cursor, a file read line by line…) into a
   * collection as one streamed NDJSON request, and resolves to the server's report. Rows are read only
   * as fast as the server takes them, so memory stays bounded whatever the import's size. Re-running an
   * import updates records instead of duplicating them. A refused import (unknown collection, too large,
   * no permission) throws a CustosError; lines that fail are counted in the report, not thrown.
   * Not retried: a stream cannot be sent twice.
   */
  async function importRecords(
    collection: string,
    rows: Iterable<ImportRow> | AsyncIterable<ImportRow>,
    options: { signal?: AbortSignal } = {},
  ): Promise<ImportReport> {
    const url = `${baseUrl}/v1/collections/${encodeURIComponent(collection)}/import`;
    const init = {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-ndjson' },
      body: ndjsonBody(rows, (row) => JSON.stringify(row)),
      duplex: 'half',
      signal: options.signal,
    };
    const response = await fetch(url, init as RequestInit);
    const answer: unknown = await response.json().catch(() => undefined);
    if (!response.ok) throw errorFromAnswer(response.status, answer);
    return answer as ImportReport;
  }

  return { import: importRecords };
}
