import { isIP } from 'node:net';

/**
 * A safety net for what callers put in audit entries. The contract is that entries carry pseudonymous ids
 * and facts (counts, field names, reason codes), never personal data or secrets; this catches the
 * mistakes that can be recognized: keys named like personal data or secrets (`email`, `phone`,
 * `fullName`, `password`, `token`, `ip`…) and values shaped like them (e-mail and IP addresses, phone
 * and card numbers, bearer tokens, JWTs, PEM keys). Their values are replaced by `[redacted]`. A name
 * under an innocent key (`note: "Jane Doe"`) cannot be recognized: that part stays the caller's duty.
 */
export const redacted = '[redacted]';

const limits = { depth: 4, keys: 50, keyLength: 64, items: 50, stringLength: 256 } as const;

const sensitiveWords = new Set([
  'email',
  'emails',
  'mail',
  'phone',
  'phones',
  'mobile',
  'telephone',
  'tel',
  'fax',
  'msisdn',
  'password',
  'passwords',
  'passwd',
  'passphrase',
  'pwd',
  'pin',
  'secret',
  'secrets',
  'token',
  'tokens',
  'cookie',
  'cookies',
  'authorization',
  'bearer',
  'credential',
  'credentials',
  'signature',
  'otp',
  'totp',
  'cvv',
  'ip',
  'ips',
  'addr',
  'address',
  'addresses',
  'street',
  'zip',
  'zipcode',
  'postcode',
  'postal',
  'birthday',
  'birthdate',
  'dob',
  'ssn',
  'iban',
  'passport',
  'surname',
  'username',
  'useragent',
  'latitude',
  'longitude',
]);

const sensitiveCompounds = new Set([
  'apikey',
  'privatekey',
  'secretkey',
  'accesskey',
  'recoverycode',
  'recoverycodes',
  'firstname',
  'lastname',
  'fullname',
  'displayname',
  'givenname',
  'familyname',
  'middlename',
  'nickname',
  'emailaddress',
  'ipaddress',
  'phonenumber',
  'dateofbirth',
  'creditcard',
  'cardnumber',
  'socialsecurity',
  'useragent',
]);

/** A `…name` key is about a person when the word before `name` says so (fieldName is not). */
const personQualifiers = new Set([
  'first',
  'last',
  'full',
  'display',
  'given',
  'family',
  'middle',
  'maiden',
  'legal',
  'real',
  'user',
  'nick',
  'contact',
  'customer',
  'subject',
  'person',
  'holder',
]);

function wordsOf(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** True when a details key names personal data or a secret. */
export function isSensitiveKey(key: string): boolean {
  const words = wordsOf(key);
  if (words.length === 0) return false;
  if (sensitiveCompounds.has(words.join(''))) return true;
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index] as string;
    if (sensitiveWords.has(word)) return true;
    if (index > 0 && sensitiveCompounds.has(`${words[index - 1]}${word}`)) return true;
    if (word === 'name' && (words.length === 1 || personQualifiers.has(words[index - 1] ?? ''))) return true;
  }
  return false;
}

const emailPattern = /[^\s@<>()[\]"',;:]+@[^\s@<>()[\]"',;:]+\.[a-z]{2,}/i;
const secretPatterns = [
  /\beyJ[\w-]{5,}\.[\w-]{5,}\./, // JWT
  /-----BEGIN [A-Z ]+-----/, // PEM key or certificate
  /^\s*(bearer|basic)\s+\S{8,}/i, // Authorization header value
  /\bcst_[A-Za-z0-9_-]{16,}/, // Custos API key
];
const phoneLike = /^\+?[\d\s().-]+$/;
const internationalNumber = /\+\d[\d\s().-]{5,}\d/;
const longDigitRun = /(?<![\w-])\d{9,}(?![\w-])/;

/** True when a string looks like an e-mail or IP address, a phone or card number, or a credential. */
export function looksPersonal(text: string): boolean {
  if (emailPattern.test(text)) return true;
  if (secretPatterns.some((pattern) => pattern.test(text))) return true;
  if (phoneLike.test(text) && text.replace(/\D/g, '').length >= 9) return true;
  if (internationalNumber.test(text) || longDigitRun.test(text)) return true;
  if (text.includes('.') || text.includes(':')) {
    for (const token of text.split(/[\s,;()<>"'[\]/=]+/)) {
      if (token && isIP(token.replace(/%.*$/, '')) !== 0) return true;
    }
  }
  return false;
}

/** Text PostgreSQL can store and JSON can round-trip: no NUL, no lone surrogates, bounded length. */
function storable(text: string, max: number): string {
  const clean = text.replaceAll('\u0000', '').replace(/\p{Surrogate}/gu, '\uFFFD');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** An identifier-like field (target id, purpose, request id): redacted when it looks personal. */
export function scrubText(text: string, max: number): string {
  return looksPersonal(text) ? redacted : storable(text, max);
}

function sanitizeValue(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      return scrubText(value, limits.stringLength);
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'object':
      if (value === null) return null;
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      if (depth >= limits.depth) return '[too deep]';
      if (Array.isArray(value)) {
        return value.slice(0, limits.items).map((item) => sanitizeValue(item, depth + 1) ?? null);
      }
      return sanitizeObject(value as Record<string, unknown>, depth + 1);
    default:
      return undefined;
  }
}

function sanitizeObject(object: Record<string, unknown>, depth: number): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  let kept = 0;
  let dropped = 0;
  for (const [key, value] of Object.entries(object)) {
    if (kept >= limits.keys || key.length > limits.keyLength || looksPersonal(key)) {
      dropped += 1;
      continue;
    }
    const clean = isSensitiveKey(key) ? redacted : sanitizeValue(value, depth);
    if (clean === undefined) continue;
    result[storable(key, limits.keyLength)] = clean;
    kept += 1;
  }
  if (dropped > 0) result._droppedKeys = dropped;
  return result;
}

/** A copy of `details` that is safe to store: plain JSON, bounded, with personal data redacted. */
export function sanitizeDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!details) return {};
  return sanitizeObject(details, 0);
}
