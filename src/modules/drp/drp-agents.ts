import type { Kysely } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { digestSecret, randomSecret } from '../../lib/secrets.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { AgentEntry } from './drp-directory.js';
import { checkEnvelope, openSignedMessage, ZPairingMessage } from './drp-messages.js';
import { DrpError, isDrpError } from './drp-protocol.js';
import { verifyKeyFrom } from './drp-signature.js';
import type { AgentChanges, AgentRow, DrpStore } from './drp-store.js';
import type { AgentSource } from './drp-tables.js';

type Deps = {
  db: Kysely<DB>;
  store: DrpStore;
  audit: AuditWriter;
  clock: Clock;
  /** This business's id in the DRP network; unset, Custos takes no DRP requests. */
  businessId: string | undefined;
};

/** An agent as operators see it: the directory entry, where it came from, whether it has paired. */
export type AgentView = AgentEntry & {
  source: AgentSource;
  pairedAt: string | null;
  createdAt: string;
  updatedAt: string;
};

export type AgentChangesInput = Partial<Omit<AgentEntry, 'id'>>;

const columnsOf = {
  name: 'name',
  verifyKey: 'verify_key',
  webUrl: 'web_url',
  identityAssuranceUrl: 'identity_assurance_url',
  technicalContact: 'technical_contact',
  businessContact: 'business_contact',
} as const satisfies Record<keyof AgentChangesInput, keyof AgentRow>;

