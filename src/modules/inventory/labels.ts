/**
 * Words for the documents people read: taxonomy keys by their names, legal bases by their article, ISO
 * 8601 periods in words. JSON and CSV keep the keys; the printed RoPA and the notice show these.
 */
import { defaultTaxonomy } from '../taxonomy/taxonomy.js';

/** `Name (user.name)`; an organization's own key, not in the taxonomy, as the key alone. */
export function categoryLabel(key: string): string {
  const name = defaultTaxonomy.data_category.get(key)?.name;
  return name ? `${name} (${key})` : key;
}

/** The taxonomy's name of a data category, or the key itself for one of the organization's own. */
export function categoryName(key: string): string {
  return defaultTaxonomy.data_category.get(key)?.name ?? key;
}

export function subjectName(key: string): string {
  return defaultTaxonomy.data_subject.get(key)?.name ?? key;
}

const legalBasisLabels: Record<string, string> = {
  consent: 'Consent, Art. 6(1)(a)',
  contract: 'Contract, Art. 6(1)(b)',
  legal_obligation: 'Legal obligation, Art. 6(1)(c)',
  vital_interests: 'Vital interests, Art. 6(1)(d)',
  public_task: 'Public task, Art. 6(1)(e)',
  legitimate_interests: 'Legitimate interests, Art. 6(1)(f)',
};

export function legalBasisLabel(basis: string): string {
  return legalBasisLabels[basis] ?? basis;
}

const periodUnits: [designator: string, singular: string][] = [
  ['Y', 'year'],
  ['M', 'month'],
  ['W', 'week'],
  ['D', 'day'],
];
const timeUnits: [designator: string, singular: string][] = [
  ['H', 'hour'],
  ['M', 'minute'],
  ['S', 'second'],
];

function partsOf(text: string, units: [string, string][]): string[] {
  return units.flatMap(([designator, singular]) => {
    const amount = new RegExp(`(\\d+)${designator}`).exec(text)?.[1];
    if (amount === undefined) return [];
    return [`${Number(amount)} ${singular}${Number(amount) === 1 ? '' : 's'}`];
  });
}

/** `P2Y6M` as "2 years 6 months"; anything that is not an ISO 8601 duration is shown as it is. */
export function periodText(iso: string): string {
  const match = /^P(?!$)((?:\d+[YMWD])*)(?:T((?:\d+[HMS])+))?$/.exec(iso);
  if (!match) return iso;
  const parts = [...partsOf(match[1] ?? '', periodUnits), ...partsOf(match[2] ?? '', timeUnits)];
  return parts.length > 0 ? parts.join(' ') : iso;
}
