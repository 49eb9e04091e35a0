import type { OrganizationProfile } from '../inventory/inventory-model.js';
import type { BreachFacts } from './breach-schemas.js';
import type { BreachRow } from './breach-store.js';

/** The notice to an individual: one subject line and a text, the same for every recipient. */
export type IndividualNotice = { subject: string; text: string };

const categoryWords: Record<string, string> = {
  'user.contact': 'contact details',
  'user.financial': 'financial information',
  'user.health_and_medical': 'health information',
  'user.authorization': 'login credentials',
  'user.government_id': 'identity documents or numbers',
  'user.location': 'location information',
  'user.name': 'your name',
  'user.demographic': 'personal details such as age or gender',
  'user.behavior': 'information about how you use our services',
};

/** "contact details, financial information": taxonomy keys in words, the nearest known ancestor wins. */
function categoriesInWords(keys: readonly string[]): string[] {
  const words = new Set<string>();
  for (const key of keys) {
    const match = Object.keys(categoryWords)
      .filter((prefix) => key === prefix || key.startsWith(`${prefix}.`))
      .sort((a, b) => b.length - a.length)[0];
    words.add(match ? (categoryWords[match] as string) : 'other personal information');
  }
  return [...words];
}

/**
 * The Art. 34(2) notice in clear and plain language: what happened, the DPO's contact, the likely
 * consequences and the measures taken, plus the team's advice on what people can do themselves. No
 * per-recipient detail: the same text goes to everyone, so no one's data sits in anyone else's mail.
 */
export function individualNoticeOf(
  breach: BreachRow,
  organization: OrganizationProfile,
  advice: string,
): IndividualNotice {
  const facts = breach.facts as BreachFacts;
  const categories = categoriesInWords(facts.dataCategories ?? []);
  const paragraphs = [
    'Hello,',
    `We are writing to tell you about a security incident at ${organization.controllerName} that involved some of your personal information.`,
    `What happened: ${facts.description || breach.title}`,
    categories.length > 0 ? `The information involved: ${categories.join(', ')}.` : '',
    facts.consequences ? `What this could mean for you: ${facts.consequences}` : '',
    facts.measures ? `What we have done: ${facts.measures}` : '',
    advice ? `What you can do: ${advice}` : '',
    `If you have questions, contact our data protection officer: ${organization.dpoContact}.`,
    `You also have the right to lodge a complaint with the supervisory authority${organization.supervisoryAuthority ? ` (${organization.supervisoryAuthority})` : ''}.`,
    `${organization.controllerName}`,
  ];
  return {
    subject: `Important: a security incident involving your information at ${organization.controllerName}`,
    text: `${paragraphs.filter(Boolean).join('\n\n')}\n`,
  };
}
