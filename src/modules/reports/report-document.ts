import { htmlDocument } from '../../lib/documents/document.js';
import { type Html, type HtmlValue, html, list } from '../../lib/documents/html.js';
import type { Recommendation } from './compliance-report.js';

/** The stored report: what the JSON download is, and what the HTML and PDF are rendered from. */
export type ComplianceReportDocument = {
  id: string;
  title: string;
  organization: string;
  generatedAt: string;
  period: { from: string; to: string };
  // biome-ignore lint/suspicious/noExplicitAny: sections are plain JSON, read by name below
  sections: Record<string, any>;
  recommendations: Recommendation[];
};

const day = (at: string | null | undefined) => (at ? at.slice(0, 10) : '—');
const value = (v: unknown, suffix = '') => (v === null || v === undefined ? '—' : `${v}${suffix}`);

function table(headers: string[], rows: HtmlValue[][], empty: string): Html {
  if (rows.length === 0) return html`<p class="none">${empty}</p>`;
  return html`<table><thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map((row) => html`<tr>${row.map((cell) => html`<td>${cell}</td>`)}</tr>`)}</tbody></table>`;
}

function facts(rows: [string, HtmlValue][]): Html {
  return html`<table><tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</tbody></table>`;
}

function section(title: string, body: Html): Html {
  return html`<section class="page"><h2>${title}</h2>${body}</section>`;
}

