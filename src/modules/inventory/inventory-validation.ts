import { AppError, type FieldError } from '../../lib/app-error.js';
import { isCountryCode, isRegionCode } from '../../lib/countries.js';
import { defaultTaxonomy } from '../taxonomy/taxonomy.js';
import { isKnownCategory } from '../vault/collection-schema.js';

/**
 * What the inventory checks beyond the shape of its input: taxonomy keys, country codes, links to entries
 * that exist, sub-processor chains without cycles. Every problem is collected with its path, so one answer
 * lists them all, and nothing is written while there is one.
 */
export function problemList() {
  const errors: FieldError[] = [];
  const add = (path: string, message: string) => errors.push({ in: 'body', path, message });

  function each(path: string, values: readonly string[], valid: (value: string) => boolean, message: string) {
    values.forEach((value, index) => {
      if (!valid(value)) add(`${path}.${index}`, message);
    });
  }

  return {
    add,
    dataCategories: (path: string, keys: readonly string[]) =>
      each(path, keys, isKnownCategory, 'is not a data category of the taxonomy'),
    dataSubjects: (path: string, keys: readonly string[]) =>
      each(
        path,
        keys,
        (key) => defaultTaxonomy.data_subject.has(key),
        'is not a data subject of the taxonomy',
      ),
    countries: (path: string, codes: readonly string[]) =>
      each(path, codes, isCountryCode, 'is not an ISO 3166-1 alpha-2 country code'),
    country: (path: string, code: string | null | undefined) => {
      if (code != null && !isCountryCode(code)) add(path, 'is not an ISO 3166-1 alpha-2 country code');
    },
    places: (path: string, codes: readonly string[]) =>
      each(
        path,
        codes,
        (code) => isCountryCode(code) || isRegionCode(code),
        'is neither an ISO 3166-1 alpha-2 country code nor a region (EEA)',
      ),
    /** Each value must be one of `known`; `what` names the kind of entry in the message. */
    references: (path: string, values: readonly string[], known: ReadonlySet<string>, what: string) =>
      each(path, values, (value) => known.has(value), `names no ${what}`),
    reference: (path: string, value: string | null | undefined, known: ReadonlySet<string>, what: string) => {
      if (value != null && !known.has(value)) add(path, `names no ${what}`);
    },
    get count() {
      return errors.length;
    },
    /** Throws one problem listing every error, if there is any. */
    throwIfAny(detail: string): void {
      if (errors.length > 0) throw new AppError('validation_failed', detail, { errors });
    },
  };
}

export type ProblemList = ReturnType<typeof problemList>;

/** The entries of a parent relation that sit on a cycle (a processor engaging, through others, itself). */
export function entriesOnCycles(parents: ReadonlyMap<string, string | null>): Set<string> {
  const onCycle = new Set<string>();
  for (const start of parents.keys()) {
    const seen = new Set<string>();
    let current: string | null | undefined = start;
    while (current != null && !seen.has(current)) {
      seen.add(current);
      current = parents.get(current);
    }
    if (current === start) onCycle.add(start);
  }
  return onCycle;
}
