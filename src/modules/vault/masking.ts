import { createHmac, randomInt } from 'node:crypto';
import { z } from 'zod';

/**
 * Masking and anonymization operators. Masking hides a value for display (reads without `reveal=true`);
 * anonymization replaces a value for good (retention, erasure under a legal obligation). Each operator is
 * a pure function of the value, its options and injected key/randomness, so each is tested alone.
 */
export const ZMasking = z.discriminatedUnion('op', [
  z.object({ op: z.literal('redact'), with: z.string().max(32).optional() }),
  z.object({
    op: z.literal('mask'),
    /** Characters left visible. */
    visible: z.number().int().min(0).max(64).default(4),
    /** Which end stays visible. */
    from: z.enum(['end', 'start']).default('end'),
    char: z.string().length(1).default('•'),
  }),
  z.object({ op: z.literal('email') }),
  z.object({ op: z.literal('keyed_hash'), length: z.number().int().min(8).max(64).default(16) }),
  z.object({ op: z.literal('generalize_date'), to: z.enum(['year', 'month']) }),
  z.object({ op: z.literal('generalize_number'), bucket: z.number().positive() }),
  z.object({ op: z.literal('generalize_postcode'), keep: z.number().int().min(0).max(10).default(2) }),
  z.object({ op: z.literal('null') }),
  z.object({ op: z.literal('random_replace'), alphabet: z.string().min(2).max(128).optional() }),
  z.object({ op: z.literal('date_shift'), maxDays: z.number().int().min(1).max(3650) }),
]);

export type Masking = z.infer<typeof ZMasking>;
export type MaskInput = z.input<typeof ZMasking>;

export type MaskContext = {
  /** Key for keyed hashes (HMAC-SHA256); a dedicated key, never a data key. */
  hashKey: Buffer;
  /** Randomness, injectable for tests: an integer in [0, max). */
  random?: (max: number) => number;
};

type Value = string | number | boolean | null | Record<string, unknown> | unknown[];

export function redact(_value: Value, replacement = '[redacted]'): string {
  return replacement;
}

/** Keeps `visible` characters at one end and replaces the rest, preserving length. */
export function maskChars(value: string, visible: number, from: 'end' | 'start' = 'end', char = '•'): string {
  const chars = [...value];
  const shown = Math.min(visible, Math.floor(chars.length / 2));
  const hidden = chars.length - shown;
  return from === 'end'
    ? char.repeat(hidden) + chars.slice(hidden).join('')
    : chars.slice(0, shown).join('') + char.repeat(hidden);
}

/** `jane.doe@example.org` → `j•••••••@example.org`: enough to recognise, not to contact. */
export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at <= 0) return maskChars(value, 0);
  return `${value[0]}${'•'.repeat(Math.max(at - 1, 1))}${value.slice(at)}`;
}

/** HMAC-SHA256 under a dedicated key, hex, truncated: stable for joins, useless without the key. */
export function keyedHash(value: string, key: Buffer, length = 16): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex').slice(0, length);
}

/** A date (YYYY-MM-DD or ISO datetime) cut to its year (`1984`) or month (`1984-07`). */
export function generalizeDate(value: string, to: 'year' | 'month'): string | null {
  const match = /^(\d{4})-(\d{2})/.exec(value);
  if (!match) return null;
  return to === 'year' ? (match[1] ?? null) : `${match[1]}-${match[2]}`;
}

/** A number replaced by the range of width `bucket` that holds it: 37 with bucket 10 → `30-39`. */
export function generalizeNumber(value: number, bucket: number): string {
  const low = Math.floor(value / bucket) * bucket;
  const high = low + bucket;
  return Number.isInteger(bucket) ? `${low}-${high - 1}` : `${low}-${high}`;
}

/** A postcode reduced to its first `keep` characters: `SW1A 1AA` → `SW`. */
export function generalizePostcode(value: string, keep = 2): string {
  return value.replaceAll(/\s/g, '').slice(0, keep).toUpperCase();
}

/** Same length, random characters from the alphabet (letters and digits by default). */
export function randomReplace(value: string, random: (max: number) => number, alphabet?: string): string {
  const pool = alphabet ?? 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return Array.from([...value], () => pool[random(pool.length)]).join('');
}

/** Moves a date by a random number of days in [-maxDays, +maxDays], keeping its format. */
export function shiftDate(value: string, maxDays: number, random: (max: number) => number): string | null {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  const days = random(2 * maxDays + 1) - maxDays;
  const shifted = new Date(date.getTime() + days * 86_400_000);
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? shifted.toISOString().slice(0, 10) : shifted.toISOString();
}

/** Applies one operator to a value; values the operator cannot read become null rather than leaking. */
export function applyMasking(value: Value, masking: Masking, context: MaskContext): Value {
  if (value === null) return null;
  const random = context.random ?? ((max: number) => randomInt(max));
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  switch (masking.op) {
    case 'redact':
      return redact(value, masking.with);
    case 'mask':
      return maskChars(text, masking.visible, masking.from, masking.char);
    case 'email':
      return maskEmail(text);
    case 'keyed_hash':
      return keyedHash(text, context.hashKey, masking.length);
    case 'generalize_date':
      return generalizeDate(text, masking.to);
    case 'generalize_number':
      return typeof value === 'number' ? generalizeNumber(value, masking.bucket) : null;
    case 'generalize_postcode':
      return generalizePostcode(text, masking.keep);
    case 'null':
      return null;
    case 'random_replace':
      return randomReplace(text, random, masking.alphabet);
    case 'date_shift':
      return shiftDate(text, masking.maxDays, random);
  }
}
