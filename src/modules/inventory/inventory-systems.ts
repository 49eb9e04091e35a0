import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor, Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { WebhookEndpoints } from '../notifications/webhook-endpoints.js';
import type { Classification } from '../vault/collection-schema.js';
import { systemEntryOf } from './inventory-entries.js';
import type { SystemEntry, SystemKind } from './inventory-model.js';
import type { InventoryStore, SystemChanges, SystemRow } from './inventory-store.js';
import { type ProblemList, problemList } from './inventory-validation.js';

/** What a person types in about a system (everything but what the inventory keeps itself). */
export type SystemInput = {
  name: string;
  owner: string;
  description: string;
  kind: SystemKind;
  locations: string[];
  dataCategories: string[];
  dataSubjects: string[];
  classification: Classification;
  retention: { policyId: string | null; period: string | null } | null;
  encryptionRequired: boolean;
  accessControls: { roles: string[]; permissions: string[]; notes: string };
  geographicRestrictions: string[];
  processorId: string | null;
};

export type SystemRegistration = SystemInput & {
  /** Where its erasure, rectification and restriction tasks are sent; none: it is sent no tasks. */
  endpointUrl?: string | undefined;
  enabled?: boolean | undefined;
};

export type SystemUpdate = Partial<SystemInput> & {
  endpointUrl?: string | undefined;
  enabled?: boolean | undefined;
};

/** A system requests fan out to: enabled, with an endpoint, holding some data categories. */
export type FulfilmentTarget = { id: string; name: string; endpointId: string; dataCategories: string[] };

type Deps = {
  db: Kysely<DB>;
  store: InventoryStore;
  audit: AuditWriter;
  clock: Clock;
  endpoints: Pick<WebhookEndpoints, 'list' | 'createIn' | 'updateIn' | 'removeIn'>;
  /** Ids of the retention module's policies (read before a transaction: they are another module's). */
  retentionPolicyIds: () => Promise<ReadonlySet<string>>;
  /** How many tasks requests sent a system (they stay on record, so such a system is not deleted). */
  tasksSentTo: (tx: Executor, systemId: string) => Promise<number>;
};

