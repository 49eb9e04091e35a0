import type { Tx } from '../../db/database.js';
import type { FieldDefinition } from '../vault/collection-schema.js';
import type { RiskFactors } from './breach-assessment.js';
import type { BreachFacts } from './breach-schemas.js';
import type { BreachRow, BreachStore } from './breach-store.js';

/** Vault collections as the breach module needs them: names and field definitions. */
export type Definitions = { name: string; fields: FieldDefinition[] }[];
/**
 * Reads them from the vault's service. Call it before opening a transaction: on the embedded database
 * a query outside the transaction would wait for the transaction's one connection.
 */
export type CollectionDefinitions = () => Promise<Definitions>;

/** Exposures through Custos's own API hand the values over decrypted, whatever their storage. */
const exposedInClear = new Set(['revealed', 'detokenized', 'exported']);

/**
 * Whether the data involved was unintelligible to whoever got it (Art. 34(3)(a)), derived rather than
 * typed in: the fields involved are those the affected set names plus every field of the collections the
 * register lists (a copy of the database or a backup), and each field's storage comes from the vault's
 * collection definitions (every field but a `public` one is sealed under the subject's data key).
 * Sealing counts only when no key was part of the incident and nothing was read in clear through the API.
 */
export function breachProtection({ store }: { store: Pick<BreachStore, 'affectedSummary'> }) {
  return async function protectionOf(
    tx: Tx,
    breach: BreachRow,
    collections: Definitions,
  ): Promise<RiskFactors['protection']> {
    const facts = breach.facts as BreachFacts;
    const affected = await store.affectedSummary(tx, breach.id);
    if (facts.keysCompromised || affected.kinds.some((kind) => exposedInClear.has(kind))) return 'clear';
    const definitions = new Map(collections.map((collection) => [collection.name, collection.fields]));
    const involved = new Set(affected.fields);
    for (const name of facts.collections ?? []) {
      for (const field of definitions.get(name) ?? []) involved.add(`${name}.${field.name}`);
    }
    if (involved.size === 0) return 'clear';
    let sealed = 0;
    for (const qualified of involved) {
      const [collection = '', field] = qualified.split('.');
      const definition = definitions.get(collection)?.find((candidate) => candidate.name === field);
      if (definition && definition.classification !== 'public') sealed += 1;
    }
    if (sealed === involved.size) return 'sealed_keys_safe';
    return sealed > 0 ? 'partly_sealed' : 'clear';
  };
}
