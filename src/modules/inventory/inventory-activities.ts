import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import { activityEntryOf } from './inventory-entries.js';
import type { ActivityEntry } from './inventory-model.js';
import type { ActivityLinks, InventoryStore, NewActivityRow } from './inventory-store.js';
import { type ProblemList, problemList } from './inventory-validation.js';

/** What a person types in about a processing activity. */
export type ActivityInput = Omit<ActivityEntry, 'id' | 'createdAt' | 'updatedAt'>;

/** Keys of the purposes and names of the collections that exist (other modules' entries). */
export type OutsideEntries = { purposes: ReadonlySet<string>; collections: ReadonlySet<string> };

/** Keys and names an activity may link to, by the kind of entry. */
export type KnownEntries = OutsideEntries & {
  systems: ReadonlySet<string>;
  processors: ReadonlySet<string>;
  measures: ReadonlySet<string>;
};

type Deps = {
  db: Kysely<DB>;
  store: InventoryStore;
  audit: AuditWriter;
  clock: Clock;
  /** Keys of the consent purposes and names of the vault collections, from their modules. */
  purposeKeys: () => Promise<ReadonlySet<string>>;
  collectionNames: () => Promise<ReadonlySet<string>>;
};

const unique = (values: readonly string[]) => [...new Set(values)].sort();

/** The columns of the input fields given (links are kept apart, in their own tables). */
export function activityColumnsOf(input: Partial<ActivityInput>): Partial<NewActivityRow> {
  const columns: Partial<NewActivityRow> = {};
  if (input.name !== undefined) columns.name = input.name;
  if (input.description !== undefined) columns.description = input.description;
  if (input.role !== undefined) columns.role = input.role;
  if (input.controller !== undefined)
    columns.controller = input.controller ? JSON.stringify(input.controller) : null;
  if (input.jointControllers !== undefined)
    columns.joint_controllers = JSON.stringify(input.jointControllers);
  if (input.purposeKeys !== undefined) columns.purpose_keys = unique(input.purposeKeys);
  if (input.collectionNames !== undefined) columns.collection_names = unique(input.collectionNames);
  if (input.extraDataCategories !== undefined)
    columns.extra_data_categories = unique(input.extraDataCategories);
  if (input.extraDataSubjects !== undefined) columns.extra_data_subjects = unique(input.extraDataSubjects);
  if (input.recipientCategories !== undefined)
    columns.recipient_categories = unique(input.recipientCategories);
  if (input.transferSafeguards !== undefined)
    columns.transfer_safeguards = JSON.stringify(input.transferSafeguards);
  if (input.retentionNote !== undefined) columns.retention_note = input.retentionNote;
  return columns;
}

export function linksOfInput(input: Partial<ActivityInput>): Partial<ActivityLinks> {
  return {
    ...(input.systemIds !== undefined ? { systemIds: input.systemIds } : {}),
    ...(input.processorIds !== undefined ? { processorIds: input.processorIds } : {}),
    ...(input.measureIds !== undefined ? { measureIds: input.measureIds } : {}),
  };
}

/** Checks an activity's taxonomy keys, countries and links; `role` and `controller` as they will be. */
export function checkActivity(
  problems: ProblemList,
  prefix: string,
  input: Partial<ActivityInput>,
  known: KnownEntries,
  links: { systems: string; processors: string; measures: string } = {
    systems: 'systemIds',
    processors: 'processorIds',
    measures: 'measureIds',
  },
): void {
  if (input.extraDataCategories)
    problems.dataCategories(`${prefix}extraDataCategories`, input.extraDataCategories);
  if (input.extraDataSubjects) problems.dataSubjects(`${prefix}extraDataSubjects`, input.extraDataSubjects);
  input.transferSafeguards?.forEach((transfer, index) => {
    problems.country(`${prefix}transferSafeguards.${index}.country`, transfer.country);
  });
  if (input.purposeKeys)
    problems.references(`${prefix}purposeKeys`, input.purposeKeys, known.purposes, 'purpose');
  if (input.collectionNames)
    problems.references(`${prefix}collectionNames`, input.collectionNames, known.collections, 'collection');
  if (input.systemIds)
    problems.references(`${prefix}${links.systems}`, input.systemIds, known.systems, 'system');
  if (input.processorIds)
    problems.references(`${prefix}${links.processors}`, input.processorIds, known.processors, 'processor');
  if (input.measureIds)
    problems.references(`${prefix}${links.measures}`, input.measureIds, known.measures, 'security measure');
}

/** Checks that a processor's activity names the controller it serves, and only such an activity does. */
export function checkActivityRole(
  problems: ProblemList,
  prefix: string,
  activity: Pick<ActivityInput, 'role' | 'controller'>,
): void {
  if (activity.role === 'processor' && !activity.controller)
    problems.add(`${prefix}controller`, 'name the controller on whose behalf the activity is carried out');
  if (activity.role === 'controller' && activity.controller)
    problems.add(`${prefix}controller`, 'is only for activities carried out as a processor');
}

