import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { AppError } from '../../lib/app-error.js';
import type { FieldDefinition } from './collection-schema.js';
import type { ImportLine } from './import-encoding.js';

/** Lines of an NDJSON stream as objects; a line that is not a JSON object becomes an empty one (then reported). */
export async function* ndjsonLines(input: Readable): AsyncGenerator<ImportLine> {
  const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of reader) {
    line += 1;
    if (text.trim() === '') continue;
    let values: unknown;
    try {
      values = JSON.parse(text);
    } catch {
      values = { externalId: undefined, __malformed: true };
    }
    yield {
      line,
      values:
        typeof values === 'object' && values !== null && !Array.isArray(values)
          ? (values as Record<string, unknown>)
          : { __malformed: true },
    };
  }
}

/** CSV cells are text: turn them into the types the collection's fields expect (empty cell: absent). */
function coerce(field: FieldDefinition | undefined, cell: string): unknown {
  if (cell === '') return undefined;
  if (!field) return cell;
  switch (field.type) {
    case 'number': {
      const number = Number(cell);
      return Number.isFinite(number) ? number : cell;
    }
    case 'boolean':
      return cell === 'true' ? true : cell === 'false' ? false : cell;
    case 'json':
    case 'address':
      try {
        return JSON.parse(cell);
      } catch {
        return cell;
      }
    default:
      return cell;
  }
}

/** Rows of a CSV stream with a header line; columns are `externalId`, `region`, `recordId` and field names. */
export async function* csvLines(input: Readable, fields: FieldDefinition[]): AsyncGenerator<ImportLine> {
  const byName = new Map(fields.map((field) => [field.name, field]));
  const parser = input.pipe(
    parse({ columns: true, skip_empty_lines: true, bom: true, relax_column_count: false }),
  );
  let line = 1;
  try {
    for await (const row of parser as AsyncIterable<Record<string, string>>) {
      line += 1;
      const values: Record<string, unknown> = {};
      for (const [column, cell] of Object.entries(row)) {
        const value = coerce(byName.get(column), cell);
        if (value !== undefined) values[column] = value;
      }
      yield { line, values };
    }
  } catch (error) {
    throw new AppError('validation_failed', `The CSV could not be read after line ${line}.`, {
      errors: [
        {
          in: 'body',
          path: `line ${line + 1}`,
          message: (error as { code?: string }).code ?? 'malformed CSV',
        },
      ],
    });
  }
}
