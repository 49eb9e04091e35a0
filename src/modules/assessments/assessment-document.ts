/**
 * A DPIA as a printable document (shared renderer): every section with what the map derived for it, the
 * risk register with the likelihood × severity matrix (inherent and residual), the consultations, the
 * approval chain and its sign-offs. Every heading is shown even when empty, so a gap is visible.
 */
import { htmlDocument } from '../../lib/documents/document.js';
import { type Html, html, list } from '../../lib/documents/html.js';
import type { Assessment, ScoredRisk } from './assessment-model.js';
import { riskKindLabels, sectionKeys, sectionTitles } from './dpia.js';

export type DpiaDocument = {
  organization: string;
  organizationDetails: string;
  generatedAt: Date;
  assessment: Assessment;
};

const scale = [1, 2, 3, 4];

/** The 4 × 4 grid, likelihood rows from 4 down, severity columns; each cell lists the risks in it. */
export function matrixHtml(risks: ScoredRisk[], residual: boolean): Html {
  const position = (risk: ScoredRisk) =>
    residual ? [risk.residualLikelihood, risk.residualSeverity] : [risk.likelihood, risk.severity];
  const numbered = risks.map((risk, index) => ({ risk, label: `R${index + 1}` }));
  return html`<table class="matrix"><caption>${residual ? 'Residual risk' : 'Inherent risk'} (likelihood × severity)</caption>
<tr><th scope="col">Likelihood \\ Severity</th>${scale.map((s) => html`<th scope="col">${s}</th>`)}</tr>
${[...scale].reverse().map(
  (likelihood) =>
    html`<tr><th scope="row">${likelihood}</th>${scale.map((severity) => {
      const inCell = numbered.filter(({ risk }) => {
        const [l, s] = position(risk);
        return l === likelihood && s === severity;
      });
      return html`<td>${inCell.map(({ label }) => label).join(', ')}</td>`;
    })}</tr>`,
)}
</table>`;
}

function riskRows(risks: ScoredRisk[]): Html {
  if (risks.length === 0) return html`<p class="none">No risks recorded.</p>`;
  return html`<table><tr><th scope="col">#</th><th scope="col">Risk</th><th scope="col">Inherent</th><th scope="col">Mitigations</th><th scope="col">Residual</th></tr>
${risks.map(
  (
    risk,
    index,
  ) => html`<tr><td>R${index + 1}</td><td><strong>${risk.title}</strong> (${riskKindLabels[risk.kind]})<br>${risk.description}</td>
<td>${risk.likelihood ?? '–'} × ${risk.severity ?? '–'}: ${risk.inherentLevel ?? 'not scored'}</td>
<td>${list(
    risk.mitigations.map(
      (m) =>
        html`${m.title}${m.measureId ? ' (measure of the data map)' : html` — owner ${m.owner}, due ${m.dueDate ?? '–'}`} [${m.status}]`,
    ),
    'None',
  )}</td>
<td>${risk.residualLikelihood ?? '–'} × ${risk.residualSeverity ?? '–'}: ${risk.residualLevel ?? 'not scored'}</td></tr>`,
)}</table>`;
}

export function dpiaHtml(doc: DpiaDocument): string {
  const a = doc.assessment;
  const prior = a.priorConsultation;
  const body = html`
<section class="page">
<h2>Status</h2>
<table>
<tr><th scope="row">Status</th><td>${a.status}${a.reviewReason ? ` — review needed (${a.reviewReason})` : ''}</td></tr>
<tr><th scope="row">Version</th><td>${a.version}</td></tr>
<tr><th scope="row">Next review</th><td>${a.reviewDue ?? 'set on approval'}</td></tr>
</table>
${sectionKeys.map(
  (key) => html`<h2>${sectionTitles[key]}</h2>
${a.sections[key].text ? html`<p>${a.sections[key].text}</p>` : html`<p class="none">Not written yet.</p>`}
${a.sections[key].derived.length ? html`<h3>From the data map</h3>${list(a.sections[key].derived, '')}` : ''}`,
)}
</section>
<section class="page">
<h2>Risk register</h2>
${riskRows(a.risks)}
${matrixHtml(a.risks, false)}
${matrixHtml(a.risks, true)}
</section>
<section class="page">
<h2>Consultation of data subjects (Art. 35(9))</h2>
${
  a.consultation
    ? a.consultation.consulted
      ? html`<table><tr><th scope="row">Who</th><td>${a.consultation.who}</td></tr><tr><th scope="row">How</th><td>${a.consultation.how}</td></tr><tr><th scope="row">Results</th><td>${a.consultation.results}</td></tr></table>`
      : html`<p>Not consulted: ${a.consultation.whyNot}</p>`
    : html`<p class="none">Not recorded.</p>`
}
<h2>Prior consultation of the supervisory authority (Art. 36)</h2>
<p>${prior.required ? 'Required: a residual risk remains high.' : 'Not required: no residual risk remains high.'}</p>
${
  prior.record
    ? html`<table>
<tr><th scope="row">Authority</th><td>${prior.record.authority}</td></tr>
<tr><th scope="row">Submitted</th><td>${prior.record.submittedOn ?? '–'} (reference ${prior.record.reference || '–'})</td></tr>
<tr><th scope="row">Answer due (8 weeks)</th><td>${prior.answerDue ?? '–'}</td></tr>
<tr><th scope="row">Extended deadline (+6 weeks)</th><td>${prior.extendedDue ?? '–'}${prior.record.extended ? ' (extended)' : ''}</td></tr>
<tr><th scope="row">Answer</th><td>${prior.record.answer || '–'} ${prior.record.answeredOn ? `(${prior.record.answeredOn})` : ''}</td></tr>
</table>`
    : ''
}
<h2>Approval chain and sign-offs</h2>
${list(
  a.chain.map((step) => html`${step.name} (role ${step.role}): ${step.state}`),
  'Not submitted yet.',
)}
${
  a.signOffs.length
    ? html`<table><tr><th scope="col">When</th><th scope="col">Step</th><th scope="col">Decision</th><th scope="col">By</th><th scope="col">Comment</th></tr>
${a.signOffs.map(
  (s) =>
    html`<tr><td>${s.at.toISOString().slice(0, 16).replace('T', ' ')} UTC</td><td>${s.stepKey} (v${s.version})</td><td>${s.decision}</td><td>${s.actor.type} ${s.actor.id ?? ''}</td><td>${s.comment}</td></tr>`,
)}</table>`
    : html`<p class="none">No sign-offs yet.</p>`
}
</section>`;
  return htmlDocument(
    {
      title: `Data protection impact assessment: ${a.title}`,
      organization: doc.organization,
      organizationDetails: doc.organizationDetails,
      generatedAt: doc.generatedAt,
      version: String(a.version),
      ...(a.status === 'approved'
        ? {}
        : { notice: `Not approved: this version is ${a.status.replace('_', ' ')}.` }),
    },
    body,
  );
}
