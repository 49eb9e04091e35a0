import type { FieldError } from '../../lib/app-error.js';
import { type FieldDefinition, isEncrypted, isKnownCategory } from '../vault/collection-schema.js';
import type { Masking } from '../vault/masking.js';
import { categoryWithin, type PolicyRule } from './erasure-plan.js';
import { parseRetentionPeriod } from './retention-period.js';
import type { PolicyRow } from './retention-store.js';
import type { RetentionAction, RetentionGround, RetentionTrigger } from './retention-types.js';

/** A retention rule as an organization declares it (validated by ZRetentionPolicyInput). */
export type RuleInput = {
  name: string;
  collection?: string | undefined;
  dataCategory?: string | undefined;
  purpose?: string | undefined;
  trigger?: RetentionTrigger | undefined;
  action?: RetentionAction | undefined;
  fields?: string[] | undefined;
  anonymization?: Record<string, Masking> | undefined;
  legalBasis?: RetentionGround | null | undefined;
  description: string;
  duration?: string | null | undefined;
};

export type CollectionLike = { id: string; name: string; fields: readonly FieldDefinition[] };
export type PurposeLike = { key: string; data_categories: readonly string[] };

/** A stored rule, ready to decide with: its JSON typed, a purpose scope resolved to its data categories. */
export type Rule = PolicyRule & { action: RetentionAction; purpose: string | null };

export function ruleOf(row: PolicyRow, purposes: ReadonlyMap<string, PurposeLike>): Rule {
  return {
    ...row,
    anonymization: row.anonymization as Record<string, Masking>,
    trigger: row.trigger as RetentionTrigger,
    purposeCategories: row.purpose === null ? undefined : (purposes.get(row.purpose)?.data_categories ?? []),
  };
}

/** Whether a rule covers a collection: named, or holding a field of its data category or purpose. */
export function covers(rule: Rule, collection: CollectionLike): boolean {
  if (rule.collection !== null) return rule.collection === collection.name;
  const roots = rule.data_category !== null ? [rule.data_category] : (rule.purposeCategories ?? []);
  return collection.fields.some((field) => roots.some((root) => categoryWithin(field.category, root)));
}

/**
 * Which masking operators fit which field types: an operator that cannot read a type would turn every
 * value into null, which the rule's author should choose knowingly (`null`) rather than by mistake.
 */
const operatorTypes: Record<Masking['op'], readonly FieldDefinition['type'][] | 'any'> = {
  redact: 'any',
  null: 'any',
  keyed_hash: 'any',
  mask: ['string', 'email', 'phone'],
  random_replace: ['string', 'email', 'phone'],
  email: ['email'],
  generalize_date: ['date', 'datetime'],
  date_shift: ['date', 'datetime'],
  generalize_number: ['number'],
  generalize_postcode: ['string'],
};

export function operatorFits(operator: Masking, type: FieldDefinition['type']): boolean {
  const types = operatorTypes[operator.op];
  return types === 'any' || types.includes(type);
}

type Catalog = { collections: readonly CollectionLike[]; purposes: ReadonlyMap<string, PurposeLike> };

/** One error per problem with a rule, never repeating a value: scope, trigger, period, action, fields. */
export function ruleProblems(input: RuleInput, catalog: Catalog): FieldError[] {
  const errors: FieldError[] = [];
  const at = (path: string, message: string) => errors.push({ in: 'body', path, message });
  const trigger = input.trigger ?? { type: 'record_created' };
  const action = input.action ?? 'delete';
  const duration = input.duration ?? null;
  if (duration !== null && parseRetentionPeriod(duration) === undefined) {
    at('duration', 'must be an ISO 8601 duration of years, months and days, at most 100 years (P10Y, P6M)');
  }
  if (duration === null && trigger.type === 'record_created') {
    at('duration', 'a rule counting from the record’s creation needs a period');
  }
  const scopes = [input.collection, input.dataCategory, input.purpose].filter((scope) => scope !== undefined);
  if (scopes.length !== 1) {
    at('(root)', 'name exactly one of collection, dataCategory, purpose');
    return errors;
  }
  if (input.purpose !== undefined && !catalog.purposes.has(input.purpose)) {
    at('purpose', 'is not a consent purpose');
  }
  if (trigger.type === 'consent_withdrawn' && !catalog.purposes.has(trigger.purpose)) {
    at('trigger.purpose', 'is not a consent purpose');
  }
  if (input.collection === undefined) {
    if (input.dataCategory !== undefined && !isKnownCategory(input.dataCategory)) {
      at('dataCategory', 'must be a data category of the taxonomy');
    }
    if (input.fields) at('fields', 'only a collection rule names fields');
    if (input.anonymization && Object.keys(input.anonymization).length > 0) {
      at('anonymization', 'only a collection rule anonymizes fields');
    }
    if (action === 'anonymize') at('action', 'only a collection rule anonymizes: its operators name fields');
    if (trigger.type === 'date_field' || trigger.type === 'age_reached') {
      at('trigger.field', 'only a collection rule reads a field of its records');
    }
    return errors;
  }
  const collection = catalog.collections.find((row) => row.name === input.collection);
  if (!collection) {
    at('collection', 'is not a collection of the vault');
    return errors;
  }
  const fields = new Map(collection.fields.map((field) => [field.name, field]));
  for (const field of input.fields ?? []) {
    if (!fields.has(field)) at(`fields.${field}`, 'is not a field of this collection');
  }
  const kept = new Set(input.fields ?? (action === 'anonymize' ? [] : fields.keys()));
  for (const [name, operator] of Object.entries(input.anonymization ?? {})) {
    const field = fields.get(name);
    if (!field) at(`anonymization.${name}`, 'is not a field of this collection');
    else if (kept.has(name)) at(`anonymization.${name}`, 'is kept as it is; a field is kept or anonymized');
    else if (!operatorFits(operator, field.type)) {
      at(`anonymization.${name}`, `the operator ${operator.op} does not fit a ${field.type} field`);
    }
  }
  if (trigger.type === 'date_field' || trigger.type === 'age_reached') {
    const field = fields.get(trigger.field);
    if (!field || (field.type !== 'date' && field.type !== 'datetime')) {
      at('trigger.field', 'must be a date or datetime field of this collection');
    } else if (isEncrypted(field)) {
      at('trigger.field', 'must be stored in clear (classification public): runs read it in SQL');
    }
  }
  return errors;
}
