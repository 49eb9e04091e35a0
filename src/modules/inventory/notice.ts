/**
 * A privacy notice draft (GDPR Art. 13/14) written from the data map: who the controller is, the DPO,
 * the purposes with their legal bases, recipients, transfers, retention, the rights, the right to
 * complain and automated decision-making. Only the controller's own activities count (what is done as a
 * processor belongs in the notices of the controllers served). It is a draft: it says so at its top, and
 * the team edits it before anyone reads it as the organization's notice.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../lib/canonical-json.js';
import { htmlDocument } from '../../lib/documents/document.js';
import { type Html, html, list } from '../../lib/documents/html.js';
import type { DataMap, OrganizationProfile } from './inventory-model.js';
import { mapIndex, resolveAll } from './inventory-resolve.js';
import { categoryName, periodText } from './labels.js';

export const draftNotice =
  'DRAFT generated from the data map for the privacy team to edit. It is not a finished privacy notice: check every statement, complete what is marked, and publish only the edited text.';

export type NoticePurpose = {
  name: string;
  description: string;
  legalBasis: string | null;
  /** The names of the data categories, as a reader understands them. */
  dataCategories: string[];
  automatedDecisions: boolean;
};

export type NoticeContent = {
  organization: Omit<OrganizationProfile, 'updatedAt'>;
  generatedAt: Date;
  version: string;
  purposes: NoticePurpose[];
  recipients: string[];
  transfers: { country: string; safeguards: string[] }[];
  retention: { activity: string; periods: string[] }[];
};

/** What each legal basis means for the reader, in plain words (Art. 13(1)(c), 13(2)(c)). */
const legalBasisWords: Record<string, string> = {
  consent:
    'your consent (Art. 6(1)(a) GDPR); you may withdraw it at any time, without affecting what was done before',
  contract: 'the performance of a contract with you, or steps you asked for before one (Art. 6(1)(b) GDPR)',
  legal_obligation: 'a legal obligation we are subject to (Art. 6(1)(c) GDPR)',
  vital_interests: 'the protection of your vital interests or those of another person (Art. 6(1)(d) GDPR)',
  public_task: 'a task carried out in the public interest or in official authority (Art. 6(1)(e) GDPR)',
  legitimate_interests: 'our legitimate interests (Art. 6(1)(f) GDPR) [to complete: name the interests]',
};

export const rights = [
  'to access the personal data we hold about you (Art. 15)',
  'to have inaccurate data rectified (Art. 16)',
  'to have your data erased (Art. 17)',
  'to restrict the processing (Art. 18)',
  'to receive your data in a portable format (Art. 20)',
  'to object to processing based on legitimate interests or for direct marketing (Art. 21)',
  'to withdraw your consent at any time, where processing rests on it (Art. 7(3))',
];

function legalBasisText(basis: string | null): string {
  if (basis === null) return '[to complete: no legal basis recorded]';
  return legalBasisWords[basis] ?? basis;
}

/** The facts of the notice, gathered once for both renderings. */
export function noticeContent(map: DataMap): NoticeContent {
  const index = mapIndex(map);
  const resolved = resolveAll(index).filter((entry) => entry.activity.role === 'controller');
  const purposes = new Map<string, NoticePurpose>();
  const recipients = new Set<string>();
  const transfers = new Map<string, Set<string>>();
  for (const entry of resolved) {
    for (const purpose of entry.purposes) {
      const known = purposes.get(purpose.key) ?? {
        name: purpose.name,
        description: index.purposes.get(purpose.key)?.description ?? '',
        legalBasis: purpose.legalBasis,
        dataCategories: [],
        automatedDecisions: purpose.automatedDecisions,
      };
      const categories = new Set([
        ...known.dataCategories,
        ...entry.dataCategories.map((category) => categoryName(category.value)),
      ]);
      purposes.set(purpose.key, { ...known, dataCategories: [...categories] });
    }
    for (const recipient of entry.recipients) recipients.add(`${recipient.name} (${recipient.country})`);
    for (const category of entry.recipientCategories) recipients.add(category);
    for (const transfer of entry.transfers) {
      const safeguards = transfers.get(transfer.country) ?? new Set<string>();
      if (transfer.safeguard) safeguards.add(transfer.safeguard);
      transfers.set(transfer.country, safeguards);
    }
  }
  const { updatedAt: _updatedAt, ...organization } = map.organization;
  const content = {
    organization,
    purposes: [...purposes.values()],
    recipients: [...recipients].sort(),
    transfers: [...transfers].map(([country, safeguards]) => ({ country, safeguards: [...safeguards] })),
    retention: resolved.map((entry) => ({
      activity: entry.activity.name,
      periods: [
        ...entry.retention.map(
          (period) =>
            `${period.period ? periodText(period.period) : 'the period of the policy'} (${period.scope})`,
        ),
        ...(entry.retentionNote ? [entry.retentionNote] : []),
      ],
    })),
  };
  const version = createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 12);
  return { ...content, generatedAt: map.generatedAt, version };
}

function automated(content: NoticeContent): string[] {
  return content.purposes.filter((purpose) => purpose.automatedDecisions).map((purpose) => purpose.name);
}

