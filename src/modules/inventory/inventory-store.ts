import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { Executor } from '../../db/database.js';
import { AppError } from '../../lib/app-error.js';
import type { InventoryTables } from './inventory-tables.js';

export type SystemRow = Selectable<InventoryTables['inventory_systems']>;
export type NewSystemRow = Insertable<InventoryTables['inventory_systems']>;
export type SystemChanges = Updateable<InventoryTables['inventory_systems']>;
export type ProcessorRow = Selectable<InventoryTables['inventory_processors']>;
export type NewProcessorRow = Insertable<InventoryTables['inventory_processors']>;
export type MeasureRow = Selectable<InventoryTables['inventory_measures']>;
export type ActivityRow = Selectable<InventoryTables['inventory_activities']>;
export type NewActivityRow = Insertable<InventoryTables['inventory_activities']>;
export type OrganizationRow = Selectable<InventoryTables['inventory_organization']>;

/** An activity's links to systems, processors and measures, by id. */
export type ActivityLinks = { systemIds: string[]; processorIds: string[]; measureIds: string[] };

const linkTables = {
  systemIds: ['inventory_activity_systems', 'system_id'],
  processorIds: ['inventory_activity_processors', 'processor_id'],
  measureIds: ['inventory_activity_measures', 'measure_id'],
} as const;

const emptyLinks = (): ActivityLinks => ({ systemIds: [], processorIds: [], measureIds: [] });

/**
 * Runs a write of a named entry. The services check names first; two writers racing for one name make the
 * database refuse the second, which is the same conflict, not a server error.
 */
async function refusingNameTaken(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === '23505')
      throw new AppError('conflict', 'An entry with this name exists already.');
    throw error;
  }
}

