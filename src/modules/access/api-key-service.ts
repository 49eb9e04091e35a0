import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ListenHandlers } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { digestSecret, randomSecret, secretsEqual } from '../../lib/secrets.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { ApiKeyRow, ApiKeyStore } from './api-key-store.js';
import { type Grantor, grantRefused, permissionGrantRefusal } from './grant-policy.js';
import { isPermission, type Permission, rolePermissions } from './permissions.js';

type Deps = {
  db: Kysely<DB>;
  store: ApiKeyStore;
  audit: AuditWriter;
  clock: Clock;
  /** Subscribes to a NOTIFY channel (see Database.listen); enables the cache of looked-up keys. */
  listen?: (channel: string, handlers: ListenHandlers) => Promise<void>;
};

/** Revocations are announced here (in the revoking transaction), so every process drops its cached key. */
export const apiKeyChannel = 'custos_api_keys';
/** How long a looked-up key is reused; revocations reach every process at once, this is a backstop. */
const cacheTtlMs = 60_000;
const cacheSize = 10_000;

/** API keys look like `cst_<12 hex prefix>_<43 char secret>`; the prefix identifies, the secret proves. */
const keyPattern = /^cst_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
const markUsedEveryMs = 60_000;

export function isApiKeyShaped(value: string): boolean {
  return value.startsWith('cst_');
}

/** API keys for services: scoped, hashed at rest, shown once, optionally expiring, revocable. */
export function apiKeyService({ db, store, audit, clock, listen }: Deps) {
  // Keys looked up by prefix, kept only while revocations are heard (a missed NOTIFY must not leave a
  // revoked key usable): every request with an API key would otherwise cost a query.
  const cached = new Map<string, { row: ApiKeyRow; until: number }>();
  let listening = false;
  let subscribed = false;
  function subscribe() {
    if (subscribed || !listen) return;
    subscribed = true;
    listen(apiKeyChannel, {
      onMessage: (prefix) => cached.delete(prefix),
      onListening: (now) => {
        cached.clear();
        listening = now;
      },
    }).catch(() => {
      subscribed = false;
    });
  }

  async function lookUp(prefix: string): Promise<ApiKeyRow | undefined> {
    subscribe();
    const now = clock.now().getTime();
    const hit = cached.get(prefix);
    if (hit && hit.until > now && listening) return hit.row;
    const row = await store.findByPrefix(db, prefix);
    if (row && listening) {
      if (cached.size >= cacheSize) cached.delete(cached.keys().next().value as string);
      cached.set(prefix, { row, until: now + cacheTtlMs });
    }
    return row;
  }

  /**
   * Creates a key. Its scope must lie within what the `service` role allows (else 400: no API key can
   * hold it) and, by the grant policy, within the creator's own permissions (else 403, audited), so a key
   * never grants more than the person who made it holds.
   */
  async function create(
    context: AuditContext,
    creator: Grantor,
    input: { name: string; permissions: string[]; expiresAt?: Date | undefined },
  ): Promise<{ key: string; row: ApiKeyRow }> {
    const allowed = new Set<string>(rolePermissions.service);
    const problems = input.permissions.filter(
      (permission) => !isPermission(permission) || !allowed.has(permission),
    );
    if (problems.length > 0) {
      throw new AppError('validation_failed', 'Some permissions cannot be given to an API key.', {
        errors: problems.map((permission) => ({
          in: 'body' as const,
          path: 'permissions',
          message: `not grantable: ${permission}`,
        })),
      });
    }
    const refusal = permissionGrantRefusal(creator, input.permissions.filter(isPermission));
    if (refusal) {
      await audit.record(context, {
        action: 'access.denied',
        outcome: 'denied',
        details: { attempted: 'api_key.create', reason: refusal.code },
      });
      throw grantRefused(refusal);
    }
    if (input.expiresAt && input.expiresAt.getTime() <= clock.now().getTime()) {
      throw new AppError('validation_failed', 'The expiry must be in the future.', {
        errors: [{ in: 'body', path: 'expiresAt', message: 'must be in the future' }],
      });
    }
    const prefix = randomBytes(6).toString('hex');
    const secret = randomSecret(32);
    const id = randomUUID();
    const row = {
      id,
      prefix,
      secret_hash: digestSecret(secret),
      name: input.name,
      permissions: [...new Set(input.permissions)],
      created_by: creator.kind === 'operator' ? creator.operatorId : null,
      created_at: clock.now(),
      expires_at: input.expiresAt ?? null,
    };
    await db.transaction().execute(async (tx) => {
      await store.insert(tx, row);
      await audit.append(tx, context, {
        action: 'api_key.created',
        outcome: 'success',
        target: { type: 'api_key', id },
        details: { prefix, permissions: row.permissions, expires: row.expires_at?.toISOString() ?? null },
      });
    });
    return { key: `cst_${prefix}_${secret}`, row: { ...row, last_used_at: null, revoked_at: null } };
  }

  /** The key's id and scope when the presented key is valid, live and unrevoked; otherwise undefined. */
  async function authenticate(
    presented: string,
  ): Promise<{ keyId: string; permissions: Set<Permission> } | undefined> {
    const match = keyPattern.exec(presented);
    if (!match) return undefined;
    const [, prefix = '', secret = ''] = match;
    const row = await lookUp(prefix);
    if (!row || !secretsEqual(row.secret_hash, digestSecret(secret))) return undefined;
    const now = clock.now();
    if (row.revoked_at || (row.expires_at && row.expires_at.getTime() <= now.getTime())) return undefined;
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() >= markUsedEveryMs) {
      row.last_used_at = now;
      await store.markUsed(db, row.id, now);
    }
    return { keyId: row.id, permissions: new Set(row.permissions.filter(isPermission)) };
  }

  async function revoke(context: AuditContext, id: string): Promise<void> {
    await db.transaction().execute(async (tx) => {
      const row = await store.findById(tx, id);
      if (!row) throw new AppError('not_found', 'API key not found.');
      if (!(await store.revoke(tx, id, clock.now())))
        throw new AppError('conflict', 'The API key is already revoked.');
      cached.delete(row.prefix);
      // Delivered at commit to every process, this one included.
      await store.announceRevocation(tx, apiKeyChannel, row.prefix);
      await audit.append(tx, context, {
        action: 'api_key.revoked',
        outcome: 'success',
        target: { type: 'api_key', id },
      });
    });
  }

  return { create, authenticate, revoke, list: () => store.list(db) };
}

export type ApiKeyService = ReturnType<typeof apiKeyService>;