export function viewOfAgent(row: AgentRow): AgentView {
  return {
    id: row.id,
    name: row.name,
    verifyKey: row.verify_key,
    webUrl: row.web_url,
    identityAssuranceUrl: row.identity_assurance_url,
    technicalContact: row.technical_contact,
    businessContact: row.business_contact,
    source: row.source,
    pairedAt: row.token_issued_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The columns that differ between a row and the wanted entry, as changes (a new key unpairs the agent). */
function changesFor(row: AgentRow, wanted: AgentChangesInput): { changes: AgentChanges; fields: string[] } {
  const changes: Record<string, unknown> = {};
  const fields: string[] = [];
  for (const [field, column] of Object.entries(columnsOf) as [keyof AgentChangesInput, keyof AgentRow][]) {
    const value = wanted[field];
    if (value === undefined || row[column] === value) continue;
    changes[column] = value;
    fields.push(field);
  }
  // Messages signed with the old key no longer verify, so the replay guard starts afresh with the new one.
  if (fields.includes('verifyKey')) {
    Object.assign(changes, { token_hash: null, token_issued_at: null, paired_issued_at: null });
  }
  return { changes: changes as AgentChanges, fields };
}

/**
 * The trusted authorized agents: the service directory (a file applied at start, and the API), and the
 * pairing of §2.05 that gives an agent its bearer token. A new verify key ends the agent's pairing.
 */
export function drpAgents({ db, store, audit, clock, businessId }: Deps) {
  const target = (id: string) => ({ type: 'drp_agent', id });

  async function found(executor: Executor, id: string): Promise<AgentRow> {
    const row = await store.findAgent(executor, id);
    if (!row) throw new AppError('not_found', 'No agent with this id.');
    return row;
  }

  async function create(context: AuditContext, entry: AgentEntry, source: AgentSource = 'api') {
    return db.transaction().execute(async (tx) => {
      const now = clock.now();
      const inserted = await store.insertAgent(tx, {
        id: entry.id,
        name: entry.name,
        verify_key: entry.verifyKey,
        web_url: entry.webUrl,
        identity_assurance_url: entry.identityAssuranceUrl,
        technical_contact: entry.technicalContact,
        business_contact: entry.businessContact,
        source,
        created_at: now,
        updated_at: now,
      });
      if (!inserted) {
        throw new AppError('conflict', 'An agent with this id exists already.', {
          extensions: { agentId: entry.id },
        });
      }
      await audit.append(tx, context, {
        action: 'drp.agent.created',
        outcome: 'success',
        target: target(entry.id),
        details: { source },
      });
      return viewOfAgent(await found(tx, entry.id));
    });
  }

  async function update(
    context: AuditContext,
    id: string,
    wanted: AgentChangesInput,
    source?: AgentSource,
  ): Promise<AgentView> {
    return db.transaction().execute(async (tx) => {
      const row = await store.lockAgent(tx, id);
      if (!row) throw new AppError('not_found', 'No agent with this id.');
      const { changes, fields } = changesFor(row, wanted);
      if (source && source !== row.source) changes.source = source;
      if (fields.length === 0 && !changes.source) return viewOfAgent(row);
      await store.updateAgent(tx, id, { ...changes, updated_at: clock.now() });
      await audit.append(tx, context, {
        action: 'drp.agent.updated',
        outcome: 'success',
        target: target(id),
        details: { fields, unpaired: fields.includes('verifyKey') && row.token_hash !== null },
      });
      return viewOfAgent(await found(tx, id));
    });
  }

  async function remove(context: AuditContext, id: string): Promise<void> {
    await db.transaction().execute(async (tx) => {
      if (!(await store.deleteAgent(tx, id))) throw new AppError('not_found', 'No agent with this id.');
      await audit.append(tx, context, {
        action: 'drp.agent.deleted',
        outcome: 'success',
        target: target(id),
      });
    });
  }

  /** Creates or updates the agents a service-directory file lists; returns the ids it changed. */
  async function applyDirectory(context: AuditContext, entries: AgentEntry[]): Promise<string[]> {
    const applied: string[] = [];
    for (const entry of entries) {
      const existing = await store.findAgent(db, entry.id);
      if (!existing) {
        await create(context, entry, 'config');
        applied.push(entry.id);
        continue;
      }
      const { fields } = changesFor(existing, entry);
      if (fields.length === 0 && existing.source === 'config') continue;
      await update(context, entry.id, entry, 'config');
      applied.push(entry.id);
    }
    return applied;
  }

  function assertEnabled(): string {
    if (!businessId) {
      throw new DrpError('drp_disabled', 'This server does not take Data Rights Protocol requests.');
    }
    return businessId;
  }

  /**
   * §2.05 pairing: a message signed with the key the directory lists for `agentId`, naming this business,
   * within its validity window and newer than the agent's last pairing. Returns a new bearer token (the
   * previous one stops working). Any failure is a bare 403, as the spec asks; known agents' failures are
   * audited.
   */
  async function pair(context: AuditContext, agentId: string, body: unknown): Promise<string> {
    const business = assertEnabled();
    const agent = await store.findAgent(db, agentId);
    const key = agent ? verifyKeyFrom(agent.verify_key) : undefined;
    if (!agent || !key) throw new DrpError('unknown_agent', 'Unknown agent.', { emptyBody: true });
    const agentContext = { ...context, actor: { type: 'agent' as const, id: agent.id } };
    try {
      const { document } = openSignedMessage(body, key, ZPairingMessage);
      const now = clock.now();
      checkEnvelope(document, { agentId: agent.id, businessId: business, now });
      const issuedAt = new Date(document['issued-at']);
      const token = randomSecret(32);
      await db.transaction().execute(async (tx) => {
        const current = await store.lockAgent(tx, agent.id);
        if (!current) throw new DrpError('unknown_agent', 'Unknown agent.');
        if (current.paired_issued_at && issuedAt.getTime() <= current.paired_issued_at.getTime()) {
          throw new DrpError('replayed_pairing', 'A pairing message must be newer than the last one.');
        }
        await store.updateAgent(tx, agent.id, {
          token_hash: digestSecret(token),
          token_issued_at: now,
          paired_issued_at: issuedAt,
        });
        await audit.append(tx, agentContext, {
          action: 'drp.agent.paired',
          outcome: 'success',
          target: target(agent.id),
          details: { replacedToken: current.token_hash !== null },
        });
      });
      return token;
    } catch (error) {
      if (!isDrpError(error)) throw error;
      await audit.record(agentContext, {
        action: 'drp.agent.pairing_refused',
        outcome: 'denied',
        target: target(agent.id),
        details: { reason: error.refusal },
      });
      throw new DrpError(error.refusal, error.message, { emptyBody: true, status: 403 });
    }
  }

  /** The agent a bearer token was issued to; 401 without a token, 403 for one Custos did not issue. */
  async function agentOfToken(token: string | undefined): Promise<AgentRow> {
    assertEnabled();
    if (!token) {
      throw new DrpError(
        'missing_token',
        'Send the token from pairing (POST /v1/agent/{agent-id}) as a bearer token.',
      );
    }
    const agent = await store.findAgentByToken(db, digestSecret(token));
    if (!agent) throw new DrpError('unknown_token', 'This token is not valid here; pair again.');
    return agent;
  }

  return {
    list: async () => (await store.listAgents(db)).map(viewOfAgent),
    get: async (id: string) => viewOfAgent(await found(db, id)),
    create: (context: AuditContext, entry: AgentEntry) => create(context, entry, 'api'),
    update: (context: AuditContext, id: string, wanted: AgentChangesInput) => update(context, id, wanted),
    remove,
    applyDirectory,
    pair,
    agentOfToken,
    /** This business's DRP id, or a DrpError when DRP is off. */
    businessId: assertEnabled,
    enabled: () => businessId !== undefined,
  };
}

export type DrpAgents = ReturnType<typeof drpAgents>;
