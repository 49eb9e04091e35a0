import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import { measureEntryOf } from './inventory-entries.js';
import type { MeasureEntry, MeasureKind } from './inventory-model.js';
import type { InventoryStore } from './inventory-store.js';

export type MeasureInput = { name: string; description: string; kind: MeasureKind };

type Deps = { db: Kysely<DB>; store: InventoryStore; audit: AuditWriter };

/** Technical and organisational security measures (Art. 32) that processing activities link to. */
export function inventoryMeasures({ db, store, audit }: Deps) {
  const measureTarget = (id: string) => ({ type: 'inventory_measure', id });

  async function assertMeasureNameFree(name: string, id?: string): Promise<void> {
    const named = (await store.listMeasures(db)).find((row) => row.name === name);
    if (named && named.id !== id) throw new AppError('conflict', `A measure named ${name} exists already.`);
  }

  async function getMeasure(id: string): Promise<MeasureEntry> {
    const row = await store.findMeasure(db, id);
    if (!row) throw new AppError('not_found', 'No security measure with this id.');
    return measureEntryOf(row);
  }

  return {
    list: async () => (await store.listMeasures(db)).map(measureEntryOf),
    get: getMeasure,
    async create(context: AuditContext, input: MeasureInput): Promise<MeasureEntry> {
      const id = randomUUID();
      await assertMeasureNameFree(input.name);
      await db.transaction().execute(async (tx) => {
        await store.insertMeasure(tx, { id, ...input });
        await audit.append(tx, context, {
          action: 'inventory.measure.created',
          outcome: 'success',
          target: measureTarget(id),
          details: { fields: Object.keys(input) },
        });
      });
      return getMeasure(id);
    },
    async update(context: AuditContext, id: string, changes: Partial<MeasureInput>): Promise<MeasureEntry> {
      await getMeasure(id);
      if (changes.name !== undefined) await assertMeasureNameFree(changes.name, id);
      await db.transaction().execute(async (tx) => {
        await store.updateMeasure(tx, id, changes);
        await audit.append(tx, context, {
          action: 'inventory.measure.updated',
          outcome: 'success',
          target: measureTarget(id),
          details: {
            changed: Object.keys(changes).filter((key) => changes[key as keyof MeasureInput] !== undefined),
          },
        });
      });
      return getMeasure(id);
    },
    async remove(context: AuditContext, id: string): Promise<void> {
      await getMeasure(id);
      await db.transaction().execute(async (tx) => {
        const linking = await store.activitiesLinking(tx, 'measureIds', id);
        if (linking.length > 0) {
          throw new AppError(
            'conflict',
            'Processing activities name this measure; unlink it from them first.',
            {
              extensions: { activities: linking },
            },
          );
        }
        await store.deleteMeasure(tx, id);
        await audit.append(tx, context, {
          action: 'inventory.measure.deleted',
          outcome: 'success',
          target: measureTarget(id),
        });
      });
    },
  };
}

export type InventoryMeasures = ReturnType<typeof inventoryMeasures>;
