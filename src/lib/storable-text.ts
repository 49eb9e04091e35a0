/**
 * Text PostgreSQL can store. `text` and `jsonb` refuse the NUL character (the statement fails, which used
 * to surface as a 500), and a UTF-16 surrogate without its pair has no UTF-8 form at all: the driver would
 * silently store U+FFFD instead. Every input that can reach the database is checked against this one rule.
 */
const unstorable = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const unstorableTextMessage = 'must not contain NUL characters or unpaired UTF-16 surrogates';

export function isStorableText(text: string): boolean {
  return !unstorable.test(text);
}

/** Only parsed JSON-like data is walked: streams, buffers and other objects are someone else's to check. */
function isWalkable(value: unknown): value is Record<string, unknown> | unknown[] {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  // Plain objects, and dictionaries built on a prototype-less prototype (the query-string parser's).
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null || Object.getPrototypeOf(prototype) === null;
}

const maxReported = 20;

/**
 * Where a parsed input (a JSON body, a query or params object) holds a string or an object key that
 * cannot be stored, as dot-joined paths (`contact.name`, `items.2`; `(root)` for the value itself). At
 * most twenty are listed. The walk uses its own stack, so however deep the nesting it cannot overflow.
 */
export function unstorableStringPaths(input: unknown): string[] {
  const found: string[] = [];
  const pending: { value: unknown; path: string }[] = [{ value: input, path: '' }];
  while (pending.length > 0 && found.length < maxReported) {
    const { value, path } = pending.pop() as { value: unknown; path: string };
    if (typeof value === 'string') {
      if (!isStorableText(value)) found.push(path || '(root)');
      continue;
    }
    if (!isWalkable(value)) continue;
    const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
    for (const [key, item] of entries) {
      const itemPath = path ? `${path}.${key}` : String(key);
      // A key is never echoed: the path names the object that holds it.
      if (typeof key === 'string' && !isStorableText(key)) found.push(path ? `${path} (a key)` : '(a key)');
      else pending.push({ value: item, path: itemPath });
    }
  }
  return found.sort();
}
