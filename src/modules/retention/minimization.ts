import type { Clock } from '../../lib/clock.js';
import { parseRetentionPeriod, type RetentionPeriod } from './retention-period.js';

/**
 * The minimization audit (GDPR Art. 5(1)(c) and (e)): what Custos holds that nothing seems to need. Each
 * finding names what it is about (ids, names and taxonomy keys only, never values) and a suggested action.
 * Everything is derived through other modules' services:
 * - `unread_field`: a field of a collection that holds records and that no purpose-bound read or
 *   detokenization named within the window (from the audit trail still in the database).
 * - `field_without_purpose`: a field whose data category is not covered by any purpose's data categories
 *   (a purpose's category covers itself and every key beneath it).
 * - `collection_without_retention`: a collection no retention policy names and none of whose fields' data
 *   categories a category policy covers.
 * - `inactive_subjects`: subjects whose last activity (see the vault's subject activity) is older than the
 *   longest period of any retention policy: every rule has run out for them.
 * - `undeclared_category`: a data category held (a field of a collection holding records) that no
 *   processing activity declares; only when the inventory provides its declared categories.
 */
export const findingKinds = [
  'unread_field',
  'field_without_purpose',
  'collection_without_retention',
  'inactive_subjects',
  'undeclared_category',
] as const;
export type FindingKind = (typeof findingKinds)[number];

export const suggestedActions = [
  'stop_collecting_field',
  'declare_purpose_or_remove_field',
  'add_retention_policy',
  'review_inactive_subjects',
  'declare_processing_activity',
] as const;
export type SuggestedAction = (typeof suggestedActions)[number];

export type MinimizationFinding = {
  kind: FindingKind;
  collection: string | null;
  field: string | null;
  category: string | null;
  /** How many records or subjects the finding concerns, where that is known. */
  count: number | null;
  message: string;
  suggestedAction: { code: SuggestedAction; text: string };
};

export type MinimizationReport = {
  generatedAt: Date;
  window: { days: number; since: Date };
  /** The kinds of finding checked (`undeclared_category` only when the inventory is wired). */
  checked: FindingKind[];
  findings: MinimizationFinding[];
};

type CollectionLike = { name: string; fields: readonly { name: string; category: string }[] };

type Deps = {
  clock: Clock;
  collections: () => Promise<readonly CollectionLike[]>;
  recordsPerCollection: () => Promise<Map<string, number>>;
  /** `collection.field` names read within the window (audit trail). */
  fieldsReadSince: (since: Date) => Promise<Set<string>>;
  purposes: () => Promise<readonly { key: string; data_categories: readonly string[] }[]>;
  retentionPolicies: () => Promise<
    readonly { collection: string | null; data_category: string | null; duration: string | null }[]
  >;
  inactiveSubjects: (
    before: Date,
    sample: number,
  ) => Promise<{ count: number; sample: string[]; oldest: Date | null }>;
  /** The data categories processing activities declare (the inventory); the finding is left out without it. */
  declaredCategories?: (() => Promise<Set<string>>) | undefined;
};

const dayMs = 86_400_000;
const inactiveSample = 20;

/** Whether `category` is `key` or beneath it in the taxonomy (`user.contact` covers `user.contact.email`). */
export function categoryCovers(key: string, category: string): boolean {
  return category === key || category.startsWith(`${key}.`);
}

/** `at` moved back by a period (the earliest of two such dates is the longer period's). */
function before(at: Date, period: RetentionPeriod): Date {
  const moved = new Date(at);
  moved.setUTCFullYear(moved.getUTCFullYear() - period.years, moved.getUTCMonth() - period.months);
  return new Date(moved.getTime() - period.days * dayMs);
}

function finding(
  kind: FindingKind,
  about: Partial<Pick<MinimizationFinding, 'collection' | 'field' | 'category' | 'count'>>,
  message: string,
  code: SuggestedAction,
  text: string,
): MinimizationFinding {
  return {
    kind,
    collection: about.collection ?? null,
    field: about.field ?? null,
    category: about.category ?? null,
    count: about.count ?? null,
    message,
    suggestedAction: { code, text },
  };
}

