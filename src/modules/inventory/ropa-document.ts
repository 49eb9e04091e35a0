/**
 * The RoPA as a printable document: one page per activity, each with the headings of Art. 30(1) (a)–(g)
 * for the controller's register or Art. 30(2) (a)–(d) for the processor's, every heading shown even when
 * its answer is "none recorded", so a reader sees what is missing instead of a silent gap.
 */
import { htmlDocument } from '../../lib/documents/document.js';
import { type Html, html, list } from '../../lib/documents/html.js';
import type { Party } from './inventory-model.js';
import { categoryLabel, legalBasisLabel, periodText, subjectName } from './labels.js';
import type { ControllerRecord, ProcessorRecord, Ropa, RopaMeasure, RopaTransfer } from './ropa.js';

/** The headings as the law names them; tests check every one is on the page. */
export const controllerHeadings = {
  a: '(a) Controller, joint controllers, representative and data protection officer',
  b: '(b) Purposes of the processing',
  c: '(c) Categories of data subjects and of personal data',
  d: '(d) Categories of recipients',
  e: '(e) Transfers to third countries and safeguards',
  f: '(f) Time limits for erasure',
  g: '(g) Technical and organisational security measures',
} as const;

export const processorHeadings = {
  a: '(a) Processor, controllers served, representatives and data protection officer',
  b: '(b) Categories of processing carried out on behalf of each controller',
  c: '(c) Transfers to third countries and safeguards',
  d: '(d) Technical and organisational security measures',
} as const;

function row(label: string, value: Html | string): Html {
  return html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`;
}

function partyText(party: Party | null): string {
  return party ? `${party.name} (${party.contact})` : 'None';
}

function transfersBlock(transfers: RopaTransfer[]): Html {
  return list(
    transfers.map(
      (transfer) =>
        html`${transfer.country}, to ${transfer.recipients.join(', ')}: ${
          transfer.safeguard ?? html`<strong>no safeguard recorded</strong>`
        }`,
    ),
    'No transfers outside the organization’s country and the EEA.',
  );
}

function measuresBlock(measures: RopaMeasure[]): Html {
  return list(
    measures.map(
      (measure) => html`<strong>${measure.name}</strong> (${measure.kind}): ${measure.description}`,
    ),
    'No measures recorded.',
  );
}

function activityTitle(
  register: string,
  record: { name: string; description: string; activityId: string },
): Html {
  return html`<p class="meta">${register}</p>
<h2>${record.name}</h2>
<p>${record.description}</p>
<p class="meta">Activity ${record.activityId}</p>`;
}

function controllerPage(record: ControllerRecord): Html {
  const { controller } = record;
  const retention = [
    ...record.retention.map(
      (entry) =>
        html`${entry.name} (${entry.scope}): ${entry.period ? periodText(entry.period) : 'period of the policy'}`,
    ),
    ...(record.retentionNote ? [record.retentionNote] : []),
  ];
  return html`<section class="page">
${activityTitle('Controller’s register — Art. 30(1) GDPR', record)}
<h3>${controllerHeadings.a}</h3>
<table>
${row('Controller', `${controller.name}, ${controller.address}`)}
${row('Joint controllers', controller.jointControllers.map(partyText).join('; ') || 'None')}
${row('Representative', partyText(controller.representative))}
${row('Data protection officer', controller.dpoContact || 'Not configured')}
</table>
<h3>${controllerHeadings.b}</h3>
${list(
  record.purposes.map(
    (purpose) =>
      html`${purpose.name}: ${
        purpose.legalBasis ? legalBasisLabel(purpose.legalBasis) : html`<strong>no legal basis</strong>`
      }`,
  ),
  'No purpose linked.',
)}
<h3>${controllerHeadings.c}</h3>
<table>
${row('Data subjects', record.dataSubjects.map(subjectName).join(', ') || 'None recorded')}
${row('Personal data', record.dataCategories.map(categoryLabel).join(', ') || 'None recorded')}
</table>
<h3>${controllerHeadings.d}</h3>
${list(
  [
    ...record.recipients.map((recipient) => `${recipient.name} (${recipient.role}, ${recipient.country})`),
    ...record.recipientCategories,
  ],
  'No recipients.',
)}
<h3>${controllerHeadings.e}</h3>
${transfersBlock(record.transfers)}
<h3>${controllerHeadings.f}</h3>
${list(retention, 'No retention period recorded.')}
<h3>${controllerHeadings.g}</h3>
${measuresBlock(record.securityMeasures)}
</section>`;
}

function processorPage(record: ProcessorRecord): Html {
  return html`<section class="page">
${activityTitle('Processor’s register — Art. 30(2) GDPR', record)}
<h3>${processorHeadings.a}</h3>
<table>
${row('Processor', `${record.processor.name}, ${record.processor.address}`)}
${row('Controller', partyText(record.controller))}
${row('Joint controllers', record.jointControllers.map(partyText).join('; ') || 'None')}
${row('Representative', partyText(record.processor.representative))}
${row('Data protection officer', record.processor.dpoContact || 'Not configured')}
</table>
<h3>${processorHeadings.b}</h3>
${list(record.categoriesOfProcessing, 'None recorded.')}
<table>
${row('Personal data', record.dataCategories.map(categoryLabel).join(', ') || 'None recorded')}
${row('Sub-processors', record.subProcessors.map((sub) => `${sub.name} (${sub.country})`).join('; ') || 'None')}
</table>
<h3>${processorHeadings.c}</h3>
${transfersBlock(record.transfers)}
<h3>${processorHeadings.d}</h3>
${measuresBlock(record.securityMeasures)}
</section>`;
}

function activities(count: number): string {
  return count === 1 ? '1 activity' : `${count} activities`;
}

function contents(ropa: Ropa): Html {
  return html`<section>
<h2>Contents</h2>
<p>Controller’s register (Art. 30(1) GDPR): ${activities(ropa.counts.controllerActivities)}.
Processor’s register (Art. 30(2) GDPR): ${activities(ropa.counts.processorActivities)}.</p>
<p>Supervisory authority: ${ropa.organization.supervisoryAuthority || 'not configured'}.
Data protection officer: ${ropa.organization.dpoContact || 'not configured'}.</p>
</section>`;
}

/** The RoPA as a complete HTML document. */
export function ropaHtml(ropa: Ropa): string {
  const body = html`${contents(ropa)}
${ropa.controllerRegister.map(controllerPage)}
${ropa.processorRegister.map(processorPage)}`;
  return htmlDocument(
    {
      title: 'Record of processing activities',
      organization: ropa.organization.controllerName,
      organizationDetails: ropa.organization.address,
      generatedAt: new Date(ropa.generatedAt),
      version: ropa.version,
    },
    body,
  );
}
