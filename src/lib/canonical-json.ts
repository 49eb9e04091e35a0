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
  return write(value, '$');
}

export class CanonicalJsonError extends Error {
  constructor(path: string, reason: string) {
    super(`Cannot write canonical JSON at ${path}: ${reason}`);
    this.name = 'CanonicalJsonError';
  }
}

function write(value: unknown, path: string): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `${value} has no JSON form`);
      return JSON.stringify(value);
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return writeArray(value, path);
      return writeObject(value, path);
    default:
      throw new CanonicalJsonError(path, `a ${typeof value} is not JSON data`);
  }
}

function writeArray(items: unknown[], path: string): string {
  let text = '[';
  for (let index = 0; index < items.length; index += 1) {
    if (items[index] === undefined)
      throw new CanonicalJsonError(`${path}[${index}]`, 'undefined in an array');
    text += `${index === 0 ? '' : ','}${write(items[index], `${path}[${index}]`)}`;
  }
  return `${text}]`;
}

function writeObject(object: object, path: string): string {
  const prototype = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new CanonicalJsonError(
      path,
      `a ${object.constructor?.name ?? 'non-plain'} object is not JSON data`,
    );
  }
  const record = object as Record<string, unknown>;
  // Default sort compares UTF-16 code units, which is what RFC 8785 asks for.
  const keys = Object.keys(record).sort();
  let text = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    text += `${first ? '' : ','}${JSON.stringify(key)}:${write(item, `${path}.${key}`)}`;
    first = false;
  }
  return `${text}}`;
}
