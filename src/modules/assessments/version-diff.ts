/** What changed between two frozen versions of a DPIA, field by field, for the versions view. */
import type { Snapshot } from './assessment-model.js';
import { sectionKeys } from './dpia.js';

export type Change = { path: string; before: string | null; after: string | null };

const text = (value: unknown) =>
  value === undefined || value === null ? null : typeof value === 'string' ? value : JSON.stringify(value);

export function diffVersions(before: Snapshot, after: Snapshot): Change[] {
  const changes: Change[] = [];
  const compare = (path: string, a: unknown, b: unknown) => {
    const left = text(a);
    const right = text(b);
    if (left !== right) changes.push({ path, before: left, after: right });
  };
  compare('title', before.title, after.title);
  for (const key of sectionKeys)
    compare(`sections.${key}`, before.sections[key]?.text, after.sections[key]?.text);
  const risksBefore = new Map(before.risks.map((risk) => [risk.id, risk]));
  const risksAfter = new Map(after.risks.map((risk) => [risk.id, risk]));
  for (const [id, risk] of risksBefore) {
    const next = risksAfter.get(id);
    if (!next) {
      changes.push({ path: `risks.${id}`, before: risk.title, after: null });
      continue;
    }
    for (const field of [
      'title',
      'description',
      'likelihood',
      'severity',
      'residualLikelihood',
      'residualSeverity',
    ] as const)
      compare(`risks.${id}.${field}`, risk[field], next[field]);
    compare(`risks.${id}.mitigations`, risk.mitigations, next.mitigations);
  }
  for (const [id, risk] of risksAfter)
    if (!risksBefore.has(id)) changes.push({ path: `risks.${id}`, before: null, after: risk.title });
  compare('consultation', before.consultation, after.consultation);
  compare('priorConsultation', before.priorConsultation.record, after.priorConsultation.record);
  return changes;
}
