import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { ConsentChangeFeed } from './consent-changes.js';
import type { LegalBasis, PurposeRules, SpecialCategoryCondition } from './consent-rules.js';
import type { PurposeRow, PurposeStore, PurposeVersionRow } from './purpose-store.js';

/**
 * Automated decision-making for a purpose (GDPR Art. 22, and what Art. 13(2)(f), 14(2)(g) and 15(1)(h)
 * make the controller tell): none, or decisions based solely on automated processing, including
 * profiling, with meaningful information about the logic involved, and the significance and envisaged
 * consequences of that processing for the subject.
 */
export type AutomatedDecisionMaking =
  | { applies: false }
  | { applies: true; logic: string; significance: string; consequences: string };

type DecisionColumns = {
  automated_decisions: boolean;
  automated_decision_logic: string | null;
  automated_decision_significance: string | null;
  automated_decision_consequences: string | null;
};

/** The disclosure a purpose (or one version of it) holds. */
export function automatedDecisionsOf(row: DecisionColumns): AutomatedDecisionMaking {
  if (!row.automated_decisions) return { applies: false };
  return {
    applies: true,
    logic: row.automated_decision_logic ?? '',
    significance: row.automated_decision_significance ?? '',
    consequences: row.automated_decision_consequences ?? '',
  };
}

function decisionColumnsOf(decisions: AutomatedDecisionMaking | undefined): DecisionColumns {
  const applies = decisions?.applies === true ? decisions : undefined;
  return {
    automated_decisions: applies !== undefined,
    automated_decision_logic: applies?.logic ?? null,
    automated_decision_significance: applies?.significance ?? null,
    automated_decision_consequences: applies?.consequences ?? null,
  };
}

/** A purpose as an organization declares it (validated by ZPurposeDefinition). */
export type PurposeDefinition = {
  key: string;
  name: string;
  description: string;
  legalBasis: LegalBasis;
  specialCategoryCondition: SpecialCategoryCondition | null;
  dataUses: string[];
  dataCategories: string[];
  ccpa: { sale: boolean; sharing: boolean; sensitive: boolean };
  /** The text shown to subjects when asking for (or informing about) this purpose. */
  text: string;
  /** Whether consents given for an earlier version stop counting when the text or scope changes. */
  reconsentOnChange: boolean;
  /** Automated decisions made for the purpose; none when left out. */
  automatedDecisionMaking?: AutomatedDecisionMaking | undefined;
  /** Shown by the consent banner to a site's visitors (default false). */
  website?: boolean | undefined;
};

type Deps = {
  db: Kysely<DB>;
  store: PurposeStore;
  audit: AuditWriter;
  changes: ConsentChangeFeed;
  clock: Clock;
  settings: { cacheTtlMs: number };
};