function htmlBody(content: NoticeContent): Html {
  const { organization } = content;
  const decisions = automated(content);
  return html`<section>
<h2>Who is responsible for your data</h2>
<p>${organization.controllerName}, ${organization.address}.</p>
${organization.representative ? html`<p>Our representative in the EU: ${organization.representative.name} (${organization.representative.contact}).</p>` : ''}
<h2>Data protection officer</h2>
<p>${organization.dpoContact || '[to complete: no data protection officer contact configured]'}</p>
<h2>What we process, why, and on what legal basis</h2>
${content.purposes.map(
  (purpose) => html`<h3>${purpose.name}</h3>
${purpose.description ? html`<p>${purpose.description}</p>` : ''}
<p>Legal basis: ${legalBasisText(purpose.legalBasis)}.</p>
<p>Data used: ${purpose.dataCategories.join(', ') || '[to complete]'}.</p>`,
)}
${content.purposes.length === 0 ? html`<p class="none">No purposes recorded yet.</p>` : ''}
<h2>Who receives your data</h2>
${list(content.recipients, 'We do not share your data with recipients outside our organization.')}
<h2>Transfers outside the European Economic Area</h2>
${list(
  content.transfers.map(
    (transfer) =>
      html`${transfer.country}: ${transfer.safeguards.join('; ') || '[to complete: no safeguard recorded]'}`,
  ),
  'We do not transfer your data outside the European Economic Area.',
)}
<h2>How long we keep your data</h2>
${list(
  content.retention.map((entry) => html`${entry.activity}: ${entry.periods.join('; ') || '[to complete]'}`),
  'No retention periods recorded yet.',
)}
<h2>Your rights</h2>
<p>You have the right:</p>
${list(rights, '')}
<p>To use them, contact ${organization.dpoContact || organization.controllerName}.</p>
<h2>Your right to complain</h2>
<p>You may lodge a complaint with a supervisory authority, in particular where you live or work or where you think your rights were infringed. Ours is: ${organization.supervisoryAuthority || '[to complete: supervisory authority]'}.</p>
<h2>Automated decision-making</h2>
${
  decisions.length > 0
    ? html`<p>We make decisions by automated means, including profiling, for: ${decisions.join(', ')}. [To complete: the logic involved and the significance and consequences for you (Art. 13(2)(f)).]</p>`
    : html`<p>None of our purposes involves decisions based solely on automated processing with legal or similarly significant effects.</p>`
}
</section>`;
}

/** The notice draft as a complete HTML document. */
export function noticeHtml(content: NoticeContent): string {
  return htmlDocument(
    {
      title: 'Privacy notice (draft)',
      organization: content.organization.controllerName,
      organizationDetails: content.organization.address,
      generatedAt: content.generatedAt,
      version: content.version,
      notice: draftNotice,
    },
    htmlBody(content),
  );
}

/** Text made inert in Markdown: characters that would start markup or a link are escaped, lines joined. */
export function markdownText(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(/[\\`*_[\]<>#|~!]/g, (character) => `\\${character}`);
}

function bullets(items: string[], emptyText: string): string {
  if (items.length === 0) return `${markdownText(emptyText)}\n`;
  return items.map((item) => `- ${markdownText(item)}\n`).join('');
}

/** The notice draft as Markdown, every value from the map escaped. */
export function noticeMarkdown(content: NoticeContent): string {
  const { organization } = content;
  const m = markdownText;
  const decisions = automated(content);
  const out = [
    `# Privacy notice (draft) — ${m(organization.controllerName)}\n\n`,
    `> **${m(draftNotice)}**\n\n`,
    `Generated ${content.generatedAt.toISOString().slice(0, 10)} · Version ${content.version}\n\n`,
    '## Who is responsible for your data\n\n',
    `${m(organization.controllerName)}, ${m(organization.address)}.\n\n`,
    organization.representative
      ? `Our representative in the EU: ${m(organization.representative.name)} (${m(organization.representative.contact)}).\n\n`
      : '',
    '## Data protection officer\n\n',
    `${m(organization.dpoContact || '[to complete: no data protection officer contact configured]')}\n\n`,
    '## What we process, why, and on what legal basis\n\n',
    ...content.purposes.map(
      (purpose) =>
        `### ${m(purpose.name)}\n\n${purpose.description ? `${m(purpose.description)}\n\n` : ''}Legal basis: ${m(
          legalBasisText(purpose.legalBasis),
        )}.\n\nData used: ${m(purpose.dataCategories.join(', ') || '[to complete]')}.\n\n`,
    ),
    content.purposes.length === 0 ? 'No purposes recorded yet.\n\n' : '',
    '## Who receives your data\n\n',
    bullets(content.recipients, 'We do not share your data with recipients outside our organization.'),
    '\n## Transfers outside the European Economic Area\n\n',
    bullets(
      content.transfers.map(
        (transfer) =>
          `${transfer.country}: ${transfer.safeguards.join('; ') || '[to complete: no safeguard recorded]'}`,
      ),
      'We do not transfer your data outside the European Economic Area.',
    ),
    '\n## How long we keep your data\n\n',
    bullets(
      content.retention.map((entry) => `${entry.activity}: ${entry.periods.join('; ') || '[to complete]'}`),
      'No retention periods recorded yet.',
    ),
    '\n## Your rights\n\nYou have the right:\n\n',
    bullets(rights, ''),
    `\nTo use them, contact ${m(organization.dpoContact || organization.controllerName)}.\n\n`,
    '## Your right to complain\n\n',
    `You may lodge a complaint with a supervisory authority, in particular where you live or work or where you think your rights were infringed. Ours is: ${m(
      organization.supervisoryAuthority || '[to complete: supervisory authority]',
    )}.\n\n`,
    '## Automated decision-making\n\n',
    decisions.length > 0
      ? `We make decisions by automated means, including profiling, for: ${m(decisions.join(', '))}. \\[To complete: the logic involved and the significance and consequences for you (Art. 13(2)(f)).\\]\n`
      : 'None of our purposes involves decisions based solely on automated processing with legal or similarly significant effects.\n',
  ];
  return out.join('');
}
