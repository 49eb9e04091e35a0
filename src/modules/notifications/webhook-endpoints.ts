import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { EndpointSecrets } from './endpoint-secrets.js';
import type { EventType } from './event-types.js';
import type { SubscriptionCache } from './subscription-cache.js';
import { type DestinationPolicy, urlProblem } from './webhook-destination.js';
import { formatSecret, newSigningKey } from './webhook-signature.js';
import type { EndpointRow, WebhookStore } from './webhook-store.js';

export type EndpointSettings = {
  destination: DestinationPolicy;
  /** How long the previous secret still signs after a rotation, unless the rotation says otherwise. */
  secretGraceMs: number;
};

type Deps = {
  db: Kysely<DB>;
  store: WebhookStore;
  secrets: EndpointSecrets;
  audit: AuditWriter;
  clock: Clock;
  cache: Pick<SubscriptionCache, 'invalidate'>;
  settings: EndpointSettings;
};

export type EndpointInput = {
  url: string;
  description?: string | undefined;
  /** null or absent: every event type, including types added later. */
  eventTypes?: EventType[] | null | undefined;
  enabled?: boolean | undefined;
  /** Where the receiver is (ISO 3166-1 alpha-2); null or absent: not stated. */
  location?: string | null | undefined;
};

/** An endpoint with its signing secret in the `whsec_` form: the only time the secret is shown. */
export type EndpointWithSecret = { endpoint: EndpointRow; secret: string };

/** The scheme and host of a URL: what audit entries say about an endpoint (paths may carry tokens). */
function originOf(url: string): string {
  return new URL(url).origin;
}

/** The database's refusal to delete an endpoint a system of the inventory sends its tasks through. */
function refuseWhileInUse(error: unknown): never {
  if ((error as { code?: unknown } | null)?.code === '23503') {
    throw new AppError(
      'conflict',
      'This endpoint belongs to a system of the inventory; delete the system instead.',
    );
  }
  throw error;
}

function normalizedTypes(types: readonly string[] | null | undefined): string[] | null {
  return types ? [...new Set(types)].sort() : null;
}

