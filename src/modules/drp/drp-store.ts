import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DrpTables } from './drp-tables.js';

export type AgentRow = Selectable<DrpTables['drp_agents']>;
export type NewAgentRow = Insertable<DrpTables['drp_agents']>;
export type AgentChanges = Updateable<DrpTables['drp_agents']>;
export type DrpRequestRow = Selectable<DrpTables['drp_requests']>;
export type NewDrpRequestRow = Omit<Insertable<DrpTables['drp_requests']>, 'relationships'> & {
  relationships: string[];
};
export type DrpRequestChanges = Updateable<DrpTables['drp_requests']>;

/** SQL for the Data Rights Protocol: trusted agents, their pairing tokens, and the DRP side of requests. */
export function drpStore() {
  return {
    listAgents(tx: Executor): Promise<AgentRow[]> {
      return tx.selectFrom('drp_agents').selectAll().orderBy('id').execute();
    },
    findAgent(tx: Executor, id: string): Promise<AgentRow | undefined> {
      return tx.selectFrom('drp_agents').selectAll().where('id', '=', id).executeTakeFirst();
    },
    lockAgent(tx: Executor, id: string): Promise<AgentRow | undefined> {
      return tx.selectFrom('drp_agents').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    },
    findAgentByToken(tx: Executor, tokenHash: string): Promise<AgentRow | undefined> {
      return tx.selectFrom('drp_agents').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    },
    /** False when an agent with this id exists already. */
    async insertAgent(tx: Executor, row: NewAgentRow): Promise<boolean> {
      const result = await tx
        .insertInto('drp_agents')
        .values(row)
        .onConflict((conflict) => conflict.column('id').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async updateAgent(tx: Executor, id: string, changes: AgentChanges) {
      await tx.updateTable('drp_agents').set(changes).where('id', '=', id).execute();
    },
    async deleteAgent(tx: Executor, id: string): Promise<boolean> {
      const result = await tx.deleteFrom('drp_agents').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async insertRequest(tx: Executor, row: NewDrpRequestRow) {
      await tx
        .insertInto('drp_requests')
        .values({ ...row, relationships: JSON.stringify(row.relationships) })
        .execute();
    },
    findRequest(tx: Executor, requestId: string): Promise<DrpRequestRow | undefined> {
      return tx.selectFrom('drp_requests').selectAll().where('request_id', '=', requestId).executeTakeFirst();
    },
    findByVerificationId(tx: Executor, verificationId: string): Promise<DrpRequestRow | undefined> {
      return tx
        .selectFrom('drp_requests')
        .selectAll()
        .where('verification_id', '=', verificationId)
        .executeTakeFirst();
    },
    /** The DRP rows of those requests that have one (most requests do not), locked for the transaction. */
    lockRequests(tx: Executor, requestIds: string[]): Promise<DrpRequestRow[]> {
      if (requestIds.length === 0) return Promise.resolve([]);
      return tx
        .selectFrom('drp_requests')
        .selectAll()
        .where('request_id', 'in', requestIds)
        .orderBy('request_id')
        .forUpdate()
        .execute();
    },
    /** The request an agent filed before with this message, or with this agent request id. */
    findEarlier(
      tx: Executor,
      query: { digest: Buffer; agentId: string; agentRequestId: string | undefined },
    ): Promise<DrpRequestRow[]> {
      return tx
        .selectFrom('drp_requests')
        .selectAll()
        .where((eb) =>
          eb.or([
            eb('message_digest', '=', query.digest),
            ...(query.agentRequestId
              ? [
                  eb.and([
                    eb('agent_id', '=', query.agentId),
                    eb('agent_request_id', '=', query.agentRequestId),
                  ]),
                ]
              : []),
          ]),
        )
        .execute();
    },
    async updateRequest(tx: Executor, requestId: string, changes: DrpRequestChanges) {
      await tx.updateTable('drp_requests').set(changes).where('request_id', '=', requestId).execute();
    },
    /**
     * Records a callback attempt's outcome if the callback is still where the attempt found it (same
     * version, same attempt count); false when a newer status or a duplicate job got there first.
     */
    async recordCallback(
      tx: Executor,
      requestId: string,
      expected: { version: number; attempts: number },
      changes: DrpRequestChanges,
    ): Promise<boolean> {
      const result = await tx
        .updateTable('drp_requests')
        .set(changes)
        .where('request_id', '=', requestId)
        .where('callback_version', '=', expected.version)
        .where('callback_attempts', '=', expected.attempts)
        .where('callback_state', '=', 'pending')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

export type DrpStore = ReturnType<typeof drpStore>;
