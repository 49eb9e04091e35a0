import { createHmac, randomBytes } from 'node:crypto';
import type { FieldType } from './collection-schema.js';

const base32 = 'abcdefghijklmnopqrstuvwxyz234567';

function lettersFrom(bytes: Buffer, count: number): string {
  return Array.from(bytes.subarray(0, count), (byte) => base32[byte % 32]).join('');
}

function digitsFrom(bytes: Buffer, count: number): string {
  return Array.from(bytes.subarray(0, count), (byte) => String(byte % 10)).join('');
}

/** The Luhn check digit for a string of digits. */
export function luhnCheckDigit(digits: string): string {
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}

export type TokenFormat = 'opaque' | 'email' | 'phone' | 'card';

/**
 * Renders token bytes in a format that still looks like the original kind of value, so systems that
 * validate formats accept it — but that can never be a real one: e-mail under the reserved `.invalid`
 * domain, phone numbers in the unassigned +999 country code, card numbers in the 9 range with a valid
 * Luhn digit.
 */
export function renderToken(bytes: Buffer, format: TokenFormat): string {
  switch (format) {
    case 'email':
      return `${lettersFrom(bytes, 16)}@token.invalid`;
    case 'phone':
      return `+999${digitsFrom(bytes, 11)}`;
    case 'card': {
      const body = `9${digitsFrom(bytes, 14)}`;
      return body + luhnCheckDigit(body);
    }
    default:
      return `tok_${bytes.subarray(0, 18).toString('base64url')}`;
  }
}

export function formatFor(type: FieldType, requested: 'auto' | TokenFormat): TokenFormat {
  if (requested !== 'auto') return requested;
  if (type === 'email') return 'email';
  if (type === 'phone') return 'phone';
  return 'opaque';
}

/** Deterministic token bytes: the same value of the same field always gives the same token. */
export function deterministicTokenBytes(key: Buffer, scope: string, normalized: string): Buffer {
  return createHmac('sha256', key).update(scope).update('\u0000').update(normalized, 'utf8').digest();
}

export function randomTokenBytes(): Buffer {
  return randomBytes(32);
}
