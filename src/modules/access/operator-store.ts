import type { Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { AccessTables } from './access-tables.js';

export type OperatorRow = Selectable<AccessTables['operators']>;
export type SetupTokenRow = Selectable<AccessTables['setup_tokens']>;
export type NewOperator = Pick<OperatorRow, 'id' | 'email' | 'display_name' | 'roles' | 'status'> &
  Partial<Pick<OperatorRow, 'password_hash' | 'password_changed_at'>> & {
    created_at?: Date;
    updated_at?: Date;
  };

/** SQL for operators, their recovery codes and their setup/invitation tokens. */
export function operatorStore() {
  return {
    async insert(tx: Executor, row: NewOperator) {
      await tx.insertInto('operators').values(row).execute();
    },
    findById(tx: Executor, id: string): Promise<OperatorRow | undefined> {
      return tx.selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirst();
    },
    findByEmail(tx: Executor, email: string): Promise<OperatorRow | undefined> {
      return tx
        .selectFrom('operators')
        .selectAll()
        .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
        .executeTakeFirst();
    },
    /** Locks the operator row for the rest of the transaction (MFA step checks, role changes). */
    lockById(tx: Executor, id: string): Promise<OperatorRow | undefined> {
      return tx.selectFrom('operators').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    },
    list(tx: Executor): Promise<OperatorRow[]> {
      return tx.selectFrom('operators').selectAll().orderBy('created_at').orderBy('id').execute();
    },
    async count(tx: Executor): Promise<number> {
      const row = await tx
        .selectFrom('operators')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    async update(
      tx: Executor,
      id: string,
      changes: Partial<Omit<OperatorRow, 'id' | 'created_at'>>,
      at: Date,
    ) {
      await tx
        .updateTable('operators')
        .set({ ...changes, updated_at: at })
        .where('id', '=', id)
        .execute();
    },

    async replaceRecoveryCodes(tx: Executor, operatorId: string, codes: { id: string; code_hash: string }[]) {
      await tx.deleteFrom('operator_recovery_codes').where('operator_id', '=', operatorId).execute();
      if (codes.length === 0) return;
      await tx
        .insertInto('operator_recovery_codes')
        .values(codes.map((code) => ({ ...code, operator_id: operatorId })))
        .execute();
    },
    /** Marks an unused recovery code used; returns false when it does not exist or was used already. */
    async useRecoveryCode(tx: Executor, operatorId: string, codeHash: string, at: Date): Promise<boolean> {
      const result = await tx
        .updateTable('operator_recovery_codes')
        .set({ used_at: at })
        .where('operator_id', '=', operatorId)
        .where('code_hash', '=', codeHash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async remainingRecoveryCodes(tx: Executor, operatorId: string): Promise<number> {
      const row = await tx
        .selectFrom('operator_recovery_codes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('operator_id', '=', operatorId)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async insertSetupToken(tx: Executor, row: Omit<SetupTokenRow, 'used_at' | 'created_at'>) {
      await tx.insertInto('setup_tokens').values(row).execute();
    },
    /** Consumes a valid token atomically: returns it once, and never again. */
    async consumeSetupToken(tx: Executor, tokenHash: string, at: Date): Promise<SetupTokenRow | undefined> {
      return tx
        .updateTable('setup_tokens')
        .set({ used_at: at })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', at)
        .returningAll()
        .executeTakeFirst();
    },
    async deleteExpiredSetupTokens(tx: Executor, at: Date): Promise<number> {
      const result = await tx
        .deleteFrom('setup_tokens')
        .where((eb) => eb.or([eb('expires_at', '<', at), eb('used_at', 'is not', null)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type OperatorStore = ReturnType<typeof operatorStore>;