/** Webhook endpoints: the subscriptions, their URLs and signing secrets. */
export function webhookEndpoints({ db, store, secrets, audit, clock, cache, settings }: Deps) {
  function assertAcceptableUrl(url: string): void {
    const problem = urlProblem(url, settings.destination);
    if (problem === undefined) return;
    throw new AppError('validation_failed', `The endpoint URL ${problem}.`, {
      errors: [{ in: 'body', path: 'url', message: problem }],
    });
  }

  async function get(id: string): Promise<EndpointRow> {
    const endpoint = await store.findEndpoint(db, id);
    if (!endpoint) throw new AppError('not_found', 'No webhook endpoint with this id.');
    return endpoint;
  }

  /**
   * Creates an endpoint inside the caller's transaction, which audits it (a downstream system's
   * registration). The subscription cache is forgotten at once, so a rollback only costs a reload.
   */
  async function createIn(tx: Tx, input: EndpointInput): Promise<EndpointWithSecret> {
    assertAcceptableUrl(input.url);
    const id = randomUUID();
    const key = newSigningKey();
    const now = clock.now();
    const endpoint = await store.insertEndpoint(tx, {
      id,
      url: input.url,
      description: input.description ?? '',
      event_types: normalizedTypes(input.eventTypes),
      enabled: input.enabled ?? true,
      location: input.location ?? null,
      secret_sealed: secrets.seal(id, key),
      created_at: now,
      updated_at: now,
    });
    cache.invalidate();
    return { endpoint, secret: formatSecret(key) };
  }

  /** Changes an endpoint inside the caller's transaction, which audits it. */
  async function updateIn(tx: Tx, id: string, changes: Partial<EndpointInput>): Promise<EndpointRow> {
    if (changes.url !== undefined) assertAcceptableUrl(changes.url);
    const current = await store.lockEndpoint(tx, id);
    if (!current) throw new AppError('not_found', 'No webhook endpoint with this id.');
    const row = await store.updateEndpoint(tx, id, {
      ...(changes.url !== undefined ? { url: changes.url } : {}),
      ...(changes.description !== undefined ? { description: changes.description } : {}),
      ...(changes.eventTypes !== undefined ? { event_types: normalizedTypes(changes.eventTypes) } : {}),
      ...(changes.enabled !== undefined ? { enabled: changes.enabled } : {}),
      ...(changes.location !== undefined ? { location: changes.location } : {}),
      updated_at: clock.now(),
    });
    cache.invalidate();
    return row;
  }

  /** Deletes an endpoint (with its deliveries) inside the caller's transaction, which audits it. */
  async function removeIn(tx: Tx, id: string): Promise<void> {
    if (!(await store.deleteEndpoint(tx, id)))
      throw new AppError('not_found', 'No webhook endpoint with this id.');
    cache.invalidate();
  }

  /** Creates an endpoint with a new signing secret, returned here once and never again. */
  async function create(context: AuditContext, input: EndpointInput): Promise<EndpointWithSecret> {
    const created = await db.transaction().execute(async (tx) => {
      const made = await createIn(tx, input);
      const row = made.endpoint;
      await audit.append(tx, context, {
        action: 'webhook.endpoint.created',
        outcome: 'success',
        target: { type: 'webhook_endpoint', id: row.id },
        details: {
          origin: originOf(row.url),
          eventTypes: row.event_types,
          enabled: row.enabled,
          location: row.location,
        },
      });
      return made;
    });
    cache.invalidate();
    return created;
  }

  async function update(
    context: AuditContext,
    id: string,
    changes: Partial<EndpointInput>,
  ): Promise<EndpointRow> {
    if (changes.url !== undefined) assertAcceptableUrl(changes.url);
    const endpoint = await db.transaction().execute(async (tx) => {
      const current = await store.lockEndpoint(tx, id);
      if (!current) throw new AppError('not_found', 'No webhook endpoint with this id.');
      const row = await store.updateEndpoint(tx, id, {
        ...(changes.url !== undefined ? { url: changes.url } : {}),
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        ...(changes.eventTypes !== undefined ? { event_types: normalizedTypes(changes.eventTypes) } : {}),
        ...(changes.enabled !== undefined ? { enabled: changes.enabled } : {}),
        ...(changes.location !== undefined ? { location: changes.location } : {}),
        updated_at: clock.now(),
      });
      await audit.append(tx, context, {
        action: 'webhook.endpoint.updated',
        outcome: 'success',
        target: { type: 'webhook_endpoint', id },
        details: {
          changed: Object.keys(changes).filter((key) => changes[key as keyof EndpointInput] !== undefined),
          origin: originOf(row.url),
          eventTypes: row.event_types,
          enabled: row.enabled,
        },
      });
      return row;
    });
    cache.invalidate();
    return endpoint;
  }

  /** Deletes the endpoint with its deliveries and their attempts; queued attempts then find nothing to do. */
  async function remove(context: AuditContext, id: string): Promise<void> {
    await db.transaction().execute(async (tx) => {
      const current = await store.lockEndpoint(tx, id);
      if (!current) throw new AppError('not_found', 'No webhook endpoint with this id.');
      await store.deleteEndpoint(tx, id).catch(refuseWhileInUse);
      await audit.append(tx, context, {
        action: 'webhook.endpoint.deleted',
        outcome: 'success',
        target: { type: 'webhook_endpoint', id },
        details: { origin: originOf(current.url) },
      });
    });
    cache.invalidate();
  }

  /**
   * Replaces the signing secret. For `gracePeriodMs` (default: the configured grace) every message is
   * signed with the new and the previous secret, so receivers can switch without losing messages; a grace
   * of 0 drops the previous secret at once (a leaked secret).
   */
  async function rotateSecret(
    context: AuditContext,
    id: string,
    gracePeriodMs: number = settings.secretGraceMs,
  ): Promise<EndpointWithSecret> {
    const key = newSigningKey();
    const endpoint = await db.transaction().execute(async (tx) => {
      const current = await store.lockEndpoint(tx, id);
      if (!current) throw new AppError('not_found', 'No webhook endpoint with this id.');
      const now = clock.now();
      const keepPrevious = gracePeriodMs > 0;
      const row = await store.updateEndpoint(tx, id, {
        secret_sealed: secrets.seal(id, key),
        previous_secret_sealed: keepPrevious ? current.secret_sealed : null,
        previous_secret_expires_at: keepPrevious ? new Date(now.getTime() + gracePeriodMs) : null,
        secret_rotated_at: now,
        updated_at: now,
      });
      await audit.append(tx, context, {
        action: 'webhook.endpoint.secret_rotated',
        outcome: 'success',
        target: { type: 'webhook_endpoint', id },
        details: { previousSecretExpiresAt: row.previous_secret_expires_at?.toISOString() ?? null },
      });
      return row;
    });
    return { endpoint, secret: formatSecret(key) };
  }

  return {
    list: () => store.listEndpoints(db),
    get,
    create,
    update,
    remove,
    rotateSecret,
    createIn,
    updateIn,
    removeIn,
  };
}

export type WebhookEndpoints = ReturnType<typeof webhookEndpoints>;