/** The report as a print-friendly HTML document (one section a page when printed). */
export function reportHtml(document: ComplianceReportDocument): string {
  const s = document.sections;
  const r = s.requests;
  const body = html`
${section(
  'Summary and recommendations',
  html`${facts([
    [
      'Reporting period',
      `${day(document.period.from)} to ${day(new Date(new Date(document.period.to).getTime() - 1).toISOString())}`,
    ],
    ['Days', value(s.period.days)],
  ])}
<h3>Recommendations</h3>
${list(
  document.recommendations.map((rec) => html`<strong>${rec.severity}</strong>: ${rec.text}`),
  'No rule was triggered in this period.',
)}
<h3>Dashboard metrics</h3>
${table(
  ['Metric', 'Value'],
  (s.metrics as { label: string; unit: string; value: unknown }[]).map((m) => [
    m.label,
    m.value === 'not_tracked'
      ? 'not tracked'
      : value(m.value, m.unit === 'percent' ? ' %' : m.unit === 'count' ? '' : ` ${m.unit}`),
  ]),
  'No metrics.',
)}`,
)}
${section(
  'Processing activities',
  html`<p>${s.processingActivities.count} processing activities in the record of processing activities; ${s.processingActivities.processors} processors, ${s.processingActivities.processorsWithoutValidDpa.length} without a valid DPA.</p>
${table(
  ['Activity', 'Role', 'Legal bases'],
  (s.processingActivities.activities as { name: string; role: string; legalBases: string[] }[]).map((a) => [
    a.name,
    a.role,
    a.legalBases.join(', ') || '—',
  ]),
  'No processing activity is recorded.',
)}`,
)}
${section(
  'Data-subject requests',
  html`${facts([
    ['Received', r.received],
    ['Closed', r.closed],
    ['On time / late', `${r.onTime} / ${r.late}`],
    ['On-time rate', value(r.onTimeRate, ' %')],
    ['Extended', r.extended],
    ['Mean response (completed)', value(r.meanHours, ' h')],
    ['Open past deadline at period end', r.overdueOpenAtEnd],
  ])}
<h3>By right</h3>
${table(
  ['Right', 'Received', 'Closed', 'On time', 'Late', 'Extended', 'Mean h', 'p90 h'],
  (r.byRight as Record<string, unknown>[]).map((x) => [
    String(x.right),
    value(x.received),
    value(x.closed),
    value(x.onTime),
    value(x.late),
    value(x.extended),
    value(x.meanHours),
    value(x.p90Hours),
  ]),
  'No request was closed in the period.',
)}
<h3>Rejections by reason</h3>
${table(
  ['Reason', 'Requests'],
  (r.rejectionsByReason as { reason: string; count: number }[]).map((x) => [x.reason, x.count]),
  'No request was rejected.',
)}
<h3>Late requests waiting for systems</h3>
${table(
  ['Right', 'System', 'Requests'],
  (r.lateBySystem as { right: string; system: string; requests: number }[]).map((x) => [
    x.right,
    x.system,
    x.requests,
  ]),
  'No late request waited for a system.',
)}`,
)}
${section(
  'Security incidents and breaches',
  html`<p>${s.breaches.total} breaches; notified to the authority on time: ${s.breaches.notifiedOnTime}, late: ${s.breaches.notifiedLate}, pending: ${s.breaches.pending}, not required: ${s.breaches.notRequired}.</p>
${table(
  ['Breach', 'Severity', 'Status', 'Aware', 'Notified', 'Timeliness'],
  (s.breaches.items as Record<string, string | null>[]).map((b) => [
    b.title,
    value(b.severity),
    b.status,
    day(b.awareAt),
    day(b.authorityNotifiedAt),
    (b.notification ?? '').replace('_', ' '),
  ]),
  'No breach in the period.',
)}`,
)}
${section(
  'Consent',
  html`${facts([
    ['Grants', s.consent.grants],
    ['Withdrawals', s.consent.withdrawals],
    ['Withdrawal rate', value(s.consent.withdrawalRate, ' %')],
  ])}
${table(
  ['Purpose', 'Grants', 'Withdrawals'],
  (s.consent.byPurpose as { purpose: string; grants: number; withdrawals: number }[]).map((p) => [
    p.purpose,
    p.grants,
    p.withdrawals,
  ]),
  'No consent was recorded in the period.',
)}`,
)}
${section(
  'Training records',
  html`<p>Overall completion: ${value(s.training.overall.completionRate, ' %')} (${s.training.overall.current} of ${s.training.overall.required}).</p>
${table(
  ['Course', 'Required', 'Current', 'Rate'],
  (s.training.courses as Record<string, unknown>[]).map((c) => [
    String(c.title),
    value(c.required),
    value(c.current),
    value(c.completionRate, ' %'),
  ]),
  'No training course is recorded.',
)}`,
)}
${section(
  'Audits and findings',
  html`${table(
    ['Auditor', 'Scope', 'Started', 'Ended', 'Reference'],
    (s.audits.audits as Record<string, string | null>[]).map((a) => [
      value(a.auditor),
      value(a.scope),
      day(a.startedAt),
      day(a.endedAt),
      value(a.reference),
    ]),
    'No external audit is recorded.',
  )}
<h3>Open findings</h3>
${table(
  ['Finding', 'Severity', 'Owner', 'Due'],
  (s.audits.openFindings as Record<string, string | null>[]).map((f) => [
    value(f.title),
    value(f.severity),
    value(f.owner),
    day(f.dueAt),
  ]),
  'No finding is open.',
)}`,
)}
${section(
  'Data protection impact assessments',
  s.assessments.tracked
    ? facts([
        ['Due', s.assessments.due],
        ['Done', s.assessments.done],
        ['Overdue', s.assessments.overdue],
      ])
    : html`<p class="none">Not tracked: the assessments module is not installed.</p>`,
)}
${section(
  'Retention runs',
  table(
    ['Kind', 'Status', 'Started', 'Records'],
    (s.retention.runs as Record<string, string | number>[]).map((x) => [
      String(x.kind),
      String(x.status),
      day(String(x.startedAt)),
      value(x.records),
    ]),
    'No retention run in the period.',
  ),
)}
${section(
  'Policies and access reviews',
  html`<p>${s.policies.total} policies; ${s.policies.overdue.length} past their review.</p>
${list(
  (s.policies.overdue as { title: string; daysPastReview: number }[]).map(
    (p) => `${p.title}: ${p.daysPastReview} days past review`,
  ),
  'Every policy is within its review interval.',
)}
<p>Last access review completed: ${day(s.accessReviews.lastCompletedAt)}; open campaigns: ${s.accessReviews.open}.</p>`,
)}`;
  return htmlDocument(
    {
      title: document.title,
      organization: document.organization,
      generatedAt: new Date(document.generatedAt),
      version: document.id.slice(0, 8),
    },
    body,
  );
}
