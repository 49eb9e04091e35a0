import type { PdfRenderer } from '../../lib/documents/pdf.js';
import type { Platform } from '../../wiring/platform.js';
import type { AuditService } from '../audit/audit-service.js';
import type { DataMap } from '../inventory/inventory-model.js';
import type { MailService } from '../mail/mail-service.js';
import { assessmentExports as assessmentExportsService } from './assessment-exports.js';
import { reviewJob, reviewRun } from './assessment-jobs.js';
import { assessmentRegister } from './assessment-register.js';
import { assessmentStore } from './assessment-store.js';
import { screeningService } from './screening-service.js';

type Deps = {
  audit: AuditService;
  /** The data map (inventory): activities resolved to their categories, purposes, recipients, transfers. */
  dataMap: () => Promise<DataMap>;
  /** Subjects with records in the named collections, counted up to `atMost` (vault): the scale of an activity. */
  subjectCount: (collections: readonly string[], atMost: number) => Promise<number>;
  mail: Pick<MailService, 'enqueue'>;
  /** The process's one document printer, shared with every other document. */
  pdf: PdfRenderer;
};

/** WP248 leaves "large scale" to judgement; this many subjects is where Custos calls it large by default. */
const largeScaleSubjects = 10_000;

/** Assessments: DPIA screening, the assessment, its approval chain, versions, exports and reviews. */
export function assessmentsModule({ db, clock, logger }: Platform, deps: Deps) {
  const store = assessmentStore();
  const screenings = screeningService({
    db,
    store,
    audit: deps.audit,
    clock,
    dataMap: deps.dataMap,
    subjectCounts: (names) => deps.subjectCount(names, largeScaleSubjects),
    settings: { largeScaleSubjects },
  });
  const assessments = assessmentRegister({
    db,
    store,
    audit: deps.audit,
    clock,
    screenings,
    dataMap: deps.dataMap,
    settings: { reviewSoonDays: 30 },
  });
  const assessmentExports = assessmentExportsService({
    register: assessments,
    dataMap: deps.dataMap,
    audit: deps.audit,
    pdf: deps.pdf,
  });
  const runReviews = reviewRun({
    db,
    store,
    clock,
    audit: deps.audit,
    screenings,
    register: assessments,
    mail: deps.mail,
    dataMap: deps.dataMap,
    settings: { reminderDays: 30 },
  });
  return {
    screenings,
    assessments,
    assessmentExports,
    runReviews,
    background: { jobs: [reviewJob(runReviews, logger)], prune: [] },
  };
}
