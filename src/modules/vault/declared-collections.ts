import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../../config.js';
import { type CollectionDefinition, ZCollectionDefinition } from './collection-schema.js';

/**
 * Reads collections declared in a JSON file (an array of collection definitions, or `{ "collections":
 * [...] }`). Problems name the file and the path inside it, so a start with a bad file says what to fix.
 */
export function readDeclaredCollections(path: string): CollectionDefinition[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new ConfigError([`CUSTOS_COLLECTIONS_FILE: ${path} cannot be read as JSON`]);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { collections?: unknown })?.collections;
  const result = z.array(ZCollectionDefinition).safeParse(list);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map(
        (issue) => `CUSTOS_COLLECTIONS_FILE: ${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
      ),
    );
  }
  return result.data;
}
