import { sql } from 'kysely';
import type { Database } from '../../src/db/database.js';

/**
 * Searches every text, JSON and bytea column of every table in the database for each needle, as given
 * and lower-cased. Returns `schema.table.column: needle` for every hit. Used to prove that erased or
 * secret values are nowhere in storage.
 */
export async function findInDatabase(database: Database, needles: string[]): Promise<string[]> {
  const columns = await sql<{
    table_schema: string;
    table_name: string;
    column_name: string;
    data_type: string;
  }>`
    select c.table_schema, c.table_name, c.column_name, c.data_type
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where t.table_type = 'BASE TABLE'
      and c.table_schema not in ('pg_catalog', 'information_schema')
      and c.data_type in ('text', 'character varying', 'json', 'jsonb', 'bytea', 'ARRAY')
  `.execute(database.db);
  const variants = [...new Set(needles.flatMap((needle) => [needle, needle.toLowerCase()]))].filter(
    (n) => n.length >= 3,
  );
  const hits: string[] = [];
  for (const column of columns.rows) {
    const ref = sql.raw(`"${column.table_schema}"."${column.table_name}"`);
    const col = sql.raw(`"${column.column_name}"`);
    for (const needle of variants) {
      const condition =
        column.data_type === 'bytea'
          ? sql`position(${Buffer.from(needle, 'utf8')}::bytea in ${col}) > 0`
          : sql`strpos(${col}::text, ${needle}) > 0`;
      const found = await sql<{
        n: number;
      }>`select count(*)::int as n from ${ref} where ${condition}`.execute(database.db);
      if ((found.rows[0]?.n ?? 0) > 0)
        hits.push(`${column.table_schema}.${column.table_name}.${column.column_name}: ${needle}`);
    }
  }
  return hits;
}