/** SQL for the inventory: systems, processors, measures, activities with their links, the organization. */
export function inventoryStore() {
  /** Activities' links (every activity's, or those of the ids given), in one query. */
  async function linksOf(tx: Executor, activityIds?: readonly string[]): Promise<Map<string, ActivityLinks>> {
    const links = new Map<string, ActivityLinks>();
    if (activityIds?.length === 0) return links;
    const only = activityIds ? sql`where activity_id in (${sql.join(activityIds)})` : sql``;
    const { rows } = await sql<{ activity_id: string; kind: keyof ActivityLinks; target: string }>`
      select activity_id, kind, target from (
        select activity_id, 'systemIds' as kind, system_id as target from inventory_activity_systems
        union all select activity_id, 'processorIds', processor_id from inventory_activity_processors
        union all select activity_id, 'measureIds', measure_id from inventory_activity_measures
      ) links ${only}`.execute(tx);
    for (const row of rows) {
      const entry = links.get(row.activity_id) ?? emptyLinks();
      entry[row.kind].push(row.target);
      links.set(row.activity_id, entry);
    }
    return links;
  }

  return {
    listSystems(tx: Executor): Promise<SystemRow[]> {
      return tx.selectFrom('inventory_systems').selectAll().orderBy('name').execute();
    },
    findSystem(tx: Executor, id: string): Promise<SystemRow | undefined> {
      return tx.selectFrom('inventory_systems').selectAll().where('id', '=', id).executeTakeFirst();
    },
    lockSystem(tx: Executor, id: string): Promise<SystemRow | undefined> {
      return tx
        .selectFrom('inventory_systems')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
    },
    systemNamed(tx: Executor, name: string): Promise<SystemRow | undefined> {
      return tx.selectFrom('inventory_systems').selectAll().where('name', '=', name).executeTakeFirst();
    },
    /** Enabled systems with an endpoint: those requests fan out to. */
    fulfilmentSystems(tx: Executor): Promise<SystemRow[]> {
      return tx
        .selectFrom('inventory_systems')
        .selectAll()
        .where('enabled', '=', true)
        .where('endpoint_id', 'is not', null)
        .orderBy('name')
        .execute();
    },
    systemsByIds(tx: Executor, ids: readonly string[]): Promise<SystemRow[]> {
      if (ids.length === 0) return Promise.resolve([]);
      return tx.selectFrom('inventory_systems').selectAll().where('id', 'in', ids).execute();
    },
    async insertSystem(tx: Executor, row: NewSystemRow): Promise<void> {
      await refusingNameTaken(tx.insertInto('inventory_systems').values(row).execute());
    },
    async updateSystem(tx: Executor, id: string, changes: SystemChanges): Promise<void> {
      await refusingNameTaken(
        tx.updateTable('inventory_systems').set(changes).where('id', '=', id).execute(),
      );
    },
    async deleteSystem(tx: Executor, id: string): Promise<void> {
      await tx.deleteFrom('inventory_systems').where('id', '=', id).execute();
    },

    listProcessors(tx: Executor): Promise<ProcessorRow[]> {
      return tx.selectFrom('inventory_processors').selectAll().orderBy('name').execute();
    },
    findProcessor(tx: Executor, id: string): Promise<ProcessorRow | undefined> {
      return tx.selectFrom('inventory_processors').selectAll().where('id', '=', id).executeTakeFirst();
    },
    lockProcessor(tx: Executor, id: string): Promise<ProcessorRow | undefined> {
      return tx
        .selectFrom('inventory_processors')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
    },
    async insertProcessor(tx: Executor, row: NewProcessorRow): Promise<void> {
      await refusingNameTaken(tx.insertInto('inventory_processors').values(row).execute());
    },
    async updateProcessor(
      tx: Executor,
      id: string,
      changes: Updateable<InventoryTables['inventory_processors']>,
    ): Promise<void> {
      await refusingNameTaken(
        tx.updateTable('inventory_processors').set(changes).where('id', '=', id).execute(),
      );
    },
    async deleteProcessor(tx: Executor, id: string): Promise<void> {
      await tx.deleteFrom('inventory_processors').where('id', '=', id).execute();
    },

    listMeasures(tx: Executor): Promise<MeasureRow[]> {
      return tx.selectFrom('inventory_measures').selectAll().orderBy('name').execute();
    },
    findMeasure(tx: Executor, id: string): Promise<MeasureRow | undefined> {
      return tx.selectFrom('inventory_measures').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async insertMeasure(tx: Executor, row: MeasureRow): Promise<void> {
      await refusingNameTaken(tx.insertInto('inventory_measures').values(row).execute());
    },
    async updateMeasure(
      tx: Executor,
      id: string,
      changes: Updateable<InventoryTables['inventory_measures']>,
    ): Promise<void> {
      await refusingNameTaken(
        tx.updateTable('inventory_measures').set(changes).where('id', '=', id).execute(),
      );
    },
    async deleteMeasure(tx: Executor, id: string): Promise<void> {
      await tx.deleteFrom('inventory_measures').where('id', '=', id).execute();
    },

    listActivities(tx: Executor): Promise<ActivityRow[]> {
      return tx.selectFrom('inventory_activities').selectAll().orderBy('name').execute();
    },
    findActivity(tx: Executor, id: string): Promise<ActivityRow | undefined> {
      return tx.selectFrom('inventory_activities').selectAll().where('id', '=', id).executeTakeFirst();
    },
    lockActivity(tx: Executor, id: string): Promise<ActivityRow | undefined> {
      return tx
        .selectFrom('inventory_activities')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
    },
    async insertActivity(tx: Executor, row: NewActivityRow): Promise<void> {
      await refusingNameTaken(tx.insertInto('inventory_activities').values(row).execute());
    },
    async updateActivity(
      tx: Executor,
      id: string,
      changes: Updateable<InventoryTables['inventory_activities']>,
    ): Promise<void> {
      await refusingNameTaken(
        tx.updateTable('inventory_activities').set(changes).where('id', '=', id).execute(),
      );
    },
    async deleteActivity(tx: Executor, id: string): Promise<void> {
      await tx.deleteFrom('inventory_activities').where('id', '=', id).execute();
    },
    linksOf,
    /** Replaces the links of an activity named in `links` (a key left out keeps its links). */
    async setLinks(tx: Executor, activityId: string, links: Partial<ActivityLinks>): Promise<void> {
      for (const [key, [table, column]] of Object.entries(linkTables) as [
        keyof ActivityLinks,
        (typeof linkTables)[keyof ActivityLinks],
      ][]) {
        const targets = links[key];
        if (!targets) continue;
        await tx.deleteFrom(table).where('activity_id', '=', activityId).execute();
        if (targets.length === 0) continue;
        await tx
          .insertInto(table)
          .values(
            [...new Set(targets)].map((target) => ({ activity_id: activityId, [column]: target }) as never),
          )
          .execute();
      }
    },
    /** Names of the activities linking to a system, processor or measure. */
    async activitiesLinking(tx: Executor, key: keyof ActivityLinks, targetId: string): Promise<string[]> {
      const [table, column] = linkTables[key];
      const rows = await tx
        .selectFrom(`${table} as l` as 'inventory_activity_systems as l')
        .innerJoin('inventory_activities as a', 'a.id', 'l.activity_id')
        .select('a.name')
        .where(`l.${column}` as 'l.system_id', '=', targetId)
        .orderBy('a.name')
        .execute();
      return rows.map((row) => row.name);
    },

    findOrganization(tx: Executor): Promise<OrganizationRow | undefined> {
      return tx.selectFrom('inventory_organization').selectAll().executeTakeFirst();
    },
    async saveOrganization(
      tx: Executor,
      row: Omit<Insertable<InventoryTables['inventory_organization']>, 'id'>,
    ): Promise<void> {
      await tx
        .insertInto('inventory_organization')
        .values({ ...row, id: true })
        .onConflict((oc) => oc.column('id').doUpdateSet(row))
        .execute();
    },
  };
}

export type InventoryStore = ReturnType<typeof inventoryStore>;
