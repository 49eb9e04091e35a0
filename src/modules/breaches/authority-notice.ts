import { htmlDocument } from '../../lib/documents/document.js';
import { type Html, html, list } from '../../lib/documents/html.js';
import type { OrganizationProfile } from '../inventory/inventory-model.js';
import type { BreachFacts } from './breach-schemas.js';
import type { BreachRow, BreachTaskRow } from './breach-store.js';
import type { NoticePhase } from './breach-tables.js';

/** The part of the data map a notice names: the organization, and systems and processors by name. */
export type NoticeDataMap = {
  organization: OrganizationProfile;
  systems: { id: string; name: string }[];
  processors: { id: string; name: string }[];
};

/**
 * A notice to the supervisory authority as generated for one phase (Art. 33(3) contents, Art. 33(4)
 * phases): a snapshot, stored as it is, from which the JSON, HTML and PDF are all rendered.
 */
export type AuthorityNoticeDocument = {
  breachId: string;
  version: number;
  phase: NoticePhase;
  generatedAt: string;
  controller: { name: string; address: string; country: string | null; representative: string | null };
  dpoContact: string;
  supervisoryAuthority: string;
  breach: {
    title: string;
    status: string;
    description: string;
    nature: string[];
    occurredFrom: string | null;
    occurredUntil: string | null;
    awareAt: string;
    deadlineAt: string;
    discovery: string;
    processorNotice: { processor: string | null; receivedAt: string; reference: string } | null;
  };
  subjects: { types: string[]; count: number | null; approximate: boolean };
  records: { count: number | null; approximate: boolean };
  dataCategories: string[];
  systems: string[];
  processors: string[];
  crossBorder: { countries: string[]; leadAuthority: string | null } | null;
  consequences: string;
  measures: string;
  containment: { title: string; status: string }[];
  risk: { severity: string | null; individualsNotified: boolean | null };
  /** Set when the notice goes out after the 72 hours: why (Art. 33(1)). */
  lateReasons: string | null;
  /** What was submitted before this phase. */
  earlierPhases: {
    version: number;
    phase: NoticePhase;
    submittedAt: string | null;
    reference: string | null;
  }[];
};

const iso = (at: Date | null) => (at ? at.toISOString() : null);
const named = (ids: string[] | undefined, entries: { id: string; name: string }[]) =>
  (ids ?? []).map((id) => entries.find((entry) => entry.id === id)?.name ?? id);

/** Builds the notice for one phase from the breach as it stands and the organization profile. */
export function authorityNoticeOf(input: {
  breach: BreachRow;
  tasks: BreachTaskRow[];
  map: NoticeDataMap;
  version: number;
  phase: NoticePhase;
  earlier: AuthorityNoticeDocument['earlierPhases'];
  now: Date;
}): AuthorityNoticeDocument {
  const { breach, map } = input;
  const facts = breach.facts as BreachFacts;
  const organization = map.organization;
  return {
    breachId: breach.id,
    version: input.version,
    phase: input.phase,
    generatedAt: input.now.toISOString(),
    controller: {
      name: organization.controllerName,
      address: organization.address,
      country: organization.country,
      representative: organization.representative
        ? `${organization.representative.name} (${organization.representative.contact})`
        : null,
    },
    dpoContact: organization.dpoContact,
    supervisoryAuthority: organization.supervisoryAuthority,
    breach: {
      title: breach.title,
      status: breach.status,
      description: facts.description ?? '',
      nature: facts.nature ?? [],
      occurredFrom: iso(breach.occurred_from),
      occurredUntil: iso(breach.occurred_until),
      awareAt: breach.aware_at.toISOString(),
      deadlineAt: breach.deadline_at.toISOString(),
      discovery: breach.discovery,
      processorNotice: facts.processorNotice
        ? {
            processor: facts.processorNotice.processorId
              ? (named([facts.processorNotice.processorId], map.processors)[0] ?? null)
              : null,
            receivedAt: facts.processorNotice.receivedAt,
            reference: facts.processorNotice.reference,
          }
        : null,
    },
    subjects: {
      types: facts.subjectTypes ?? [],
      count: facts.subjectsCount ?? null,
      approximate: facts.subjectsApproximate ?? false,
    },
    records: { count: facts.recordsCount ?? null, approximate: facts.recordsApproximate ?? false },
    dataCategories: facts.dataCategories ?? [],
    systems: named(facts.systemIds, map.systems),
    processors: named(facts.processorIds, map.processors),
    crossBorder: facts.crossBorder ?? null,
    consequences: facts.consequences ?? '',
    measures: facts.measures ?? '',
    containment: input.tasks
      .filter((task) => task.status !== 'cancelled')
      .map((task) => ({ title: task.title, status: task.status })),
    risk: { severity: breach.severity, individualsNotified: breach.notify_individuals },
    lateReasons: breach.late_reasons,
    earlierPhases: input.earlier,
  };
}

