import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';
import type { FieldError } from '../../lib/app-error.js';
import { defaultTaxonomy } from '../taxonomy/taxonomy.js';
import { type Masking, ZMasking } from './masking.js';

export const fieldTypes = [
  'string',
  'email',
  'phone',
  'date',
  'datetime',
  'number',
  'boolean',
  'address',
  'json',
] as const;
export type FieldType = (typeof fieldTypes)[number];

export const classifications = ['public', 'internal', 'confidential', 'restricted'] as const;
export type Classification = (typeof classifications)[number];

/** Types whose normalized value can be blind-indexed for exact-match search. */
export const indexableTypes: readonly FieldType[] = ['string', 'email', 'phone'];

/** A taxonomy key that exists, or a custom key an organization placed beneath one that does. */
export function isKnownCategory(key: string): boolean {
  const parts = key.split('.');
  for (let length = parts.length; length > 0; length -= 1) {
    if (defaultTaxonomy.data_category.has(parts.slice(0, length).join('.'))) return true;
  }
  return false;
}

export const ZFieldName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'lower-case letters, digits and _ (max 63)');
export const ZCollectionName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'lower-case letters, digits and _ (max 63)');

export const ZFieldDefinition = z
  .object({
    name: ZFieldName,
    type: z.enum(fieldTypes),
    category: z
      .string()
      .max(200)
      .refine(isKnownCategory, 'must be a data category of the taxonomy (or beneath one)'),
    classification: z.enum(classifications),
    required: z.boolean().default(false),
    indexed: z.boolean().default(false).describe('keep a blind index for exact-match search'),
    tokenizable: z.boolean().default(false),
    masking: ZMasking.optional().describe('how the value is shown in reads without reveal=true'),
    description: z.string().max(500).optional(),
  })
  .refine((field) => !field.indexed || indexableTypes.includes(field.type), {
    message: `only ${indexableTypes.join(', ')} fields can be indexed`,
    path: ['indexed'],
  })
  .refine((field) => !field.indexed || field.classification !== 'public', {
    message: 'public fields are stored in clear and need no blind index',
    path: ['indexed'],
  })
  .meta({ id: 'FieldDefinition' });

export type FieldDefinition = z.output<typeof ZFieldDefinition>;

export const ZCollectionDefinition = z
  .object({
    name: ZCollectionName,
    description: z.string().max(1000).default(''),
    multiple: z.boolean().default(false).describe('many records per subject (default: one)'),
    fields: z
      .array(ZFieldDefinition)
      .min(1)
      .max(200)
      .refine(
        (fields) => new Set(fields.map((field) => field.name)).size === fields.length,
        'field names must be unique',
      ),
  })
  .meta({ id: 'CollectionDefinition' });

export type CollectionDefinition = z.output<typeof ZCollectionDefinition>;

/** How a field is shown in reads without `reveal=true`, when the collection does not say. */
export function defaultMaskingFor(field: Pick<FieldDefinition, 'type' | 'masking'>): Masking {
  if (field.masking) return field.masking;
  switch (field.type) {
    case 'email':
      return { op: 'email' };
    case 'phone':
      return { op: 'mask', visible: 3, from: 'end', char: '•' };
    case 'date':
      return { op: 'generalize_date', to: 'year' };
    default:
      return { op: 'redact' };
  }
}

export function isEncrypted(field: Pick<FieldDefinition, 'classification'>): boolean {
  return field.classification !== 'public';
}

const ZAddress = z
  .object({
    line1: z.string().min(1).max(200),
    line2: z.string().max(200).optional(),
    city: z.string().min(1).max(100),
    postcode: z.string().max(20).optional(),
    region: z.string().max(100).optional(),
    country: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 country code'),
  })
  .strict();

export type FieldValue = string | number | boolean | Record<string, unknown> | unknown[] | null;

/** Normalizes a phone number to E.164, or undefined when it is not a valid number. */
export function normalizePhone(value: string, defaultCountry?: string): string | undefined {
  const parsed = parsePhoneNumberFromString(
    value,
    defaultCountry as Parameters<typeof parsePhoneNumberFromString>[1],
  );
  return parsed?.isValid() ? parsed.number : undefined;
}

