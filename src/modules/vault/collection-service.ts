import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { CollectionDefinition, FieldDefinition } from './collection-schema.js';
import type { CollectionRow, CollectionStore } from './vault-store.js';

type Deps = { db: Kysely<DB>; store: CollectionStore; audit: AuditWriter; clock: Clock };

/** What to do with existing values of a field that is removed or changed incompatibly. */
export type MigrationPlan = Record<string, 'drop_values'>;

export type CollectionChange = { added: string[]; removed: string[]; changed: string[] };

/** A change is incompatible when stored values could no longer be read or indexed the same way. */
function incompatible(before: FieldDefinition, after: FieldDefinition): boolean {
  return (
    before.type !== after.type ||
    before.indexed !== after.indexed ||
    (before.classification === 'public') !== (after.classification === 'public')
  );
}

export function diffFields(before: FieldDefinition[], after: FieldDefinition[]): CollectionChange {
  const old = new Map(before.map((field) => [field.name, field]));
  const next = new Map(after.map((field) => [field.name, field]));
  return {
    added: after.filter((field) => !old.has(field.name)).map((field) => field.name),
    removed: before.filter((field) => !next.has(field.name)).map((field) => field.name),
    changed: after
      .filter((field) => {
        const previous = old.get(field.name);
        return previous !== undefined && incompatible(previous, field);
      })
      .map((field) => field.name),
  };
}

/** Collections: the schemas of personal data the vault holds. */
export function collectionService({ db, store, audit, clock }: Deps) {
  async function create(
    context: AuditContext,
    definition: CollectionDefinition,
    source: 'api' | 'config' = 'api',
  ): Promise<CollectionRow> {
    return db.transaction().execute(async (tx) => {
      if (await store.findByName(tx, definition.name)) {
        throw new AppError('conflict', `A collection named ${definition.name} exists already.`);
      }
      const now = clock.now();
      const id = randomUUID();
      await store.insert(tx, { id, ...definition, source, created_at: now, updated_at: now });
      await audit.append(tx, context, {
        action: 'vault.collection.created',
        outcome: 'success',
        target: { type: 'collection', id },
        details: { name: definition.name, fields: definition.fields.map((field) => field.name) },
      });
      return (await store.findByName(tx, definition.name)) as CollectionRow;
    });
  }

  /**
   * Replaces a collection's definition. Adding fields is always allowed. Removing a field, or changing its
   * type, its blind index or whether it is encrypted, is refused while records hold values for it — unless
   * `force` is set and the migration plan says what happens to those values.
   */
  async function update(
    context: AuditContext,
    name: string,
    definition: Omit<CollectionDefinition, 'name'>,
    options: {
      force?: boolean | undefined;
      migrationPlan?: MigrationPlan | undefined;
      source?: 'api' | 'config';
    } = {},
  ): Promise<{ collection: CollectionRow; change: CollectionChange }> {
    return db.transaction().execute(async (tx) => {
      const current = await store.lockByName(tx, name);
      if (!current) throw new AppError('not_found', `No collection named ${name}.`);
      const change = diffFields(current.fields, definition.fields);
      if (current.multiple && !definition.multiple) {
        throw new AppError(
          'conflict',
          'A collection that allows many records per subject cannot be narrowed to one.',
        );
      }
      const affected = [...change.removed, ...change.changed];
      const holding = await store.fieldsHoldingData(tx, current.id, affected);
      if (holding.length > 0) {
        const planned = holding.filter((field) => options.migrationPlan?.[field] === 'drop_values');
        if (!options.force || planned.length !== holding.length) {
          throw new AppError(
            'conflict',
            'Some removed or changed fields hold data. Send force: true with a migrationPlan for each.',
            {
              extensions: { fieldsWithData: holding },
            },
          );
        }
        await store.dropFieldValues(tx, current.id, current.name, holding);
      }
      await store.update(
        tx,
        current.id,
        {
          description: definition.description,
          multiple: definition.multiple,
          fields: definition.fields,
          ...(options.source ? { source: options.source } : {}),
        },
        clock.now(),
      );
      await audit.append(tx, context, {
        action: 'vault.collection.updated',
        outcome: 'success',
        target: { type: 'collection', id: current.id },
        details: { ...change, droppedValues: holding },
      });
      return { collection: (await store.findByName(tx, name)) as CollectionRow, change };
    });
  }

  async function get(executor: Executor, name: string): Promise<CollectionRow> {
    const collection = await store.findByName(executor, name);
    if (!collection) throw new AppError('not_found', `No collection named ${name}.`);
    return collection;
  }

  /**
   * Brings collections declared in a config file into the database at start: new ones are created,
   * changed ones updated; a change that would lose data stops the start with a clear error.
   */
  async function applyDeclared(
    context: AuditContext,
    definitions: CollectionDefinition[],
  ): Promise<string[]> {
    const applied: string[] = [];
    for (const definition of definitions) {
      const existing = await store.findByName(db, definition.name);
      if (!existing) {
        await create(context, definition, 'config');
        applied.push(definition.name);
        continue;
      }
      const same =
        JSON.stringify(existing.fields) === JSON.stringify(definition.fields) &&
        existing.description === definition.description &&
        existing.multiple === definition.multiple;
      if (same) continue;
      await update(context, definition.name, definition, { source: 'config' });
      applied.push(definition.name);
    }
    return applied;
  }

  return {
    create,
    update,
    get: (name: string) => get(db, name),
    getWith: get,
    list: () => store.list(db),
    /** Subjects with records in any of the collections, counted up to `atMost`: the scale a DPIA screening reads. */
    subjectCount: (names: readonly string[], atMost: number) => store.subjectCount(db, names, atMost),
    applyDeclared,
  };
}

export type CollectionService = ReturnType<typeof collectionService>;
