/**
 * Canonical JSON: one byte-exact text per value, so a value hashes and signs the same on every machine.
 * Object keys sorted by UTF-16 code units, no whitespace, strings escaped and numbers written as
 * ECMAScript's JSON.stringify does: the rules of RFC 8785 (JCS) for the values Custos hashes.
 *
 * Only plain data is accepted: objects, arrays, strings, finite numbers, booleans and null. Properties
 * whose value is `undefined` are left out (as JSON.stringify does); anything else (NaN, Infinity,
 * bigint, Date, Map, class instances, functions, `undefined` inside arrays) throws, because its text
 * would be ambiguous or lossy.
 */
export function canonicalJson(value: unknown): string {
  try {
    return write(value);
  } catch (error) {
    if (error instanceof Unwritable)
      throw new CanonicalJsonError(pathTo(value, error.offender), error.reason);
    throw error;
  }
}

export class CanonicalJsonError extends Error {
  constructor(path: string, reason: string) {
    super(`Cannot write canonical JSON at ${path}: ${reason}`);
    this.name = 'CanonicalJsonError';
  }
}

/** Thrown inside the writer; turned into a CanonicalJsonError with the path, found only then. */
class Unwritable {
  constructor(
    readonly offender: unknown,
    readonly reason: string,
  ) {}
}

/** Strings JSON.stringify would copy unchanged between quotes (verification writes many of them). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const plainString = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** A string as JSON text, exactly as JSON.stringify writes it. */
export function quoteJson(text: string): string {
  return plainString.test(text) ? `"${text}"` : JSON.stringify(text);
}

// Plain concatenation and few allocations: verification writes the canonical form of every entry.
function write(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quoteJson(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new Unwritable(value, `${value} has no JSON form`);
      // For finite numbers String() and JSON.stringify() agree (-0 included: both write 0).
      return String(value);
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return writeArray(value);
      return writeObject(value);
    default:
      throw new Unwritable(value, `a ${typeof value} is not JSON data`);
  }
}

function writeArray(items: unknown[]): string {
  let text = '[';
  for (let index = 0; index < items.length; index += 1) {
    const item = items[index];
    if (item === undefined) throw new Unwritable(items, `undefined at index ${index} of an array`);
    if (index > 0) text += ',';
    text += write(item);
  }
  return `${text}]`;
}

function writeObject(object: object): string {
  const prototype = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new Unwritable(object, `a ${object.constructor?.name ?? 'non-plain'} object is not JSON data`);
  }
  const record = object as Record<string, unknown>;
  const keys = Object.keys(record);
  // Default sort compares UTF-16 code units, which is what RFC 8785 asks for. Objects written by Custos
  // itself come with their keys in order already; checking is cheaper than sorting.
  if (!inOrder(keys)) keys.sort();
  let text = '{';
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    text += `${text.length === 1 ? '' : ','}${quotedKey(key)}:${write(item)}`;
  }
  return `${text}}`;
}

/**
 * Object keys come from a small vocabulary (the same few names in every audit entry's details), so their
 * quoted form is remembered; the first few thousand distinct strings only, so memory stays bounded.
 * `quoteWord` does the same for other strings of a small vocabulary (action names, outcomes, types).
 */
const quotedWords = new Map<string, string>();
const maxQuotedWords = 4096;

export function quoteWord(word: string): string {
  let quoted = quotedWords.get(word);
  if (quoted === undefined) {
    quoted = quoteJson(word);
    if (quotedWords.size < maxQuotedWords) quotedWords.set(word, quoted);
  }
  return quoted;
}

const quotedKey = quoteWord;

function inOrder(keys: string[]): boolean {
  for (let index = 1; index < keys.length; index += 1) {
    if ((keys[index - 1] as string) > (keys[index] as string)) return false;
  }
  return true;
}

/** Where `offender` sits inside `root`, as `$.a.b[2]`; only computed to report an error. */
function pathTo(root: unknown, offender: unknown, path = '$'): string {
  if (Object.is(root, offender)) return path;
  if (root && typeof root === 'object') {
    for (const [key, item] of Object.entries(root)) {
      const found = pathTo(item, offender, Array.isArray(root) ? `${path}[${key}]` : `${path}.${key}`);
      if (found !== '') return found;
    }
  }
  return path === '$' ? '$' : '';
}
