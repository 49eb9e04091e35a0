import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { WebhookEndpoints } from '../notifications/webhook-endpoints.js';
import type { EndpointRow } from '../notifications/webhook-store.js';
import { isKnownCategory } from '../vault/collection-schema.js';
import type { FulfilmentStore, SystemRow } from './fulfilment-store.js';

export type SystemInput = {
  name: string;
  owner: string;
  description?: string | undefined;
  dataCategories: string[];
  /** Where its tasks are sent (a webhook endpoint of the notifications module). */
  endpointUrl: string;
  enabled?: boolean | undefined;
};

/** A system with the endpoint its tasks go to. */
export type SystemView = SystemRow & { endpoint: Pick<EndpointRow, 'id' | 'url' | 'enabled'> };

type Deps = {
  db: Kysely<DB>;
  store: FulfilmentStore;
  audit: AuditWriter;
  clock: Clock;
  endpoints: Pick<WebhookEndpoints, 'list' | 'get' | 'createIn' | 'updateIn' | 'removeIn'>;
};

/** Whether a system holding `held` categories holds data of `affected` ones (either may be the broader). */
export function categoriesOverlap(held: readonly string[], affected: readonly string[]): boolean {
  return held.some((a) => affected.some((b) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`)));
}

function assertCategories(categories: readonly string[]): void {
  const unknown = categories.filter((category) => !isKnownCategory(category));
  if (unknown.length === 0) return;
  throw new AppError('validation_failed', 'Some data categories are not in the taxonomy.', {
    errors: unknown.map((category) => ({
      in: 'body' as const,
      path: `dataCategories.${categories.indexOf(category)}`,
      message: 'is not a data category of the taxonomy',
    })),
  });
}

const originOf = (url: string) => new URL(url).origin;

/**
 * Downstream systems: the other systems that hold copies of personal data (a CRM, a mailing tool, a data
 * warehouse). Each has a webhook endpoint of its own, created with it in one transaction, through which
 * it is sent erasure, rectification and restriction tasks, signed with the endpoint's secret (shown once,
 * when the system is registered; rotated through the webhooks API).
 */
export function downstreamSystems({ db, store, audit, clock, endpoints }: Deps) {
  const target = (id: string) => ({ type: 'downstream_system', id });

  async function withEndpoints(rows: SystemRow[]): Promise<SystemView[]> {
    const byId = new Map((await endpoints.list()).map((endpoint) => [endpoint.id, endpoint]));
    return rows.map((row) => {
      const endpoint = byId.get(row.endpoint_id);
      return {
        ...row,
        endpoint: { id: row.endpoint_id, url: endpoint?.url ?? '', enabled: endpoint?.enabled ?? false },
      };
    });
  }

  async function get(id: string): Promise<SystemView> {
    const row = await store.findSystem(db, id);
    if (!row) throw new AppError('not_found', 'No downstream system with this id.');
    const endpoint = await endpoints.get(row.endpoint_id);
    return { ...row, endpoint: { id: endpoint.id, url: endpoint.url, enabled: endpoint.enabled } };
  }

  async function assertNameFree(tx: Executor, name: string, id?: string): Promise<void> {
    const named = await store.systemNamed(tx, name);
    if (named && named.id !== id)
      throw new AppError('conflict', `A downstream system named ${name} exists already.`);
  }

  /** Registers a system and its endpoint; returns the endpoint's signing secret, this once. */
  async function register(
    context: AuditContext,
    input: SystemInput,
  ): Promise<{ system: SystemView; secret: string }> {
    assertCategories(input.dataCategories);
    const id = randomUUID();
    const secret = await db.transaction().execute(async (tx) => {
      await assertNameFree(tx, input.name);
      // The endpoint subscribes to no event type: it receives only this system's own tasks.
      const created = await endpoints.createIn(tx, {
        url: input.endpointUrl,
        description: `Downstream system: ${input.name}`,
        eventTypes: [],
      });
      const now = clock.now();
      await store.insertSystem(tx, {
        id,
        name: input.name,
        owner: input.owner,
        description: input.description ?? '',
        data_categories: [...new Set(input.dataCategories)].sort(),
        endpoint_id: created.endpoint.id,
        enabled: input.enabled ?? true,
        created_at: now,
        updated_at: now,
      });
      await audit.append(tx, context, {
        action: 'request.system.registered',
        outcome: 'success',
        target: target(id),
        details: {
          name: input.name,
          dataCategories: input.dataCategories,
          endpointId: created.endpoint.id,
          origin: originOf(input.endpointUrl),
        },
      });
      return created.secret;
    });
    return { system: await get(id), secret };
  }

  async function update(
    context: AuditContext,
    id: string,
    changes: Partial<SystemInput>,
  ): Promise<SystemView> {
    if (changes.dataCategories) assertCategories(changes.dataCategories);
    await db.transaction().execute(async (tx) => {
      const current = await store.lockSystem(tx, id);
      if (!current) throw new AppError('not_found', 'No downstream system with this id.');
      if (changes.name !== undefined) await assertNameFree(tx, changes.name, id);
      if (changes.endpointUrl !== undefined)
        await endpoints.updateIn(tx, current.endpoint_id, { url: changes.endpointUrl });
      await store.updateSystem(tx, id, {
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.owner !== undefined ? { owner: changes.owner } : {}),
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        ...(changes.dataCategories !== undefined
          ? { data_categories: [...new Set(changes.dataCategories)].sort() }
          : {}),
        ...(changes.enabled !== undefined ? { enabled: changes.enabled } : {}),
        updated_at: clock.now(),
      });
      await audit.append(tx, context, {
        action: 'request.system.updated',
        outcome: 'success',
        target: target(id),
        details: {
          changed: Object.keys(changes).filter((key) => changes[key as keyof SystemInput] !== undefined),
          ...(changes.endpointUrl !== undefined ? { origin: originOf(changes.endpointUrl) } : {}),
        },
      });
    });
    return get(id);
  }

  /** Deletes a system that was never sent a task, with its endpoint; one with a history is disabled instead. */
  async function remove(context: AuditContext, id: string): Promise<void> {
    await db.transaction().execute(async (tx) => {
      const current = await store.lockSystem(tx, id);
      if (!current) throw new AppError('not_found', 'No downstream system with this id.');
      if ((await store.countTasksOfSystem(tx, id)) > 0) {
        throw new AppError(
          'conflict',
          'This system was sent tasks, which stay on record; disable it instead (enabled: false).',
        );
      }
      await store.deleteSystem(tx, id);
      await endpoints.removeIn(tx, current.endpoint_id);
      await audit.append(tx, context, {
        action: 'request.system.deleted',
        outcome: 'success',
        target: target(id),
        details: { name: current.name, endpointId: current.endpoint_id },
      });
    });
  }

  return {
    register,
    list: async () => withEndpoints(await store.listSystems(db)),
    get,
    update,
    remove,
    /** Enabled systems holding any of the affected categories, read in the caller's transaction. */
    relevantWithin: async (tx: Executor, categories: readonly string[]): Promise<SystemRow[]> =>
      (await store.listSystems(tx)).filter(
        (system) => system.enabled && categoriesOverlap(system.data_categories, categories),
      ),
  };
}

export type DownstreamSystems = ReturnType<typeof downstreamSystems>;
