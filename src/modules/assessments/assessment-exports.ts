/**
 * DPIA exports: HTML and PDF through the shared renderer and the process's one printer, JSON beside;
 * the current state or a frozen version. Each export is audited once it is ready.
 */
import type { PdfRenderer } from '../../lib/documents/pdf.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { DataMap } from '../inventory/inventory-model.js';
import { dpiaHtml } from './assessment-document.js';
import type { Assessment, Snapshot } from './assessment-model.js';
import type { AssessmentRegister } from './assessment-register.js';
import { sectionProgress } from './dpia.js';

export type DpiaFormat = 'html' | 'pdf' | 'json';

export type DpiaExport =
  | { format: 'json'; assessment: Assessment }
  | { format: 'html' | 'pdf'; body: string | Buffer; contentType: string; filename: string };

type Deps = {
  register: AssessmentRegister;
  dataMap: () => Promise<DataMap>;
  audit: Pick<AuditWriter, 'record'>;
  pdf: PdfRenderer;
};

function fromSnapshot(current: Assessment, snapshot: Snapshot): Assessment {
  return {
    ...current,
    title: snapshot.title,
    status: 'approved',
    version: snapshot.version,
    sections: snapshot.sections,
    progress: sectionProgress(snapshot.sections, snapshot.risks, snapshot.consultation),
    risks: snapshot.risks,
    consultation: snapshot.consultation,
    priorConsultation: snapshot.priorConsultation,
    chain: snapshot.chain,
    signOffs: snapshot.signOffs.map((entry) => ({ ...entry, at: new Date(entry.at) })),
    reviewReason: null,
    reviewDue: snapshot.reviewDue,
  };
}

export function assessmentExports({ register, dataMap, audit, pdf }: Deps) {
  async function exportDpia(
    context: AuditContext,
    id: string,
    format: DpiaFormat,
    version: number | undefined,
  ): Promise<DpiaExport> {
    const current = await register.get(id);
    const assessment =
      version === undefined ? current : fromSnapshot(current, await register.version(id, version));
    let rendered: DpiaExport;
    if (format === 'json') rendered = { format, assessment };
    else {
      const map = await dataMap();
      const generatedAt = map.generatedAt;
      const text = dpiaHtml({
        organization: map.organization.controllerName || 'Controller not named',
        organizationDetails: map.organization.address,
        generatedAt,
        assessment,
      });
      rendered = {
        format,
        body: format === 'html' ? text : await pdf(text),
        contentType: format === 'html' ? 'text/html; charset=utf-8' : 'application/pdf',
        filename: `custos-dpia-${id.slice(0, 8)}-v${assessment.version}-${generatedAt.toISOString().slice(0, 10)}.${format}`,
      };
    }
    await audit.record(context, {
      action: 'assessments.dpia.exported',
      outcome: 'success',
      target: { type: 'assessment', id },
      details: { format, version: assessment.version },
    });
    return rendered;
  }
  return { exportDpia };
}

export type AssessmentExports = ReturnType<typeof assessmentExports>;
