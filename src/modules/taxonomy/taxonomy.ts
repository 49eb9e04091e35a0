import categories from './fideslang/data_categories.json' with { type: 'json' };
import subjects from './fideslang/data_subjects.json' with { type: 'json' };
import uses from './fideslang/data_uses.json' with { type: 'json' };

/** A term of the privacy taxonomy: a data category, a data use or a data subject type. */
export type TaxonomyTerm = {
  key: string;
  name: string;
  description: string;
  parentKey: string | null;
  deprecated: boolean;
};

export type TaxonomyKind = 'data_category' | 'data_use' | 'data_subject';

type FideslangTerm = {
  fides_key: string;
  name: string;
  description: string;
  parent_key?: string | null;
  version_deprecated?: string | null;
};

function termsOf(items: FideslangTerm[]): Map<string, TaxonomyTerm> {
  return new Map(
    items.map((item) => [
      item.fides_key,
      {
        key: item.fides_key,
        name: item.name,
        description: item.description,
        parentKey: item.parent_key ?? null,
        deprecated: Boolean(item.version_deprecated),
      },
    ]),
  );
}

/** The default taxonomy: fideslang (CC BY 4.0, see fideslang/NOTICE.md), loaded once. */
export const defaultTaxonomy: Record<TaxonomyKind, Map<string, TaxonomyTerm>> = {
  data_category: termsOf(categories.data_category as FideslangTerm[]),
  data_use: termsOf(uses.data_use as FideslangTerm[]),
  data_subject: termsOf(subjects.data_subject as FideslangTerm[]),
};

export function isDataCategory(key: string): boolean {
  return defaultTaxonomy.data_category.has(key);
}

/** True when `key` is `ancestor` itself or sits beneath it (`user.contact.email` is within `user.contact`). */
export function isWithin(key: string, ancestor: string): boolean {
  return key === ancestor || key.startsWith(`${ancestor}.`);
}