/** Whether a system holding `held` categories holds data of `affected` ones (either may be the broader). */
export function categoriesOverlap(held: readonly string[], affected: readonly string[]): boolean {
  return held.some((a) => affected.some((b) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`)));
}

const unique = (values: readonly string[]) => [...new Set(values)].sort();

/** Tasks go to the systems whose categories overlap the affected ones: one with none would never get any. */
function assertHoldsCategoriesIfSentTasks(sentTasks: boolean, categories: readonly string[]): void {
  if (!sentTasks || categories.length > 0) return;
  throw new AppError('validation_failed', 'A system sent tasks must name the data categories it holds.', {
    errors: [
      { in: 'body', path: 'dataCategories', message: 'name at least one for a system with an endpoint' },
    ],
  });
}
const originOf = (url: string) => new URL(url).origin;
const targetOf = (row: SystemRow): FulfilmentTarget => ({
  id: row.id,
  name: row.name,
  endpointId: row.endpoint_id as string,
  dataCategories: row.data_categories,
});

/** The columns of the input fields given (left-out fields are left as they are). */
export function systemColumnsOf(input: Partial<SystemInput>): SystemChanges {
  const columns: SystemChanges = {};
  if (input.name !== undefined) columns.name = input.name;
  if (input.owner !== undefined) columns.owner = input.owner;
  if (input.description !== undefined) columns.description = input.description;
  if (input.kind !== undefined) columns.kind = input.kind;
  if (input.locations !== undefined) columns.locations = unique(input.locations);
  if (input.dataCategories !== undefined) columns.data_categories = unique(input.dataCategories);
  if (input.dataSubjects !== undefined) columns.data_subjects = unique(input.dataSubjects);
  if (input.classification !== undefined) columns.classification = input.classification;
  if (input.retention !== undefined) {
    columns.retention_policy_id = input.retention?.policyId ?? null;
    columns.retention_period = input.retention?.period ?? null;
  }
  if (input.encryptionRequired !== undefined) columns.encryption_required = input.encryptionRequired;
  if (input.accessControls !== undefined) {
    columns.access_roles = unique(input.accessControls.roles);
    columns.access_permissions = unique(input.accessControls.permissions);
    columns.access_notes = input.accessControls.notes;
  }
  if (input.geographicRestrictions !== undefined)
    columns.geographic_restrictions = unique(input.geographicRestrictions);
  if (input.processorId !== undefined) columns.processor_id = input.processorId;
  return columns;
}

/** Checks a system's fields against the taxonomy, the country codes and the entries it names. */
export function checkSystem(
  problems: ProblemList,
  prefix: string,
  input: Partial<SystemInput>,
  known: { processorIds?: ReadonlySet<string>; retentionPolicyIds: ReadonlySet<string> },
): void {
  if (input.dataCategories) problems.dataCategories(`${prefix}dataCategories`, input.dataCategories);
  if (input.dataSubjects) problems.dataSubjects(`${prefix}dataSubjects`, input.dataSubjects);
  if (input.locations) problems.countries(`${prefix}locations`, input.locations);
  if (input.geographicRestrictions)
    problems.places(`${prefix}geographicRestrictions`, input.geographicRestrictions);
  problems.reference(
    `${prefix}retention.policyId`,
    input.retention?.policyId,
    known.retentionPolicyIds,
    'retention policy',
  );
  if (known.processorIds)
    problems.reference(`${prefix}processorId`, input.processorId, known.processorIds, 'processor');
}

/**
 * Registered systems: the systems that hold personal data besides Custos (a CRM, a mailing tool, a data
 * warehouse, a paper archive). One with a webhook endpoint, created with it in one transaction, is sent
 * erasure, rectification and restriction tasks signed with the endpoint's secret (shown once, when the
 * endpoint is made; rotated through the webhooks API).
 */
export function inventorySystems({
  db,
  store,
  audit,
  clock,
  endpoints,
  retentionPolicyIds,
  tasksSentTo,
}: Deps) {
  const target = (id: string) => ({ type: 'inventory_system', id });

  async function endpointUrls(): Promise<Map<string, string>> {
    return new Map((await endpoints.list()).map((endpoint) => [endpoint.id, endpoint.url]));
  }

  async function get(id: string): Promise<SystemEntry> {
    const row = await store.findSystem(db, id);
    if (!row) throw new AppError('not_found', 'No system with this id.');
    return systemEntryOf(row, await endpointUrls());
  }

  async function assertNameFree(tx: Executor, name: string, id?: string): Promise<void> {
    const named = await store.systemNamed(tx, name);
    if (named && named.id !== id) throw new AppError('conflict', `A system named ${name} exists already.`);
  }

  async function assertValid(
    tx: Executor,
    input: Partial<SystemInput>,
    policies: ReadonlySet<string>,
  ): Promise<void> {
    const problems = problemList();
    const processorIds = new Set((await store.listProcessors(tx)).map((row) => row.id));
    checkSystem(problems, '', input, { processorIds, retentionPolicyIds: policies });
    problems.throwIfAny('Some fields of the system name nothing known.');
  }

  async function createEndpoint(tx: Tx, name: string, url: string) {
    // The endpoint subscribes to no event type: it receives only this system's own tasks.
    return endpoints.createIn(tx, { url, description: `System: ${name}`, eventTypes: [] });
  }

  /** Registers a system (and its endpoint, when given a URL); returns the endpoint's secret, this once. */
  async function register(
    context: AuditContext,
    input: SystemRegistration,
  ): Promise<{ system: SystemEntry; secret: string | null }> {
    assertHoldsCategoriesIfSentTasks(Boolean(input.endpointUrl), input.dataCategories);
    const id = randomUUID();
    const policies = await retentionPolicyIds();
    const secret = await db.transaction().execute(async (tx) => {
      await assertValid(tx, input, policies);
      await assertNameFree(tx, input.name);
      const created = input.endpointUrl ? await createEndpoint(tx, input.name, input.endpointUrl) : null;
      const now = clock.now();
      await store.insertSystem(tx, {
        ...(systemColumnsOf(input) as Required<SystemChanges>),
        id,
        endpoint_id: created?.endpoint.id ?? null,
        enabled: input.enabled ?? true,
        created_at: now,
        updated_at: now,
      });
      await audit.append(tx, context, {
        action: 'inventory.system.created',
        outcome: 'success',
        target: target(id),
        details: {
          fields: Object.keys(input).filter((key) => key !== 'endpointUrl'),
          ...(created
            ? { endpointId: created.endpoint.id, origin: originOf(input.endpointUrl as string) }
            : {}),
        },
      });
      return created?.secret ?? null;
    });
    return { system: await get(id), secret };
  }

  /** Changes a system; an endpoint URL given to a system without one creates its endpoint (and secret). */
  async function update(
    context: AuditContext,
    id: string,
    changes: SystemUpdate,
  ): Promise<{ system: SystemEntry; secret: string | null }> {
    const policies = await retentionPolicyIds();
    const secret = await db.transaction().execute(async (tx) => {
      const current = await store.lockSystem(tx, id);
      if (!current) throw new AppError('not_found', 'No system with this id.');
      await assertValid(tx, changes, policies);
      if (changes.name !== undefined) await assertNameFree(tx, changes.name, id);
      const endpointId = current.endpoint_id;
      const categories = changes.dataCategories ?? current.data_categories;
      assertHoldsCategoriesIfSentTasks(Boolean(endpointId || changes.endpointUrl), categories);
      let created: Awaited<ReturnType<typeof createEndpoint>> | null = null;
      if (changes.endpointUrl !== undefined) {
        if (endpointId) await endpoints.updateIn(tx, endpointId, { url: changes.endpointUrl });
        else created = await createEndpoint(tx, changes.name ?? current.name, changes.endpointUrl);
      }
      await store.updateSystem(tx, id, {
        ...systemColumnsOf(changes),
        ...(created ? { endpoint_id: created.endpoint.id } : {}),
        ...(changes.enabled !== undefined ? { enabled: changes.enabled } : {}),
        updated_at: clock.now(),
      });
      await audit.append(tx, context, {
        action: 'inventory.system.updated',
        outcome: 'success',
        target: target(id),
        details: {
          changed: Object.keys(changes).filter((key) => changes[key as keyof SystemUpdate] !== undefined),
          ...(changes.endpointUrl !== undefined ? { origin: originOf(changes.endpointUrl) } : {}),
          ...(created ? { endpointId: created.endpoint.id } : {}),
        },
      });
      return created?.secret ?? null;
    });
    return { system: await get(id), secret };
  }

  /**
   * Deletes a system never sent a task and linked to no activity, with its endpoint; one with a history
   * is disabled instead.
   */
  async function remove(context: AuditContext, id: string): Promise<void> {
    await db.transaction().execute(async (tx) => {
      const current = await store.lockSystem(tx, id);
      if (!current) throw new AppError('not_found', 'No system with this id.');
      if ((await tasksSentTo(tx, id)) > 0) {
        throw new AppError(
          'conflict',
          'This system was sent tasks, which stay on record; disable it instead (enabled: false).',
        );
      }
      const linking = await store.activitiesLinking(tx, 'systemIds', id);
      if (linking.length > 0) {
        throw new AppError('conflict', 'Processing activities name this system; unlink it from them first.', {
          extensions: { activities: linking },
        });
      }
      await store.deleteSystem(tx, id);
      if (current.endpoint_id) await endpoints.removeIn(tx, current.endpoint_id);
      await audit.append(tx, context, {
        action: 'inventory.system.deleted',
        outcome: 'success',
        target: target(id),
        details: { endpointId: current.endpoint_id },
      });
    });
  }

  return {
    register,
    get,
    update,
    remove,
    /** Registered systems, by name. */
    list: async (): Promise<SystemEntry[]> => {
      const [rows, urls] = await Promise.all([store.listSystems(db), endpointUrls()]);
      return rows.map((row) => systemEntryOf(row, urls));
    },
    /** Enabled systems with an endpoint holding any of the affected categories, in the caller's transaction. */
    relevantWithin: async (tx: Executor, categories: readonly string[]): Promise<FulfilmentTarget[]> =>
      (await store.fulfilmentSystems(tx))
        .filter((row) => categoriesOverlap(row.data_categories, categories))
        .map(targetOf),
    /** The system a task went to, as tasks are sent to it (whether or not it is enabled now). */
    fulfilmentTargetWithin: async (tx: Executor, id: string): Promise<FulfilmentTarget> => {
      const row = await store.findSystem(tx, id);
      if (!row?.endpoint_id) throw new AppError('conflict', 'This system has no endpoint to send tasks to.');
      return targetOf(row);
    },
    /** Systems' names by id, for showing the tasks they were sent. */
    namesWithin: async (tx: Executor, ids: readonly string[]): Promise<Map<string, string>> =>
      new Map((await store.systemsByIds(tx, [...new Set(ids)])).map((row) => [row.id, row.name])),
  };
}

export type InventorySystems = ReturnType<typeof inventorySystems>;
