import { sql } from 'kysely';
import type { Database } from '../../db/database.js';

type Deps = { db: Database['db'] };

/**
 * What the vault can say about activity without reading personal data: a subject's last activity is the
 * newest of its own creation and change times and those of its records (written, changed); erased
 * subjects have none. Counts per collection say which collections hold data.
 */
export function subjectActivity({ db }: Deps) {
  /** Subjects (not erased) with no activity since `before`: how many, and up to `sample` of their ids. */
  async function inactiveSince(
    before: Date,
    sample: number,
  ): Promise<{ count: number; sample: string[]; oldest: Date | null }> {
    const result = await sql<{ count: string; sample: string[] | null; oldest: Date | null }>`
      with inactive as (
        select s.id, greatest(s.created_at, s.updated_at) as last_activity
          from subjects s
         where s.status <> 'erased' and greatest(s.created_at, s.updated_at) < ${before}
           and not exists (select 1 from records r where r.subject_id = s.id
                             and greatest(r.created_at, r.updated_at) >= ${before})
      )
      select count(*) as count, min(last_activity) as oldest,
             (select array_agg(id::text) from (select id from inactive order by last_activity, id
                                                 limit ${sample}::int) first) as sample
        from inactive`.execute(db);
    const row = result.rows[0];
    return {
      count: Number(row?.count ?? 0),
      sample: row?.sample ?? [],
      oldest: row?.oldest ? new Date(row.oldest) : null,
    };
  }

  /** How many records each collection holds (collections holding none are absent). */
  async function recordsPerCollection(): Promise<Map<string, number>> {
    const result = await sql<{ name: string; count: string }>`
      select c.name, count(*) as count from records r join collections c on c.id = r.collection_id
       group by c.name`.execute(db);
    return new Map(result.rows.map((row) => [row.name, Number(row.count)]));
  }

  return { inactiveSince, recordsPerCollection };
}

export type SubjectActivity = ReturnType<typeof subjectActivity>;
