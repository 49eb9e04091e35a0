import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';

/**
 * Every migration, in order. Listed explicitly (not read from a directory) so the build, the tests and a
 * bundled install all see the same set. Names never change once released.
 */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
};