/** Processing activities (GDPR Art. 30): what is done with personal data, why, and with whom. */
export function inventoryActivities({ db, store, audit, clock, purposeKeys, collectionNames }: Deps) {
  const target = (id: string) => ({ type: 'inventory_activity', id });

  async function list(tx: Executor = db): Promise<ActivityEntry[]> {
    const [rows, links] = await Promise.all([store.listActivities(tx), store.linksOf(tx)]);
    return rows.map((row) => activityEntryOf(row, links.get(row.id)));
  }

  async function get(id: string): Promise<ActivityEntry> {
    const row = await store.findActivity(db, id);
    if (!row) throw new AppError('not_found', 'No processing activity with this id.');
    return activityEntryOf(row, (await store.linksOf(db, [id])).get(id));
  }

  /**
   * Purposes and collections, from their modules: read before a transaction, since their services read
   * on a connection of their own (on the embedded database, the one the transaction would be holding).
   */
  async function outsideEntries(): Promise<OutsideEntries> {
    const [purposes, collections] = await Promise.all([purposeKeys(), collectionNames()]);
    return { purposes, collections };
  }

  /** What an activity may link to: the outside entries, and the inventory's own read in the transaction. */
  async function knownEntries(tx: Executor, outside: OutsideEntries): Promise<KnownEntries> {
    const [systems, processors, measures] = await Promise.all([
      store.listSystems(tx),
      store.listProcessors(tx),
      store.listMeasures(tx),
    ]);
    const ids = (rows: { id: string }[]) => new Set(rows.map((row) => row.id));
    return { ...outside, systems: ids(systems), processors: ids(processors), measures: ids(measures) };
  }

  async function assertValid(
    tx: Executor,
    input: Partial<ActivityInput>,
    role: Pick<ActivityInput, 'role' | 'controller'>,
    outside: OutsideEntries,
  ) {
    const problems = problemList();
    checkActivity(problems, '', input, await knownEntries(tx, outside));
    checkActivityRole(problems, '', role);
    problems.throwIfAny('Some fields of the processing activity are not valid.');
  }

  async function assertNameFree(tx: Executor, name: string, id?: string): Promise<void> {
    const named = (await store.listActivities(tx)).find((row) => row.name === name);
    if (named && named.id !== id)
      throw new AppError('conflict', `A processing activity named ${name} exists already.`);
  }

  async function create(context: AuditContext, input: ActivityInput): Promise<ActivityEntry> {
    const id = randomUUID();
    const outside = await outsideEntries();
    await db.transaction().execute(async (tx) => {
      await assertValid(tx, input, input, outside);
      await assertNameFree(tx, input.name);
      const now = clock.now();
      await store.insertActivity(tx, {
        ...(activityColumnsOf(input) as NewActivityRow),
        id,
        created_at: now,
        updated_at: now,
      });
      await store.setLinks(tx, id, linksOfInput(input));
      await audit.append(tx, context, {
        action: 'inventory.activity.created',
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
    changes: Partial<ActivityInput>,
  ): Promise<ActivityEntry> {
    const outside = await outsideEntries();
    await db.transaction().execute(async (tx) => {
      const current = await store.lockActivity(tx, id);
      if (!current) throw new AppError('not_found', 'No processing activity with this id.');
      const role = {
        role: changes.role ?? current.role,
        controller: changes.controller !== undefined ? changes.controller : current.controller,
      };
      await assertValid(tx, changes, role, outside);
      if (changes.name !== undefined) await assertNameFree(tx, changes.name, id);
      await store.updateActivity(tx, id, { ...activityColumnsOf(changes), updated_at: clock.now() });
      await store.setLinks(tx, id, linksOfInput(changes));
      await audit.append(tx, context, {
        action: 'inventory.activity.updated',
        outcome: 'success',
        target: target(id),
        details: {
          changed: Object.keys(changes).filter((key) => changes[key as keyof ActivityInput] !== undefined),
        },
      });
    });
    return get(id);
  }

  async function remove(context: AuditContext, id: string): Promise<void> {
    await db.transaction().execute(async (tx) => {
      if (!(await store.lockActivity(tx, id)))
        throw new AppError('not_found', 'No processing activity with this id.');
      await store.deleteActivity(tx, id);
      await audit.append(tx, context, {
        action: 'inventory.activity.deleted',
        outcome: 'success',
        target: target(id),
      });
    });
  }

  return { list: () => list(), listWithin: list, get, create, update, remove, outsideEntries };
}

export type InventoryActivities = ReturnType<typeof inventoryActivities>;