export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

// Made once: building a schema costs more than checking a value with it (imports check millions).
const ZEmail = z.email();
const ZDateTime = z.iso.datetime({ offset: true });

/** Each collection definition's fields by name, made once per definition. */
const fieldMaps = new WeakMap<readonly FieldDefinition[], ReadonlyMap<string, FieldDefinition>>();

export function fieldsByName(fields: readonly FieldDefinition[]): ReadonlyMap<string, FieldDefinition> {
  let byName = fieldMaps.get(fields);
  if (!byName) {
    byName = new Map(fields.map((field) => [field.name, field]));
    fieldMaps.set(fields, byName);
  }
  return byName;
}

/** Validates and normalizes one value; returns a message (never containing the value) when invalid. */
function checkValue(
  field: FieldDefinition,
  value: unknown,
  phoneRegion?: string,
): { value: FieldValue } | { error: string } {
  switch (field.type) {
    case 'string':
      return typeof value === 'string' && value.length <= 10_000
        ? { value }
        : { error: 'must be a string of at most 10000 characters' };
    case 'email': {
      if (typeof value !== 'string' || !ZEmail.safeParse(value.trim()).success)
        return { error: 'must be an e-mail address' };
      return { value: value.trim() };
    }
    case 'phone': {
      const normalized = typeof value === 'string' ? normalizePhone(value, phoneRegion) : undefined;
      return normalized
        ? { value: normalized }
        : { error: 'must be a valid phone number (E.164, e.g. +44 20 7946 0958)' };
    }
    case 'date': {
      const valid =
        typeof value === 'string' &&
        /^\d{4}-\d{2}-\d{2}$/.test(value) &&
        !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) &&
        new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
      return valid ? { value } : { error: 'must be a calendar date YYYY-MM-DD' };
    }
    case 'datetime':
      return typeof value === 'string' && ZDateTime.safeParse(value).success
        ? { value }
        : { error: 'must be an ISO 8601 date-time with a time zone' };
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
        ? { value }
        : { error: 'must be a finite number' };
    case 'boolean':
      return typeof value === 'boolean' ? { value } : { error: 'must be true or false' };
    case 'address': {
      const parsed = ZAddress.safeParse(value);
      if (parsed.success) return { value: parsed.data };
      const first = parsed.error.issues[0];
      return {
        error: `must be an address (${first?.path.join('.') || 'object'}: ${first?.message ?? 'invalid'})`,
      };
    }
    case 'json':
      return value !== undefined && JSON.stringify(value).length <= 65_536
        ? { value: value as FieldValue }
        : { error: 'must be JSON of at most 64 KiB' };
  }
}

/**
 * Validates record values against a collection: one error per bad field, never echoing a value. With
 * `partial`, required fields may be absent (updates). `null` clears an optional field.
 */
export function validateRecordValues(
  collection: Pick<CollectionDefinition, 'fields'>,
  input: Record<string, unknown>,
  options: { partial: boolean; phoneRegion?: string | undefined },
): { values: Record<string, FieldValue>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const values: Record<string, FieldValue> = {};
  const known = fieldsByName(collection.fields);
  for (const name of Object.keys(input)) {
    if (!known.has(name))
      errors.push({
        in: 'body',
        path: `fields.${name}`.slice(0, 100),
        message: 'is not a field of this collection',
      });
  }
  for (const field of collection.fields) {
    const raw = input[field.name];
    if (raw === undefined || raw === null) {
      if (field.required && (!options.partial || raw === null)) {
        errors.push({ in: 'body', path: `fields.${field.name}`, message: 'is required' });
      } else if (raw === null) {
        values[field.name] = null;
      }
      continue;
    }
    const checked = checkValue(field, raw, options.phoneRegion);
    if ('error' in checked) errors.push({ in: 'body', path: `fields.${field.name}`, message: checked.error });
    else values[field.name] = checked.value;
  }
  return { values, errors };
}
