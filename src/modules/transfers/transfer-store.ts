import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { TransferTables } from './transfer-tables.js';

export type OverrideRow = Selectable<TransferTables['transfer_adequacy_overrides']>;
export type PolicyRow = Selectable<TransferTables['residency_policies']>;
export type MechanismRow = Selectable<TransferTables['transfer_mechanisms']>;
export type TiaRow = Selectable<TransferTables['transfer_tias']>;

/** SQL for the transfers module. */
export function transferStore() {
  return {
    overrides(tx: Executor): Promise<OverrideRow[]> {
      return tx.selectFrom('transfer_adequacy_overrides').selectAll().orderBy('id').execute();
    },
    async upsertOverride(tx: Executor, row: Insertable<TransferTables['transfer_adequacy_overrides']>) {
      return tx
        .insertInto('transfer_adequacy_overrides')
        .values(row)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            regime: row.regime,
            entry: row.entry,
            revoked: row.revoked,
            note: row.note,
            updated_at: row.updated_at,
          }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    async deleteOverride(tx: Executor, id: string): Promise<boolean> {
      const result = await tx
        .deleteFrom('transfer_adequacy_overrides')
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    policies(tx: Executor): Promise<PolicyRow[]> {
      return tx.selectFrom('residency_policies').selectAll().orderBy('region').execute();
    },
    findPolicy(tx: Executor, id: string): Promise<PolicyRow | undefined> {
      return tx.selectFrom('residency_policies').selectAll().where('id', '=', id).executeTakeFirst();
    },
    findPolicyByRegion(tx: Executor, region: string): Promise<PolicyRow | undefined> {
      return tx.selectFrom('residency_policies').selectAll().where('region', '=', region).executeTakeFirst();
    },
    insertPolicy(tx: Executor, row: Insertable<TransferTables['residency_policies']>): Promise<PolicyRow> {
      return tx.insertInto('residency_policies').values(row).returningAll().executeTakeFirstOrThrow();
    },
    updatePolicy(
      tx: Executor,
      id: string,
      changes: Updateable<TransferTables['residency_policies']>,
    ): Promise<PolicyRow | undefined> {
      return tx
        .updateTable('residency_policies')
        .set(changes)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    },
    async deletePolicy(tx: Executor, id: string): Promise<boolean> {
      const result = await tx.deleteFrom('residency_policies').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    mechanisms(tx: Executor): Promise<MechanismRow[]> {
      return tx
        .selectFrom('transfer_mechanisms')
        .selectAll()
        .orderBy('recipient_name')
        .orderBy('created_at')
        .execute();
    },
    mechanismsFor(
      tx: Executor,
      recipient: { type: string; id: string },
      destination: string,
    ): Promise<MechanismRow[]> {
      return tx
        .selectFrom('transfer_mechanisms')
        .selectAll()
        .where('recipient_type', '=', recipient.type as MechanismRow['recipient_type'])
        .where('recipient_id', '=', recipient.id)
        .where('destination', '=', destination)
        .orderBy('created_at')
        .execute();
    },
    findMechanism(tx: Executor, id: string): Promise<MechanismRow | undefined> {
      return tx.selectFrom('transfer_mechanisms').selectAll().where('id', '=', id).executeTakeFirst();
    },
    insertMechanism(
      tx: Executor,
      row: Insertable<TransferTables['transfer_mechanisms']>,
    ): Promise<MechanismRow> {
      return tx.insertInto('transfer_mechanisms').values(row).returningAll().executeTakeFirstOrThrow();
    },
    async deleteMechanism(tx: Executor, id: string): Promise<boolean> {
      const result = await tx.deleteFrom('transfer_mechanisms').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    tiasOf(tx: Executor, mechanismIds: string[]): Promise<TiaRow[]> {
      if (mechanismIds.length === 0) return Promise.resolve([]);
      return tx
        .selectFrom('transfer_tias')
        .selectAll()
        .where('mechanism_id', 'in', mechanismIds)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
    },
    insertTia(tx: Executor, row: Insertable<TransferTables['transfer_tias']>): Promise<TiaRow> {
      return tx.insertInto('transfer_tias').values(row).returningAll().executeTakeFirstOrThrow();
    },
  };
}

export type TransferStore = ReturnType<typeof transferStore>;
