import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import { processorEntriesOf } from './inventory-entries.js';
import type { DpaRecord, ProcessorEntry, ProcessorRole } from './inventory-model.js';
import type { InventoryStore, NewProcessorRow, ProcessorRow } from './inventory-store.js';
import { entriesOnCycles, type ProblemList, problemList } from './inventory-validation.js';

export type ProcessorInput = {
  name: string;
  contact: string;
  country: string;
  role: ProcessorRole;
  parentId: string | null;
  dpa: DpaRecord | null;
};

type Deps = { db: Kysely<DB>; store: InventoryStore; audit: AuditWriter; clock: Clock };

/** The DPA's standing on a day (YYYY-MM-DD): none recorded, past its review date, or valid. */
export function dpaStatus(dpa: DpaRecord | null, today: string): 'valid' | 'expired' | 'missing' {
  if (!dpa) return 'missing';
  return dpa.reviewAt !== null && dpa.reviewAt < today ? 'expired' : 'valid';
}

/** The columns of the input fields given. */
export function processorColumnsOf(input: Partial<ProcessorInput>): Partial<NewProcessorRow> {
  const columns: Partial<NewProcessorRow> = {};
  if (input.name !== undefined) columns.name = input.name;
  if (input.contact !== undefined) columns.contact = input.contact;
  if (input.country !== undefined) columns.country = input.country;
  if (input.role !== undefined) columns.role = input.role;
  if (input.parentId !== undefined) columns.parent_id = input.parentId;
  if (input.dpa !== undefined) {
    columns.dpa_signed_at = input.dpa?.signedAt ?? null;
    columns.dpa_version = input.dpa?.version ?? null;
    columns.dpa_review_at = input.dpa?.reviewAt ?? null;
    columns.dpa_reference = input.dpa?.reference ?? null;
  }
  return columns;
}

/** Checks a processor's country and its parent, which must exist and not close a cycle. */
export function checkProcessor(
  problems: ProblemList,
  prefix: string,
  input: Partial<ProcessorInput>,
  known: ReadonlySet<string>,
): void {
  problems.country(`${prefix}country`, input.country);
  problems.reference(`${prefix}parentId`, input.parentId, known, 'processor');
}

/** Processors and vendors (GDPR Art. 28), with the chains of sub-processors they engage. */
export function inventoryProcessors({ db, store, audit, clock }: Deps) {
  const target = (id: string) => ({ type: 'inventory_processor', id });

  async function list(tx: Executor = db): Promise<ProcessorEntry[]> {
    const [rows, systems] = await Promise.all([store.listProcessors(tx), store.listSystems(tx)]);
    return processorEntriesOf(rows, systems);
  }

  async function get(id: string): Promise<ProcessorEntry> {
    const found = (await list()).find((entry) => entry.id === id);
    if (!found) throw new AppError('not_found', 'No processor with this id.');
    return found;
  }

  async function assertValid(tx: Executor, id: string, input: Partial<ProcessorInput>): Promise<void> {
    const rows = await store.listProcessors(tx);
    const problems = problemList();
    checkProcessor(problems, '', input, new Set(rows.map((row) => row.id)));
    if (input.parentId !== undefined && problems.count === 0) {
      const parents = new Map<string, string | null>(rows.map((row) => [row.id, row.parent_id]));
      parents.set(id, input.parentId);
      if (entriesOnCycles(parents).has(id)) problems.add('parentId', 'would make a cycle of sub-processors');
    }
    problems.throwIfAny('Some fields of the processor are not valid.');
  }

  async function assertNameFree(tx: Executor, name: string, id?: string): Promise<void> {
    const named = (await store.listProcessors(tx)).find((row) => row.name === name);
    if (named && named.id !== id) throw new AppError('conflict', `A processor named ${name} exists already.`);
  }

  async function create(context: AuditContext, input: ProcessorInput): Promise<ProcessorEntry> {
    const id = randomUUID();
    await db.transaction().execute(async (tx) => {
      await assertValid(tx, id, input);
      await assertNameFree(tx, input.name);
      const now = clock.now();
      await store.insertProcessor(tx, {
        ...(processorColumnsOf(input) as NewProcessorRow),
        id,
        created_at: now,
        updated_at: now,
      });
      await audit.append(tx, context, {
        action: 'inventory.processor.created',
        outcome: 'success',
        target: target(id),
        details: { fields: Object.keys(input) },
      });
    });
    return get(id);
  }

  async function update(
    context: AuditContext,
    id: string,
    changes: Partial<ProcessorInput>,
  ): Promise<ProcessorEntry> {
    await db.transaction().execute(async (tx) => {
      if (!(await store.lockProcessor(tx, id))) throw new AppError('not_found', 'No processor with this id.');
      await assertValid(tx, id, changes);
      if (changes.name !== undefined) await assertNameFree(tx, changes.name, id);
      await store.updateProcessor(tx, id, { ...processorColumnsOf(changes), updated_at: clock.now() });
      await audit.append(tx, context, {
        action: 'inventory.processor.updated',
        outcome: 'success',
        target: target(id),
        details: {
          changed: Object.keys(changes).filter((key) => changes[key as keyof ProcessorInput] !== undefined),
        },
      });
    });
    return get(id);
  }

  /** Deletes a processor that operates no system, engages no sub-processor and no activity names. */
  async function remove(context: AuditContext, id: string): Promise<void> {
    await db.transaction().execute(async (tx) => {
      if (!(await store.lockProcessor(tx, id))) throw new AppError('not_found', 'No processor with this id.');
      const rows: ProcessorRow[] = await store.listProcessors(tx);
      const subProcessors = rows.filter((row) => row.parent_id === id).map((row) => row.name);
      const systems = (await store.listSystems(tx))
        .filter((row) => row.processor_id === id)
        .map((row) => row.name);
      const activities = await store.activitiesLinking(tx, 'processorIds', id);
      if (subProcessors.length + systems.length + activities.length > 0) {
        throw new AppError(
          'conflict',
          'Other entries name this processor (its sub-processors, the systems it operates, activities); change them first.',
          { extensions: { subProcessors, systems, activities } },
        );
      }
      await store.deleteProcessor(tx, id);
      await audit.append(tx, context, {
        action: 'inventory.processor.deleted',
        outcome: 'success',
        target: target(id),
      });
    });
  }

  return { list: () => list(), get, create, update, remove };
}

export type InventoryProcessors = ReturnType<typeof inventoryProcessors>;