/** The minimization audit over the vault, consent purposes, retention policies and the audit trail. */
export function minimizationAudit(deps: Deps) {
  function unreadFields(
    collections: readonly CollectionLike[],
    held: Map<string, number>,
    read: Set<string>,
    days: number,
  ) {
    return collections.flatMap((collection) => {
      const records = held.get(collection.name) ?? 0;
      if (records === 0) return [];
      return collection.fields
        .filter((field) => !read.has(`${collection.name}.${field.name}`))
        .map((field) =>
          finding(
            'unread_field',
            { collection: collection.name, field: field.name, category: field.category, count: records },
            `No purpose-bound read or detokenization named ${collection.name}.${field.name} in the last ${days} days, though ${records} record(s) hold the collection.`,
            'stop_collecting_field',
            'If nothing needs this field, stop collecting it and remove it from the collection (its values are dropped); otherwise record why it is kept.',
          ),
        );
    });
  }

  function fieldsWithoutPurpose(collections: readonly CollectionLike[], covered: readonly string[]) {
    return collections.flatMap((collection) =>
      collection.fields
        .filter((field) => !covered.some((key) => categoryCovers(key, field.category)))
        .map((field) =>
          finding(
            'field_without_purpose',
            { collection: collection.name, field: field.name, category: field.category },
            `No purpose's data categories cover ${field.category}, the category of ${collection.name}.${field.name}.`,
            'declare_purpose_or_remove_field',
            'Name the purpose this field is collected for (add its data category to that purpose), or stop collecting it.',
          ),
        ),
    );
  }

  function collectionsWithoutRetention(
    collections: readonly CollectionLike[],
    policies: Awaited<ReturnType<Deps['retentionPolicies']>>,
    held: Map<string, number>,
  ) {
    const named = new Set(policies.map((policy) => policy.collection).filter((name) => name !== null));
    const categories = policies.map((policy) => policy.data_category).filter((key) => key !== null);
    return collections
      .filter(
        (collection) =>
          !named.has(collection.name) &&
          !collection.fields.some((field) => categories.some((key) => categoryCovers(key, field.category))),
      )
      .map((collection) =>
        finding(
          'collection_without_retention',
          { collection: collection.name, count: held.get(collection.name) ?? 0 },
          `No retention policy covers ${collection.name}: nothing says how long its records are kept.`,
          'add_retention_policy',
          'Add a retention policy for this collection (or its data categories) with its legal ground and period.',
        ),
      );
  }

  async function inactiveSubjects(policies: Awaited<ReturnType<Deps['retentionPolicies']>>, now: Date) {
    const cutoffs = policies
      .map((policy) => (policy.duration === null ? undefined : parseRetentionPeriod(policy.duration)))
      .filter((period) => period !== undefined)
      .map((period) => before(now, period));
    if (cutoffs.length === 0) return [];
    const cutoff = new Date(Math.min(...cutoffs.map((date) => date.getTime())));
    const inactive = await deps.inactiveSubjects(cutoff, inactiveSample);
    if (inactive.count === 0) return [];
    return [
      finding(
        'inactive_subjects',
        { count: inactive.count },
        `${inactive.count} subject(s) show no activity since ${cutoff.toISOString().slice(0, 10)}, longer than the longest retention period of any policy; for example ${inactive.sample.join(', ')}.`,
        'review_inactive_subjects',
        'Review these subjects: erase (shred) those no obligation still covers, or add the retention policy that keeps them.',
      ),
    ];
  }

  async function undeclaredCategories(
    declared: () => Promise<Set<string>>,
    collections: readonly CollectionLike[],
    held: Map<string, number>,
  ) {
    const keys = [...(await declared())];
    const heldBy = new Map<string, Set<string>>();
    for (const collection of collections) {
      if ((held.get(collection.name) ?? 0) === 0) continue;
      for (const field of collection.fields) {
        heldBy.set(field.category, (heldBy.get(field.category) ?? new Set()).add(collection.name));
      }
    }
    return [...heldBy]
      .filter(([category]) => !keys.some((key) => categoryCovers(key, category)))
      .map(([category, names]) =>
        finding(
          'undeclared_category',
          { category, count: names.size },
          `Data of category ${category} is held (${[...names].sort().join(', ')}) but no processing activity declares it.`,
          'declare_processing_activity',
          'Declare the processing activity this data serves in the inventory (RoPA), or stop holding it.',
        ),
      );
  }

  /** Every finding; `days` is the window for reads (1 to 3650). */
  async function report(days: number): Promise<MinimizationReport> {
    const now = deps.clock.now();
    const since = new Date(now.getTime() - days * dayMs);
    const [collections, held, read, purposes, policies] = await Promise.all([
      deps.collections(),
      deps.recordsPerCollection(),
      deps.fieldsReadSince(since),
      deps.purposes(),
      deps.retentionPolicies(),
    ]);
    const covered = purposes.flatMap((purpose) => purpose.data_categories);
    const findings = [
      ...unreadFields(collections, held, read, days),
      ...fieldsWithoutPurpose(collections, covered),
      ...collectionsWithoutRetention(collections, policies, held),
      ...(await inactiveSubjects(policies, now)),
      ...(deps.declaredCategories
        ? await undeclaredCategories(deps.declaredCategories, collections, held)
        : []),
    ];
    const checked = findingKinds.filter((kind) => kind !== 'undeclared_category' || deps.declaredCategories);
    return { generatedAt: now, window: { days, since }, checked, findings };
  }

  return { report };
}

export type MinimizationAudit = ReturnType<typeof minimizationAudit>;
