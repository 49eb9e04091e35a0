import type { Insertable, Selectable } from 'kysely';
import type { Executor } from './database.js';
import type { DB } from './schema.js';

/** The tables holding one-time codes, each with the column naming what its codes belong to. */
type CodeOwners = {
  subject_account_codes: 'account_id';
  request_verification_codes: 'request_id';
};
type CodeTable = keyof CodeOwners;

/**
 * SQL for one-time codes (e-mail confirmation, request verification) of one table: only a code's digest is
 * kept, a newer code spends the earlier ones, and wrong tries are counted on the code.
 */
export function oneTimeCodeStore<T extends CodeTable>(table: T, ownerColumn: CodeOwners[T]) {
  type CodeRow = Selectable<DB[T]>;
  // Kysely cannot follow a table name that is a type parameter; the queries are typed against the union of the
  // code tables, whose columns are the same but for the owner column.
  const codes = table as CodeTable;
  const owner = ownerColumn as CodeOwners[CodeTable];
  return {
    async insertCode(tx: Executor, row: Omit<CodeRow, 'attempts' | 'spent_at'>) {
      await tx
        .insertInto(codes)
        .values(row as Insertable<DB[CodeTable]>)
        .execute();
    },
    /** The owner's newest unspent code (a new one spends the earlier ones), locked; it may have expired. */
    async unspentCode(tx: Executor, ownerId: string): Promise<CodeRow | undefined> {
      const row = await tx
        .selectFrom(codes)
        .selectAll()
        .where(owner, '=', ownerId)
        .where('spent_at', 'is', null)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .forUpdate()
        .executeTakeFirst();
      return row as CodeRow | undefined;
    },
    async countCodesSince(tx: Executor, ownerId: string, since: Date): Promise<number> {
      const row = await tx
        .selectFrom(codes)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where(owner, '=', ownerId)
        .where('created_at', '>=', since)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    /** Spends every unspent code of the owner (a new one replaces them, or the owner is verified). */
    async spendCodes(tx: Executor, ownerId: string, at: Date) {
      await tx
        .updateTable(codes)
        .set({ spent_at: at })
        .where(owner, '=', ownerId)
        .where('spent_at', 'is', null)
        .execute();
    },
    /** Counts a wrong try on a code; `spentAt` also spends it (its tries ran out). */
    async recordFailedAttempt(tx: Executor, codeId: string, spentAt: Date | null) {
      await tx
        .updateTable(codes)
        .set((eb) => ({ attempts: eb('attempts', '+', 1), ...(spentAt ? { spent_at: spentAt } : {}) }))
        .where('id', '=', codeId)
        .execute();
    },
  };
}