export function textHashOf(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export function rulesOf(row: PurposeRow): PurposeRules {
  return {
    legalBasis: row.legal_basis,
    minVersion: row.min_version,
    ccpaSale: row.ccpa_sale,
    ccpaSharing: row.ccpa_sharing,
    ccpaSensitive: row.ccpa_sensitive,
  };
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/**
 * Whether a change alters what subjects agree to: the text, the basis, the uses and categories, or the
 * automated decisions made for the purpose (they are part of what subjects are told).
 */
function changesTerms(row: PurposeRow, next: PurposeDefinition): boolean {
  const decisions = decisionColumnsOf(next.automatedDecisionMaking);
  return (
    row.text !== next.text ||
    row.legal_basis !== next.legalBasis ||
    !sameSet(row.data_uses, next.dataUses) ||
    !sameSet(row.data_categories, next.dataCategories) ||
    (Object.keys(decisions) as (keyof DecisionColumns)[]).some((column) => row[column] !== decisions[column])
  );
}

/**
 * Purposes: what personal data is used for and on which lawful basis. A change of the terms makes a new
 * version; whether consents for older versions keep counting is the purpose's (or the change's) call,
 * except that consents recorded under another basis never count once the basis becomes consent.
 * Every process keeps all purposes in memory (they are few and read on every check).
 */
export function purposeService({ db, store, audit, changes, clock, settings }: Deps) {
  let cached: { byKey: Map<string, PurposeRow>; expiresAt: number } | undefined;
  let generation = 0;
  const versionRows = new Map<string, PurposeVersionRow>();

  changes.subscribe({
    subjects: () => {},
    purposes: () => {
      generation += 1;
      cached = undefined;
    },
    everything: () => {
      generation += 1;
      cached = undefined;
    },
  });

  /**
   * Every purpose by key, from memory when current. `refresh` reads the database regardless: for a key
   * another process may have created a moment ago, before its notification arrived.
   */
  async function catalog(options: { refresh?: boolean } = {}): Promise<ReadonlyMap<string, PurposeRow>> {
    const now = clock.now().getTime();
    if (cached && cached.expiresAt > now && !options.refresh) return cached.byKey;
    const ticket = generation;
    const listening = changes.ensureListening();
    const byKey = new Map((await store.list(db)).map((row) => [row.key, row]));
    if (listening && ticket === generation) cached = { byKey, expiresAt: now + settings.cacheTtlMs };
    return byKey;
  }

  /** Every purpose by key, read in the caller's transaction (fresh; no second connection meanwhile). */
  async function catalogWithin(tx: Executor): Promise<ReadonlyMap<string, PurposeRow>> {
    return new Map((await store.list(tx)).map((row) => [row.key, row]));
  }

  /** The purpose, or a 404 naming the key (purpose keys are not personal data). */
  async function require(key: string): Promise<PurposeRow> {
    const row = (await catalog()).get(key) ?? (await catalog({ refresh: true })).get(key);
    if (!row) throw new AppError('not_found', `There is no purpose ${key}.`);
    return row;
  }

  /** One version of a purpose's terms; versions never change, so they are kept once read. */
  async function version(key: string, number: number): Promise<PurposeVersionRow> {
    const id = `${key}@${number}`;
    const known = versionRows.get(id);
    if (known) return known;
    const row = await store.version(db, key, number);
    if (!row) throw new AppError('not_found', `Purpose ${key} has no version ${number}.`);
    if (versionRows.size >= 10_000) versionRows.delete(versionRows.keys().next().value as string);
    versionRows.set(id, row);
    return row;
  }

  function announce() {
    // The purposes trigger notifies every process; this one forgets at once, before the notification.
    changes.forgetHere({ kind: 'purposes' });
  }

  async function create(context: AuditContext, definition: PurposeDefinition): Promise<PurposeRow> {
    const row = await db.transaction().execute(async (tx) => {
      if (await store.find(tx, definition.key)) {
        throw new AppError('conflict', `A purpose ${definition.key} exists already.`);
      }
      const now = clock.now();
      await store.insert(tx, {
        ...columnsOf(definition),
        key: definition.key,
        version: 1,
        min_version: 1,
        created_at: now,
        updated_at: now,
      });
      await store.insertVersion(tx, versionRowOf(definition, 1, false, now));
      await audit.append(tx, context, {
        action: 'consent.purpose.created',
        outcome: 'success',
        target: { type: 'purpose', id: definition.key },
        details: {
          legalBasis: definition.legalBasis,
          version: 1,
          automatedDecisions: definition.automatedDecisionMaking?.applies === true,
        },
      });
      return (await store.find(tx, definition.key)) as PurposeRow;
    });
    announce();
    return row;
  }

  /**
   * Replaces a purpose's definition. When the terms change (text, basis, uses, categories) a new version
   * is made; `requireReconsent` (default: the purpose's `reconsentOnChange`) decides whether consents for
   * earlier versions stop counting.
   */
  async function update(
    context: AuditContext,
    key: string,
    definition: Omit<PurposeDefinition, 'key'>,
    options: { requireReconsent?: boolean | undefined } = {},
  ): Promise<{ purpose: PurposeRow; newVersion: boolean; requiresReconsent: boolean }> {
    const result = await db.transaction().execute(async (tx) => {
      const current = await store.lock(tx, key);
      if (!current) throw new AppError('not_found', `There is no purpose ${key}.`);
      const next = { ...definition, key };
      const newVersion = changesTerms(current, next);
      const requiresReconsent =
        newVersion &&
        ((next.legalBasis === 'consent' && current.legal_basis !== 'consent') ||
          (options.requireReconsent ?? next.reconsentOnChange));
      const version = newVersion ? current.version + 1 : current.version;
      const now = clock.now();
      await store.update(tx, key, {
        ...columnsOf(next),
        version,
        min_version: requiresReconsent ? version : current.min_version,
        updated_at: now,
      });
      if (newVersion) await store.insertVersion(tx, versionRowOf(next, version, requiresReconsent, now));
      await audit.append(tx, context, {
        action: 'consent.purpose.updated',
        outcome: 'success',
        target: { type: 'purpose', id: key },
        details: {
          legalBasis: next.legalBasis,
          version,
          newVersion,
          requiresReconsent,
          automatedDecisions: next.automatedDecisionMaking?.applies === true,
        },
      });
      return { purpose: (await store.find(tx, key)) as PurposeRow, newVersion, requiresReconsent };
    });
    announce();
    return result;
  }

  return {
    catalog,
    catalogWithin,
    require,
    version,
    create,
    update,
    list: async () => [...(await catalog()).values()],
    versions: async (key: string) => {
      await require(key);
      return store.versions(db, key);
    },
  };
}

function columnsOf(definition: PurposeDefinition) {
  return {
    name: definition.name,
    description: definition.description,
    legal_basis: definition.legalBasis,
    special_category_condition: definition.specialCategoryCondition,
    data_uses: definition.dataUses,
    data_categories: definition.dataCategories,
    ccpa_sale: definition.ccpa.sale,
    ccpa_sharing: definition.ccpa.sharing,
    ccpa_sensitive: definition.ccpa.sensitive,
    reconsent_on_change: definition.reconsentOnChange,
    website: definition.website ?? false,
    text: definition.text,
    ...decisionColumnsOf(definition.automatedDecisionMaking),
  };
}

function versionRowOf(definition: PurposeDefinition, version: number, requiresReconsent: boolean, at: Date) {
  return {
    purpose_key: definition.key,
    version,
    text: definition.text,
    text_hash: textHashOf(definition.text),
    legal_basis: definition.legalBasis,
    data_uses: definition.dataUses,
    data_categories: definition.dataCategories,
    requires_reconsent: requiresReconsent,
    ...decisionColumnsOf(definition.automatedDecisionMaking),
    created_at: at,
  };
}

export type PurposeService = ReturnType<typeof purposeService>;