const phaseNames: Record<NoticePhase, string> = {
  initial: 'Initial notification',
  follow_up: 'Follow-up notification (Art. 33(4))',
  final: 'Final notification',
};

const orUnknown = (text: string | null | undefined) => (text ? text : 'Not known yet');
const count = (value: number | null, approximate: boolean) =>
  value === null ? 'Not known yet' : `${approximate ? 'About ' : ''}${value.toLocaleString('en-GB')}`;

function row(label: string, value: Html | string): Html {
  return html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`;
}

/** The notice as a printable HTML document, through the one document renderer. */
export function authorityNoticeHtml(notice: AuthorityNoticeDocument): string {
  const { breach } = notice;
  const body = html`
<section class="page">
<h2>${phaseNames[notice.phase]} to ${orUnknown(notice.supervisoryAuthority)}</h2>
<table>
${row('Controller', [notice.controller.name, notice.controller.address].filter(Boolean).join(', '))}
${notice.controller.representative ? row('Representative (Art. 27)', notice.controller.representative) : ''}
${row('Data protection officer (Art. 33(3)(b))', orUnknown(notice.dpoContact))}
${row('Breach reference', notice.breachId)}
</table>
<h2>The breach (Art. 33(3)(a))</h2>
<table>
${row('Title', breach.title)}
${row('What happened', orUnknown(breach.description))}
${row('Nature', breach.nature.length > 0 ? breach.nature.join(', ') : 'Not known yet')}
${row('Occurred', `${orUnknown(breach.occurredFrom)} – ${orUnknown(breach.occurredUntil)}`)}
${row('The controller became aware', breach.awareAt)}
${row('Notification due by', breach.deadlineAt)}
${row('Discovered through', breach.discovery.replace('_', ' '))}
${breach.processorNotice ? row('Processor’s notice (Art. 33(2))', `${breach.processorNotice.processor ?? 'A processor'}, received ${breach.processorNotice.receivedAt}, reference ${breach.processorNotice.reference}`) : ''}
${row('Categories of data subjects', list(notice.subjects.types, 'Not known yet'))}
${row('Approximate number of data subjects', count(notice.subjects.count, notice.subjects.approximate))}
${row('Categories of personal data', list(notice.dataCategories, 'Not known yet'))}
${row('Approximate number of records', count(notice.records.count, notice.records.approximate))}
${row('Systems involved', list(notice.systems, 'None named'))}
${row('Processors involved', list(notice.processors, 'None named'))}
${notice.crossBorder ? row('Member states affected', `${notice.crossBorder.countries.join(', ')}${notice.crossBorder.leadAuthority ? ` (lead authority: ${notice.crossBorder.leadAuthority})` : ''}`) : ''}
</table>
<h2>Likely consequences (Art. 33(3)(c))</h2>
<p>${orUnknown(notice.consequences)}</p>
<h2>Measures taken or proposed (Art. 33(3)(d))</h2>
<p>${orUnknown(notice.measures)}</p>
${list(
  notice.containment.map((task) => `${task.title} (${task.status})`),
  'No containment tasks recorded.',
)}
<h2>Risk and the individuals</h2>
<table>
${row('Severity assessed', orUnknown(notice.risk.severity))}
${row('Individuals to be told (Art. 34)', notice.risk.individualsNotified === null ? 'Not decided yet' : notice.risk.individualsNotified ? 'Yes' : 'No')}
</table>
${notice.lateReasons ? html`<h2>Reasons for the delay (Art. 33(1))</h2><p>${notice.lateReasons}</p>` : ''}
${
  notice.earlierPhases.length > 0
    ? html`<h2>Earlier notifications</h2>${list(
        notice.earlierPhases.map(
          (phase) =>
            `Version ${phase.version} (${phase.phase}): ${phase.submittedAt ? `submitted ${phase.submittedAt}, reference ${phase.reference}` : 'not submitted'}`,
        ),
        '',
      )}`
    : ''
}
</section>`;
  return htmlDocument(
    {
      title: 'Personal data breach notification',
      organization: notice.controller.name,
      organizationDetails: notice.controller.address || undefined,
      generatedAt: new Date(notice.generatedAt),
      version: String(notice.version),
      ...(notice.phase === 'initial' && !notice.breach.description
        ? { notice: 'Information not yet known will follow in phases (Art. 33(4)).' }
        : {}),
    },
    body,
  );
}
