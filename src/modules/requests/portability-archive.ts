import { strToU8, zipSync } from 'fflate';
import { csvCell } from '../../lib/csv.js';
import type { CollectionData } from './access-package.js';

/**
 * The portability archive (GDPR Art. 20): the subject's data in a zip of one JSON file (the faithful
 * machine-readable copy), one CSV file per collection (for spreadsheets), and a README describing both.
 * Every stored field is included: Custos does not record which data was inferred by the organization
 * rather than provided or observed, and handing over more than Art. 20 requires is safe where less is not.
 */

/** Collections that hold records for the subject. */
export function heldData(data: CollectionData[]): CollectionData[] {
  return data.filter((collection) => collection.records.length > 0);
}

export function collectionCsv(collection: CollectionData): string {
  const names = collection.fields.map((field) => field.name);
  const header = ['record_id', 'created_at', 'updated_at', ...names].map(csvCell).join(',');
  const rows = collection.records.map((record) =>
    [
      record.id,
      record.createdAt.toISOString(),
      record.updatedAt.toISOString(),
      ...names.map((name) => record.values[name]),
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[header, ...rows].join('\r\n')}\r\n`;
}

function readme(collections: CollectionData[], generatedAt: Date): string {
  const files = collections.map(
    (collection) =>
      `  ${collection.collection}.csv  ${collection.description || collection.collection}: ${collection.records.length} record(s)`,
  );
  return [
    'Your data, in a format you can take elsewhere (GDPR Art. 20)',
    '',
    `Made on ${generatedAt.toISOString().slice(0, 10)}. This archive holds the personal data we store about you.`,
    '',
    'data.json',
    '  Everything in one JSON document (UTF-8): {"format":"custos.portability","formatVersion":1,',
    '  "generatedAt", "subjectId", "collections": [{"collection", "description", "fields": [{"name",',
    '  "type", "category", "classification"}], "records": [{"id", "createdAt", "updatedAt", "values"}]}]}.',
    '  Values are exactly as stored: text, numbers, true/false, dates as YYYY-MM-DD, addresses as objects.',
    '',
    'One CSV file per collection (UTF-8, comma-separated, RFC 4180 quoting, CRLF line ends):',
    ...files,
    '  Columns: record_id, created_at, updated_at (ISO 8601, UTC), then one column per field. Structured',
    '  values (addresses) are JSON. A value starting with = + - @ is prefixed with an apostrophe so a',
    '  spreadsheet does not run it as a formula; data.json has the value unchanged.',
    '',
  ].join('\r\n');
}

export function portabilityArchive(input: {
  subjectId: string;
  data: CollectionData[];
  generatedAt: Date;
}): Uint8Array {
  const collections = heldData(input.data);
  const document = {
    format: 'custos.portability',
    formatVersion: 1,
    generatedAt: input.generatedAt.toISOString(),
    subjectId: input.subjectId,
    collections,
  };
  const files: Record<string, Uint8Array> = {
    'README.txt': strToU8(readme(collections, input.generatedAt)),
    'data.json': strToU8(JSON.stringify(document, null, 2)),
  };
  for (const collection of collections)
    files[`${collection.collection}.csv`] = strToU8(collectionCsv(collection));
  // A fixed timestamp in every entry, so the same data always makes the same bytes.
  return zipSync(files, { level: 6, mtime: input.generatedAt });
}
